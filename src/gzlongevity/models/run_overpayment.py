"""``run_overpayments``: paid lines a run found were not due (L7, 第二十条)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base
from gzlongevity.models.run_line import LineKind


class OverpaymentReason(StrEnum):
    """Why the line was not due."""

    DIED = "died"
    LEFT = "left"


class RunOverpayment(Base):
    """One overpaid line, detected by ``run_id``."""

    __tablename__ = "run_overpayments"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id_number"), index=True)
    district: Mapped[str] = mapped_column(String(6))
    payer: Mapped[str] = mapped_column(String(8))  # whose list found it: the district, or military
    street: Mapped[str] = mapped_column(String(64))
    for_month: Mapped[int]
    kind: Mapped[LineKind] = mapped_column(enum_type(LineKind, "kind"))
    amount_fen: Mapped[int]
    paid_in_run: Mapped[int]  # month number of the run that paid it
    reason: Mapped[OverpaymentReason] = mapped_column(enum_type(OverpaymentReason, "reason"))
