"""``recovery_payments``: each amount a recovery case got back, and when (第十二条, 第二十条), so
that the recovery of any month can be told as it stood at that month's end."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class RecoveryWay(StrEnum):
    """How the money came back."""

    CLAWBACK = "clawback"  # a return instruction of an approved bank file (原路退回, 第十二条)
    REPAID = "repaid"  # returned by the family, recorded by the street or district


class RecoveryPayment(Base):
    """One amount recovered on one day; money in fen."""

    __tablename__ = "recovery_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("recovery_cases.id"), index=True)
    on: Mapped[dt.date] = mapped_column(index=True)
    amount_fen: Mapped[int]
    way: Mapped[RecoveryWay] = mapped_column(enum_type(RecoveryWay, "way"))
