"""``banks``: applicants and partner banks (第二十条, 第二十二条) with the checks of 第二十条,
each with its evidence, and the experts' mean score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from gzcreditpool.kit.db import Base
from gzcreditpool.models.enums import BankStatus
from gzkit.db import enum_type


class Bank(Base):
    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[BankStatus] = mapped_column(enum_type(BankStatus, "bank_status"))
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    expert_scores: Mapped[list[str] | None] = mapped_column(JSON)
    expert_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    publicity_until: Mapped[dt.date | None]
    applied_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
