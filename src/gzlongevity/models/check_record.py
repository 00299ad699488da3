"""``check_records``: home visits, neighbour visits, calls and data comparisons (第十九条)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class CheckKind(StrEnum):
    """The checks of 第十九条."""

    HOME_VISIT = "home_visit"  # 入户调查
    NEIGHBOUR = "neighbour"  # 邻里访问
    PHONE = "phone"  # 电话询访
    DATA = "data"  # 数据比对


class CheckRecord(Base):
    """One check of one person; a failed one stops payment from the next month."""

    __tablename__ = "check_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id_number"), index=True)
    kind: Mapped[CheckKind] = mapped_column(enum_type(CheckKind, "kind"))
    checked_on: Mapped[dt.date]
    passed: Mapped[bool]
    note: Mapped[str] = mapped_column(Text, default="")
    officer: Mapped[str] = mapped_column(String(200))
