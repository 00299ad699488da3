"""``sanctions``: 第二十五条's findings on a loan (duplicate funding, misclassification, false
materials) with all compensation on it to be recovered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzcreditpool.kit.db import Base
from gzcreditpool.models.enums import SanctionKind
from gzcreditpool.models.loans import Loan
from gzkit.db import enum_type


class Sanction(Base):
    __tablename__ = "sanctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    kind: Mapped[SanctionKind] = mapped_column(enum_type(SanctionKind, "sanction_kind"))
    note: Mapped[str] = mapped_column(String(500))
    clawback: Mapped[Decimal]
    decided_at: Mapped[dt.datetime]

    loan: Mapped[Loan] = relationship()
