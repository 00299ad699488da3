"""Answers and bodies of the run endpoints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from gzkit.request_input import Input
from gzlongevity.models import LineKind, OverpaymentReason, RunStatus

Month = Annotated[str, Field(pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


class RunIn(Input):
    """Which month to compute."""

    month: Month


class DistrictProgress(BaseModel):
    """Where one district's part of a run stands."""

    district: str
    name: str
    lines: int
    amount_cny: Decimal
    streets_to_review: list[str]
    approved: bool


class RunOut(BaseModel):
    """A run and its progress; the 25th is the deadline for whoever has not finished."""

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
    districts: list[DistrictProgress]


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
