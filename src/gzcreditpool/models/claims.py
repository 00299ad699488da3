"""``claims``: compensation claims (第十六条, 第十七条, 第二十三条 (三)) with the conditions as
filed, the trustee's computation (the rules' decision) and 市科技局's approval, or its return
with a reason (kept when the bank files the corrected claim again)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzcreditpool.kit.db import Base
from gzcreditpool.models.enums import ClaimStatus
from gzcreditpool.models.loans import Loan
from gzkit.db import enum_type


class Claim(Base):
    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    filed_on: Mapped[dt.date] = mapped_column(index=True)
    classification: Mapped[str] = mapped_column(String(4))
    legal_effective_on: Mapped[dt.date | None]
    npl_balance: Mapped[Decimal]
    status: Mapped[ClaimStatus] = mapped_column(enum_type(ClaimStatus, "claim_status"))
    decision: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[Decimal | None]
    reviewed_at: Mapped[dt.datetime | None]
    approved_at: Mapped[dt.datetime | None]
    returned_at: Mapped[dt.datetime | None]
    return_reason: Mapped[str | None] = mapped_column(String(500))

    loan: Mapped[Loan] = relationship()
