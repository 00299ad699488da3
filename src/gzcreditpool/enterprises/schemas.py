"""Bodies and answers of the enterprises' API (第八条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field

from gzcreditpool.claims.schemas import ClaimOut
from gzcreditpool.loans.schemas import LoanOut
from gzcreditpool.recoveries.schemas import RecoveryOut
from gzkit.request_input import Input

MONEY = Field(ge=0, max_digits=16, decimal_places=2)


class EnterpriseIn(Input):
    """Registration data and the evidence of its type(s)."""

    uscc: str = Field(min_length=1, max_length=40, description="统一社会信用代码")
    name: str = Field(min_length=1, max_length=200)
    registered_in_guangzhou: bool
    independent_legal_person: bool
    revenue: Decimal = MONEY
    high_tech_certificate_no: str | None = Field(None, max_length=40)
    high_tech_valid_until: dt.date | None = None
    science_plan_project: str | None = Field(None, max_length=200)
    founding_institution: str | None = Field(None, max_length=200)
    sme_database_no: str | None = Field(None, max_length=40)


class EnterpriseBatchIn(Input):
    """Up to 1,000 registrations at once (a bank's system keeping the pool in step)."""

    enterprises: list[EnterpriseIn] = Field(min_length=1, max_length=1000)


class DishonestIn(Input):
    multiline = frozenset({"reason"})
    reason: str = Field(min_length=1, max_length=500)


class EnterpriseOut(BaseModel):
    id: int
    uscc: str
    name: str
    registered_in_guangzhou: bool
    independent_legal_person: bool
    revenue: Decimal
    high_tech_certificate_no: str | None
    high_tech_valid_until: dt.date | None
    science_plan_project: str | None
    founding_institution: str | None
    sme_database_no: str | None
    dishonest_at: dt.datetime | None
    dishonest_reason: str | None
    eligible_today: bool
    problems_today: list[str]


class EnterpriseProfileOut(BaseModel):
    """An enterprise's page: the enterprise (its credit code and name masked unless shown in
    full), its loans, claims and recoveries (a bank's own only)."""

    enterprise: EnterpriseOut
    masked: bool
    loans: list[LoanOut]
    claims: list[ClaimOut]
    recoveries: list[RecoveryOut]
