"""Bodies and answers of sanctions (第二十五条, 第三十条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field

from gzcreditpool.kit.params import RowIdValue
from gzcreditpool.models import SanctionKind
from gzkit.request_input import Input


class SanctionIn(Input):
    multiline = frozenset({"note"})
    loan_id: RowIdValue
    kind: SanctionKind
    note: str = Field(min_length=1, max_length=500)


class SanctionOut(BaseModel):
    id: int
    loan_id: int
    bank_code: str
    kind: SanctionKind
    note: str
    clawback: Decimal
    decided_at: dt.datetime


class FlagOut(BaseModel):
    """A suspicion for 市科技局 to look into: ``kind`` is ``claimed_twice`` (a loan with more
    than one claim in a year) or ``two_banks`` (one enterprise and contract number reported
    by two banks)."""

    kind: str
    text: str
    loan_ids: list[int]
