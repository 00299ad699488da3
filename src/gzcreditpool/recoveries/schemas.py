"""Bodies and answers of recoveries, refunds and write-offs (第二十三条 (四)–(六))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field

from gzcreditpool.kit.params import RowIdValue
from gzcreditpool.models import WriteOffStatus
from gzkit.request_input import Input

MONEY = Field(ge=0, max_digits=16, decimal_places=2)


class RecoveryIn(Input):
    loan_id: RowIdValue
    received_on: dt.date
    gross: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    fees: Decimal = MONEY


class RefundedIn(Input):
    refunded_on: dt.date


class WriteOffIn(Input):
    multiline = frozenset({"reason"})
    written_off_on: dt.date
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    reason: str = Field(min_length=1, max_length=500)


class ReviewIn(Input):
    multiline = frozenset({"note"})
    note: str = Field(min_length=1, max_length=500)


class TopUpOut(BaseModel):
    """A top-up a refunded recovery owes since a later approval (C7)."""

    id: int
    amount: Decimal
    approved_on: dt.date
    due_on: dt.date
    refunded_on: dt.date | None
    overdue: bool
    working_days_left: int | None


class RecoveryOut(BaseModel):
    id: int
    loan_id: int
    bank_code: str
    received_on: dt.date
    gross: Decimal
    fees: Decimal
    refund: Decimal
    due_on: dt.date | None
    refunded_on: dt.date | None
    overdue: bool
    working_days_left: int | None
    top_ups: list[TopUpOut]


class WriteOffOut(BaseModel):
    id: int
    loan_id: int
    bank_code: str
    written_off_on: dt.date
    amount: Decimal
    reason: str
    status: WriteOffStatus
    review_note: str | None
