"""``recoveries``: what a bank recovers on a loan after compensation, its fees, and the refund
due to the treasury within 30 working days (第二十三条 (四)(五))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzcreditpool.kit.db import Base
from gzcreditpool.models.loans import Loan


class Recovery(Base):
    __tablename__ = "recoveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    received_on: Mapped[dt.date]
    gross: Mapped[Decimal]
    fees: Mapped[Decimal]
    refund: Mapped[Decimal]
    due_on: Mapped[dt.date | None]
    refunded_on: Mapped[dt.date | None]
    recorded_at: Mapped[dt.datetime]

    loan: Mapped[Loan] = relationship()
