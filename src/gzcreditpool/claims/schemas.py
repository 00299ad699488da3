"""Bodies and answers of post-loan tracking and claims (第十六条, 第十七条, 第二十三条 (三))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from gzcreditpool.kit.params import RowIdValue
from gzcreditpool.models import ClaimStatus, LegalKind
from gzkit.console.validation import CHINESE
from gzkit.request_input import Input

Category = Literal["正常", "关注", "次级", "可疑", "损失"]


class ClassificationIn(Input):
    category: Category
    as_of: dt.date


class LoanRefIn(Input):
    loan_id: RowIdValue


NPL_BALANCE = Field(gt=0, max_digits=16, decimal_places=2)


class ClaimIn(LoanRefIn):
    npl_balance: Decimal = NPL_BALANCE


class ClaimFixIn(Input):
    """A returned claim filed again: its corrected non-performing balance."""

    npl_balance: Decimal = NPL_BALANCE


class ClaimReturnIn(Input):
    """市科技局's reason for returning a computed claim, in Chinese."""

    multiline = frozenset({"reason"})
    reason: str = Field(min_length=1, max_length=500)

    @field_validator("reason")
    @classmethod
    def _chinese(cls, value: str) -> str:
        if not CHINESE.search(value):
            raise PydanticCustomError(
                "value_error", "退回补正理由须用中文填写 / the reason must be written in Chinese"
            )
        return value.strip()


class ClaimIdsIn(Input):
    claim_ids: list[RowIdValue] | None = Field(None, max_length=10_000)


class ClassificationOut(BaseModel):
    category: str
    as_of: dt.date
    recorded_at: dt.datetime


class LegalActionOut(BaseModel):
    id: int
    kind: LegalKind
    case_no: str
    effective_on: dt.date
    document_name: str | None


class CheckOut(BaseModel):
    """One condition of a claim, as filed: what it asks, what was found, whether it holds."""

    condition: str
    found: str
    met: bool


class ClaimOut(BaseModel):
    id: int
    loan_id: int
    enterprise_id: int
    bank_code: str
    filed_on: dt.date
    classification: str
    legal_effective_on: dt.date | None
    npl_balance: Decimal
    status: ClaimStatus
    checks: list[CheckOut]
    decision: str | None
    reason: str | None
    reason_text: str | None
    amount: Decimal | None
    due_on: dt.date | None
    budget_year: int
    returned_at: dt.datetime | None
    return_reason: str | None


class TrackingOut(BaseModel):
    loan_id: int
    classifications: list[ClassificationOut]
    legal_actions: list[LegalActionOut]
    claims: list[ClaimOut]


class BankCapOut(BaseModel):
    """A bank's cap for one year's claims (第十七条) and what its claims of that year were
    computed or approved so far."""

    bank_code: str
    year: int
    cap: Decimal
    used: Decimal
    left: Decimal
