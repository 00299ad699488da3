"""Answers of the fee, budget, performance and dashboard API (第三条, 第二十四条, 第二十六条,
第二十七条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field

from gzkit.request_input import Input


class FeeOut(BaseModel):
    """The trustee's fee for a year (C8) and the day its report on the year is due."""

    year: int
    lent: Decimal
    base_fee: Decimal
    performance_fee: Decimal
    fee: Decimal
    report_due_on: dt.date


class BudgetOut(BaseModel):
    """The year's budget line: last year's approved compensation and trustee fee (第三条)."""

    year: int
    compensation: Decimal
    trustee_fee: Decimal
    total: Decimal
    pool_cap: Decimal
    within_cap: bool


class BankYearOut(BaseModel):
    """One bank's year: lending and enterprises (第二十六条), non-performing balances claimed,
    compensation approved, refunds due (each recovery's with its top-ups) and written-off
    amounts."""

    bank_code: str
    bank_name: str
    year: int
    lent: Decimal
    loans: int
    enterprises: int
    npl_claimed: Decimal
    compensation: Decimal
    refunds: Decimal
    written_off: Decimal


class ReportIn(Input):
    """The trustee's covering note of its yearly report."""

    multiline = frozenset({"summary"})
    summary: str = Field(min_length=1, max_length=2000)


class ReportOut(BaseModel):
    """The yearly report on ``year``: due by 31 March of the next year (第二十七条)."""

    year: int
    due_on: dt.date
    submitted_at: dt.datetime | None
    submitted_by: str | None
    summary: str | None
    late: bool
