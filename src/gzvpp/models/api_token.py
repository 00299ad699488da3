"""``api_tokens``: bearer tokens, stored only as their SHA-256 so a database leak reveals none."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzvpp.kit.db import Base
from gzvpp.models.platform_user import PlatformUser


class ApiToken(Base):
    """One bearer token of a platform user."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("platform_users.id"), index=True)
    created_at: Mapped[dt.datetime]

    user: Mapped[PlatformUser] = relationship(lazy="joined")
