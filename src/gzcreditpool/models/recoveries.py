"""``recoveries``: what a bank recovers on a loan after compensation, its fees, and the refund
due to the treasury within 30 working days (第二十三条 (四)(五)), with the top-ups owed when a
later approval raises the pool's share after the refund was paid."""

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
    top_ups: Mapped[list[RefundTopUp]] = relationship(
        order_by="RefundTopUp.id", lazy="selectin", back_populates="recovery"
    )


class RefundTopUp(Base):
    """What a refunded recovery owes on top of its refund once a later claim on its loan is
    approved (C7, 第二十三条 (五)), due on the 30th working day after the approval."""

    __tablename__ = "refund_top_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    recovery_id: Mapped[int] = mapped_column(ForeignKey("recoveries.id"), index=True)
    amount: Mapped[Decimal]
    approved_on: Mapped[dt.date]
    due_on: Mapped[dt.date]
    refunded_on: Mapped[dt.date | None]
    recorded_at: Mapped[dt.datetime]

    recovery: Mapped[Recovery] = relationship(back_populates="top_ups")
