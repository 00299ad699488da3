"""``feeds``: each register or death-record delivery received (第八条, 第十四条, 第十九条)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class Source(StrEnum):
    """Who sends the data."""

    PUBLIC_SECURITY = "public_security"  # 公安户籍: the household register
    HEALTH = "health"  # 卫生健康: death records


class FeedKind(StrEnum):
    """A whole picture or what changed."""

    SNAPSHOT = "snapshot"
    CHANGES = "changes"


class Feed(Base):
    """One delivery: its source and kind, its content's hash, and what it added."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[Source] = mapped_column(enum_type(Source, "source"))
    kind: Mapped[FeedKind] = mapped_column(enum_type(FeedKind, "kind"))
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    received_at: Mapped[dt.datetime]
    received_by: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int]
    new_events: Mapped[int]
    conflicts: Mapped[int] = mapped_column(default=0)
