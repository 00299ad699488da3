"""``api_tokens``: bearer tokens, stored only as their SHA-256 so a database leak reveals none.

Besides the hash a token keeps its first characters (``prefix``, e.g. ``gzvpp_Ab3xY9``) so that
people can tell their tokens apart; they reveal 36 of its 256 random bits, which is no help in
guessing the rest.

A token is either an API token (``api``) for a machine, issued by the grid operator, or the
short-lived session (``session``) a person's password sign-in opens in the console's cookie.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzkit.db import enum_type
from gzvpp.kit.db import Base
from gzvpp.models.platform_user import PlatformUser


class TokenKind(StrEnum):
    """What a token was issued for."""

    API = "api"  # a machine's bearer token, or a person's signed in with it
    SESSION = "session"  # opened by a password sign-in, ends after the session lifetime


class ApiToken(Base):
    """One bearer token of a platform user, valid from ``created_at`` until ``expires_at``
    unless revoked first."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("platform_users.id"), index=True)
    created_at: Mapped[dt.datetime]
    # None only for tokens issued before prefixes were kept (migration 0005).
    prefix: Mapped[str | None] = mapped_column(String(16), default=None)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Updated at most once a minute per token, so reading does not write on every request.
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    kind: Mapped[TokenKind] = mapped_column(
        enum_type(TokenKind, "kind"), default=TokenKind.API, server_default=TokenKind.API.value
    )

    user: Mapped[PlatformUser] = relationship(lazy="joined")
