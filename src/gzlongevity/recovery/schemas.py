"""Bodies and answers of the recovery endpoints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from gzkit.request_input import Input
from gzlongevity.models import CaseKind, CaseStatus

Money = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]


class CaseOut(BaseModel):
    """One recovery case (the ID masked)."""

    id: int
    person_id_masked: str
    person_ref: str
    name: str
    district: str
    street: str
    kind: CaseKind
    status: CaseStatus
    amount_cny: Decimal
    recovered_cny: Decimal
    opened_on: dt.date
    notified_on: dt.date | None
    clawback_month: str | None
    ordered_on: dt.date | None
    closed_on: dt.date | None
    order_due: dt.date | None


class RepaymentIn(Input):
    """Money returned by the family (outside the bank file)."""

    amount_cny: Money


class FraudIn(Input):
    """A fraud case (虚报、冒领 …, 第二十四条) with its evidence."""

    multiline = frozenset({"evidence"})
    person_ref: Annotated[str, Field(min_length=1, max_length=32, description="persons' ref")]
    amount_cny: Money
    evidence: Annotated[str, Field(min_length=2, max_length=4000)]
