"""Bodies and answers of the loans' API (第二十三条 (一)(二))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field

from gzcreditpool.kit.params import RowIdValue
from gzcreditpool.models import LoanStatus
from gzkit.request_input import Input

POSITIVE_MONEY = Field(gt=0, max_digits=16, decimal_places=2)


class LoanIn(Input):
    """A loan a bank reports (C3 facts); it is reported today."""

    contract_no: str = Field(min_length=1, max_length=60, description="借款合同编号")
    enterprise_uscc: str = Field(min_length=18, max_length=18)
    disbursed_on: dt.date
    amount: Decimal = POSITIVE_MONEY
    term_months: int = Field(ge=1, le=600)
    credit_part: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    financing_guarantee: bool


class CarriedLoanIn(LoanIn):
    """A loan confirmed under an earlier policy (第三十一条): its bank and the day it was
    confirmed, with the facts a bank reports."""

    bank_code: str = Field(min_length=1, max_length=20)
    confirmed_on: dt.date


class LoanIdsIn(Input):
    """Loans to act on; none given: every loan waiting for this step."""

    loan_ids: list[RowIdValue] | None = Field(None, max_length=10_000)


class DeadlineOut(BaseModel):
    disbursed_on: dt.date
    deadline: dt.date
    working_days_left: int


class LoanOut(BaseModel):
    """A loan; the enterprise and contract are masked unless shown in full (第十一条 (六))."""

    id: int
    bank_code: str
    enterprise_id: int
    contract_no: str
    enterprise_uscc: str
    enterprise_name: str
    disbursed_on: dt.date
    reported_on: dt.date
    report_deadline: dt.date
    amount: Decimal
    term_months: int
    credit_part: Decimal
    financing_guarantee: bool
    enterprise_eligible: bool
    eligibility_note: str
    status: LoanStatus
    reason: str | None
    reason_text: str | None
    confirmation_id: int | None
    policy_code: str = Field(description="政策版本（C10）")
    earlier_policy: bool = Field(description="按原政策办理（第三十一条）")
    masked: bool


class UploadOut(BaseModel):
    """How many loans a file reported, and their ids in the file's order."""

    reported: int
    loan_ids: list[int]


class ConfirmationOut(BaseModel):
    id: int
    bank_code: str
    issued_at: dt.datetime
    loans: int
    total: Decimal
