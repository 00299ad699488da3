"""``loans``: loans reported by the banks (第二十三条 (一)(二)) with the enterprise's
eligibility as checked when reported, the report deadline, the rules' decision, and the rule
version the loan falls under (C10)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzcreditpool.kit.db import Base
from gzcreditpool.models.banks import Bank
from gzcreditpool.models.enterprises import Enterprise
from gzcreditpool.models.enums import LoanStatus
from gzcreditpool.models.policy_versions import PolicyVersion
from gzkit.db import enum_type


class Loan(Base):
    __tablename__ = "loans"
    __table_args__ = (UniqueConstraint("bank_id", "contract_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    contract_no: Mapped[str] = mapped_column(String(60))
    disbursed_on: Mapped[dt.date] = mapped_column(index=True)
    reported_on: Mapped[dt.date]
    report_deadline: Mapped[dt.date]
    amount: Mapped[Decimal]
    term_months: Mapped[int]
    credit_part: Mapped[Decimal]
    financing_guarantee: Mapped[bool]
    enterprise_eligible: Mapped[bool]
    eligibility_note: Mapped[str] = mapped_column(String(500))
    status: Mapped[LoanStatus] = mapped_column(enum_type(LoanStatus, "loan_status"), index=True)
    reason: Mapped[str | None] = mapped_column(String(32))
    forwarded_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    confirmation_id: Mapped[int | None] = mapped_column(ForeignKey("confirmations.id"))
    policy_code: Mapped[str] = mapped_column(ForeignKey("policy_versions.code"), index=True)

    bank: Mapped[Bank] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    policy: Mapped[PolicyVersion] = relationship()
