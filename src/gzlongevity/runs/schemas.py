"""Answers and bodies of the run endpoints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field

from gzkit.request_input import Input
from gzlongevity.models import LineKind, OverpaymentReason, RunStatus

Month = Annotated[str, Field(pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


class RunIn(Input):
    """Which month to compute."""

    month: Month


class PayerStatus(StrEnum):
    """Where a payer's list of a run stands."""

    WAITING = "waiting"  # its previous month is not approved: no list yet
    COMPUTED = "computed"  # may be recomputed; the streets review, the payer approves
    APPROVED = "approved"  # locked; its bank file can be written


class PayerProgress(BaseModel):
    """Where one payer's list (a district's, or the military channel's) stands."""

    payer: str
    name: str
    status: PayerStatus
    lines: int
    amount_cny: Decimal
    held: int
    streets_to_review: list[str]
    approved_at: dt.datetime | None
    late: bool


class RunOut(BaseModel):
    """A run and each payer's progress; the 25th is the deadline for every payer that has not
    approved (``late`` once it has passed)."""

    month: str
    run_date: dt.date
    status: RunStatus
    computed_at: dt.datetime
    approved_at: dt.datetime | None
    lines: int
    amount_cny: Decimal
    held: int
    pay_by: dt.date
    late: bool
    payers: list[PayerProgress]


class ExceptionLine(BaseModel):
    """A line a street reviews: arrears, a 100+ payment, an overpayment, a held person or a
    death-date conflict."""

    person_id_masked: str
    person_ref: str
    name: str
    street: str
    what: str
    for_month: str | None
    amount_cny: Decimal | None


class LineOut(BaseModel):
    """One payment line (payments.csv's columns, the ID masked)."""

    person_id_masked: str
    district: str
    street: str
    kind: LineKind
    for_month: str
    tier: int
    city_cny: Decimal
    district_extra_cny: Decimal
    amount_cny: Decimal


class OverpaymentOut(BaseModel):
    """One overpaid line found by a run."""

    person_id_masked: str
    for_month: str
    kind: LineKind
    amount_cny: Decimal
    paid_in_run: str
    reason: OverpaymentReason
