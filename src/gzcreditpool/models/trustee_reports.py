"""``trustee_reports``: the trustee's yearly report to 市科技局, due by 31 March of the next year
(第二十七条), kept as submitted (the workbook is frozen at submission)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from gzcreditpool.kit.db import Base


class TrusteeReport(Base):
    __tablename__ = "trustee_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    summary: Mapped[str] = mapped_column(String(2000))
    workbook: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    submitted_at: Mapped[dt.datetime]
    submitted_by: Mapped[str] = mapped_column(String(200))
