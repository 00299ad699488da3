"""``calls``: 市科技局's calls for partner banks (申报指南, 第二十二条 (一)) and when
applications are taken."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gzcreditpool.kit.db import Base


class Call(Base):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date]
    published_at: Mapped[dt.datetime]
