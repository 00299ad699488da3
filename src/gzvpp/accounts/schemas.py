"""Bodies of the accounts API. A token is shown by id and prefix; its secret only once, when
issued."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from gzvpp.models import ParticipantStatus, Role

MAX_TTL_DAYS = 3650


class TokenStatus(StrEnum):
    """Whether a token is accepted now (its user's state aside)."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Access(StrEnum):
    """What a user's valid token may do now."""

    FULL = "full"  # as its role allows
    READ_ONLY = "read_only"  # its participant was rejected; reading within the policy's period
    NONE = "none"  # disabled, or the rejected participant's reading period is over


class TokenView(BaseModel):
    """One token, never its secret."""

    id: int
    prefix: str | None = Field(description="The token's first characters, e.g. gzvpp_Ab3xY9.")
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None = Field(description="Recorded at most once a minute.")
    status: TokenStatus


class UserView(BaseModel):
    """A platform user with its tokens, newest first."""

    id: int
    name: str
    role: Role
    participant_id: str | None
    participant_name: str | None
    participant_status: ParticipantStatus | None
    created_at: dt.datetime
    disabled_at: dt.datetime | None
    access: Access
    password_set_at: dt.datetime | None = Field(description="None: the user has no password.")
    locked_until: dt.datetime | None = Field(
        description="Set while repeated wrong passwords keep the user from signing in."
    )
    open_sessions: int = Field(description="Password sign-ins not yet ended.")
    active_tokens: int
    tokens: list[TokenView] = Field(description="API tokens; sessions are only counted.")


class IssuedToken(TokenView):
    """A new token: ``token`` is its secret, shown only in this answer."""

    token: str
    user_id: int


class IssueRequest(BaseModel):
    """How long the new token is valid; the platform's token lifetime when left out."""

    model_config = ConfigDict(extra="forbid")

    ttl_days: int | None = Field(default=None, ge=1, le=MAX_TTL_DAYS)
