"""``write_offs``: loans a bank writes off after due diligence, reviewed by the trustee and
reported to 市科技局 (第二十三条 (六))."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzcreditpool.kit.db import Base
from gzcreditpool.models.enums import WriteOffStatus
from gzcreditpool.models.loans import Loan
from gzkit.db import enum_type


class WriteOff(Base):
    __tablename__ = "write_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    written_off_on: Mapped[dt.date]
    amount: Mapped[Decimal]
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[WriteOffStatus] = mapped_column(enum_type(WriteOffStatus, "write_off_status"))
    reviewed_at: Mapped[dt.datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(500))

    loan: Mapped[Loan] = relationship()
