"""``platform_settings``: small named values the whole platform shares, kept in the database so
that every process reading it (the service, the scheduler, the demo) sees the same one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gzvpp.kit.db import Base


class PlatformSetting(Base):
    """One setting: its key, its value as text, and when it was last written."""

    __tablename__ = "platform_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[dt.datetime]
