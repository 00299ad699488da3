"""``bank_status_changes``: a bank's status over time (第二十二条, 第二十五条)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gzcreditpool.kit.db import Base
from gzcreditpool.models.enums import BankStatus
from gzkit.db import enum_type


class BankStatusChange(Base):
    __tablename__ = "bank_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    status: Mapped[BankStatus] = mapped_column(enum_type(BankStatus, "bank_status"))
    at: Mapped[dt.datetime]
    reason: Mapped[str] = mapped_column(String(500))
