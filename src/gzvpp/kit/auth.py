"""Bearer-token authentication and role checks.

A token is ``gzvpp_`` plus 43 random URL-safe characters, shown once when it is issued; the
database keeps only its SHA-256. Each token belongs to a platform user with one :class:`Role`;
aggregator and power-user tokens are scoped to their participant and see nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzvpp.core.model import ParticipantKind
from gzvpp.kit import csrf
from gzvpp.kit.audit import record, snapshot
from gzvpp.kit.db import SessionDep
from gzvpp.kit.errors import Forbidden, Invalid, NotFound, Unauthorized
from gzvpp.models import ApiToken, Participant, PlatformUser, Role

TOKEN_PREFIX = "gzvpp_"
TOKEN_COOKIE = "gzvpp_token"  # set by the web console's sign-in (httpOnly, SameSite=Strict)
ROLE_KIND = {Role.AGGREGATOR: ParticipantKind.AGGREGATOR, Role.POWER_USER: ParticipantKind.USER}


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of one request."""

    user_id: int
    name: str
    role: Role
    participant_id: str | None

    @property
    def label(self) -> str:
        """How the audit log names this actor."""
        return f"{self.role.value}#{self.user_id} {self.name}"

    def require(self, *roles: Role) -> None:
        """Raise :class:`Forbidden` unless the actor has one of ``roles``."""
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"role {self.role.value} may not do this; it needs: {allowed}")

    def require_participant(self, participant_id: str, entity: str = "participant") -> None:
        """Raise :class:`NotFound` if a participant-scoped actor asks about another participant.

        Not 403: a scoped token must not learn whether other participants exist.
        """
        if self.role.participant_scoped and participant_id != self.participant_id:
            raise NotFound(f"{entity} {participant_id} not found")


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    *,
    name: str,
    role: Role,
    participant_id: str | None,
    at: dt.datetime,
    actor: str = "cli",
) -> tuple[PlatformUser, str]:
    """Create a platform user with one token; return the user and the token (shown only now).

    Raises
    ------
    Invalid
        A participant given to, or missing from, a role that needs one; a participant of the
        wrong kind for the role.
    NotFound
        No such participant.
    """
    if role.participant_scoped != (participant_id is not None):
        need = "needs a" if role.participant_scoped else "takes no"
        raise Invalid(f"role {role.value} {need} participant", "participant")
    if participant_id is not None:
        participant = session.get(Participant, participant_id)
        if participant is None:
            raise NotFound(f"participant {participant_id} not found")
        if participant.kind is not ROLE_KIND[role]:
            raise Invalid(
                f"participant {participant_id} is a {participant.kind.value}; "
                f"role {role.value} needs a {ROLE_KIND[role].value}",
                "participant",
            )
    user = PlatformUser(name=name, role=role, participant_id=participant_id, created_at=at)
    session.add(user)
    session.flush()
    token = issue_token(session, user, at=at)
    record(
        session,
        actor,
        "platform_user.create",
        "platform_user",
        str(user.id),
        None,
        snapshot(user),
        at=at,
    )
    return user, token


def issue_token(session: Session, user: PlatformUser, *, at: dt.datetime) -> str:
    """Add a new token for ``user`` and return it in clear (the only time it is seen)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(token_sha256=hash_token(token), user_id=user.id, created_at=at))
    return token


_bearer = HTTPBearer(auto_error=False, description="A token from `gzvpp user add`.")


def actor_for_token(session: Session, token: str) -> Actor | None:
    """The actor a token belongs to, or None if no such token is stored."""
    found = session.scalars(
        select(ApiToken).where(ApiToken.token_sha256 == hash_token(token))
    ).one_or_none()
    if found is None:
        return None
    user = found.user
    return Actor(user.id, user.name, user.role, user.participant_id)


def current_actor(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The caller named by the ``Authorization: Bearer`` header, else by the web console's
    cookie; 401 if none or unknown. A change signed by the cookie alone must come from the
    console's own pages (:mod:`gzvpp.kit.csrf`), else 403."""
    token = credentials.credentials if credentials else request.cookies.get(TOKEN_COOKIE)
    if token is None:
        raise Unauthorized("missing bearer token (Authorization: Bearer <token>)")
    actor = actor_for_token(session, token)
    if actor is None:
        raise Unauthorized("invalid bearer token")
    if credentials is None and request.method in csrf.UNSAFE_METHODS:
        csrf.check(request, token, request.headers.get(csrf.HEADER))
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
