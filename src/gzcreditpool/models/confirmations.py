"""``confirmations``: a 确认书 sent to a bank for the loans 市科技局 confirmed in one batch
(第二十三条 (二))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from gzcreditpool.kit.db import Base


class Confirmation(Base):
    __tablename__ = "confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    issued_at: Mapped[dt.datetime]
    loans: Mapped[int]
    total: Mapped[Decimal]
