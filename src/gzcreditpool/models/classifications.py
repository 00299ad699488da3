"""``classifications``: each loan's risk classification over time (第十六条, 贷款风险分类)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gzcreditpool.kit.db import Base


class Classification(Base):
    __tablename__ = "classifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    category: Mapped[str] = mapped_column(String(4))  # 正常 关注 次级 可疑 损失
    as_of: Mapped[dt.date]
    recorded_at: Mapped[dt.datetime]
