"""``officer_tokens``: bearer tokens and console sessions, stored only as their SHA-256."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzlongevity.kit.db import Base
from gzlongevity.models.officer import Officer


class OfficerToken(Base):
    """One token of an officer, valid until ``expires_at`` unless revoked first."""

    __tablename__ = "officer_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    officer: Mapped[Officer] = relationship(lazy="joined")
