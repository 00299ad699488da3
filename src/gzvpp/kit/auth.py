"""Bearer-token authentication and role checks.

A token is ``gzvpp_`` plus 43 random URL-safe characters, shown once when it is issued; the
database keeps only its SHA-256 and its first 12 characters (to tell tokens apart). Each token
belongs to a platform user with one :class:`Role`; aggregator and power-user tokens are scoped
to their participant and see nothing else.

A person's password sign-in (:mod:`gzvpp.accounts.passwords`) opens a token of kind
``session`` that expires after ``GZVPP_SESSION_HOURS``; it is checked here like any other.

A token is accepted until it expires (``GZVPP_TOKEN_TTL_DAYS`` after issue, default 90 days), is
revoked, or its user is disabled; then it answers 401. The users of a rejected participant may
no longer write (403) and may read for ``GZVPP_CLOSED_READ_DAYS`` after the rejection (default
180 days; :mod:`gzvpp.kit.policy`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gzkit.accounts import Accounts
from gzkit.audit import snapshot
from gzkit.auth import hash_token, request_token
from gzkit.db import SessionDep, session_scope
from gzkit.errors import Forbidden, Invalid, NotFound, Unauthorized
from gzvpp.core.model import ParticipantKind
from gzvpp.kit.audit import record
from gzvpp.kit.policy import closed_read_period, token_ttl
from gzvpp.models import (
    ApiToken,
    Participant,
    ParticipantStatus,
    PlatformUser,
    Role,
    TokenKind,
)

TOKEN_PREFIX = "gzvpp_"
TOKEN_COOKIE = "gzvpp_token"  # set by the web console's sign-in (httpOnly, SameSite=Strict)
ROLE_KIND = {Role.AGGREGATOR: ParticipantKind.AGGREGATOR, Role.POWER_USER: ParticipantKind.USER}
# last_used_at is written at most this often per token, so reads do not write on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
logger = logging.getLogger(__name__)
ACCOUNTS: Accounts[PlatformUser, ApiToken] = Accounts(
    PlatformUser, ApiToken, "user_id", TOKEN_PREFIX, record, "platform_user", "api_token",
    "api_token",
)  # fmt: skip


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


def create_user(
    session: Session,
    *,
    name: str,
    role: Role,
    participant_id: str | None,
    at: dt.datetime,
    actor: str = "cli",
    expires_at: dt.datetime | None = None,
) -> tuple[PlatformUser, str]:
    """Create a platform user with one token; return the user and the token (shown only now).

    The token expires at ``expires_at``, by default the token lifetime after ``at``.

    Raises
    ------
    Invalid
        A participant given to, or missing from, a role that needs one; a participant of the
        wrong kind for the role.
    NotFound
        No such participant.
    """
    if role.participant_scoped != (participant_id is not None):
        need = ("须指定", "needs a") if role.participant_scoped else ("不能指定", "takes no")
        raise Invalid(
            f"角色 {role.value} {need[0]}参与者 / role {role.value} {need[1]} participant",
            "participant",
        )
    if participant_id is not None:
        participant = session.get(Participant, participant_id)
        if participant is None:
            raise NotFound(f"没有参与者 {participant_id} / participant {participant_id} not found")
        if participant.kind is not ROLE_KIND[role]:
            raise Invalid(
                f"参与者 {participant_id} 的类型是 {participant.kind.value}，角色 {role.value} "
                f"须为 {ROLE_KIND[role].value} / participant {participant_id} is a "
                f"{participant.kind.value}; role {role.value} needs a {ROLE_KIND[role].value}",
                "participant",
            )
    user = PlatformUser(name=name, role=role, participant_id=participant_id, created_at=at)
    session.add(user)
    session.flush()
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
    _, token = issue_token(session, user, at=at, expires_at=expires_at, actor=actor)
    return user, token


def issue_token(
    session: Session,
    user: PlatformUser,
    *,
    at: dt.datetime,
    expires_at: dt.datetime | None = None,
    actor: str = "cli",
    kind: TokenKind = TokenKind.API,
) -> tuple[ApiToken, str]:
    """Add a new token of ``kind`` for ``user``, audited; return it stored and in clear (the
    only time the clear text is seen). It expires at ``expires_at``, by default the token
    lifetime after ``at``.

    Raises
    ------
    Invalid
        ``expires_at`` not after ``at``.
    """
    expires_at = at + token_ttl() if expires_at is None else expires_at
    if expires_at <= at:
        raise Invalid(
            f"到期时间 {_stamp(expires_at)} 须晚于签发时间 {_stamp(at)} / "
            f"expiry {expires_at.isoformat()} is not after issue {at.isoformat()}"
        )
    return ACCOUNTS.issue_token(session, user, at=at, expires_at=expires_at, by=actor, kind=kind)


_bearer = HTTPBearer(auto_error=False, description="A token from `gzvpp user add`.")


def _stamp(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def authenticate(
    session: Session, token: str, now: dt.datetime, *, write: bool
) -> tuple[Actor, int | None]:
    """The actor ``token`` belongs to, if it may read (or with ``write``, change) now; and the
    token's id when its use is due to be recorded (:func:`record_use`), else None.

    Raises
    ------
    Unauthorized
        No such token, or it is revoked or expired, or its user is disabled.
    Forbidden
        The user's participant was rejected: no writing at all, reading only within the
        policy's period after the rejection.
    """
    found = session.scalars(
        select(ApiToken).where(ApiToken.token_sha256 == hash_token(token))
    ).one_or_none()
    if found is None:
        raise Unauthorized("令牌无效 / invalid bearer token")
    user = found.user
    if found.revoked_at is not None:
        raise Unauthorized(
            f"令牌已于 {_stamp(found.revoked_at)} 吊销 / "
            f"token revoked at {found.revoked_at.isoformat()}"
        )
    if user.disabled_at is not None:
        raise Unauthorized(
            f"账户已于 {_stamp(user.disabled_at)} 停用 / "
            f"user account disabled at {user.disabled_at.isoformat()}"
        )
    if found.expires_at <= now:
        raise Unauthorized(
            f"令牌已于 {_stamp(found.expires_at)} 过期，请向广州供电局申请新令牌 / "
            f"token expired at {found.expires_at.isoformat()}; ask the grid operator for a new one"
        )
    if user.participant_id is not None:
        check_participant_open(session, user.participant_id, now, write=write)
    due = found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION
    return Actor(user.id, user.name, user.role, user.participant_id), found.id if due else None


def record_use(factory: sessionmaker[Session], token_id: int, now: dt.datetime) -> None:
    """Set the token's ``last_used_at`` to ``now`` unless it was set within the last minute.

    Run after the response (a background task) in its own short transaction, so a read never
    becomes a write transaction; best effort: a failure is logged, never the caller's error.
    """
    try:
        with session_scope(factory) as session:
            session.execute(
                update(ApiToken)
                .where(
                    ApiToken.id == token_id,
                    or_(
                        ApiToken.last_used_at.is_(None),
                        ApiToken.last_used_at <= now - LAST_USED_RESOLUTION,
                    ),
                )
                .values(last_used_at=now)
            )
    except SQLAlchemyError:
        logger.warning("could not record the use of token #%s", token_id, exc_info=True)


def authenticate_request(
    request: Request, session: Session, background: BackgroundTasks, token: str
) -> Actor:
    """:func:`authenticate` at the app clock's time, a write unless the method is safe; the
    token's use is recorded after the response."""
    now = request.app.state.clock.now()
    actor, due = authenticate(session, token, now, write=request.method not in SAFE_METHODS)
    if due is not None:
        background.add_task(record_use, request.app.state.sessionmaker, due, now)
    return actor


def check_participant_open(
    session: Session, participant_id: str, now: dt.datetime, *, write: bool
) -> None:
    """Refuse a rejected participant's users any write, and reads after the policy's period.

    Raises
    ------
    Forbidden
        As :func:`authenticate` says.
    """
    status, rejected_at = session.execute(
        select(Participant.status, Participant.rejected_at).where(Participant.id == participant_id)
    ).one()
    if status is not ParticipantStatus.REJECTED or rejected_at is None:
        return
    read_until = rejected_at + closed_read_period()
    if now >= read_until:
        raise Forbidden(
            f"参与者 {participant_id} 已于 {_stamp(rejected_at)} 被驳回，查阅期限已于 "
            f"{_stamp(read_until)} 结束 / participant {participant_id} was rejected at "
            f"{rejected_at.isoformat()}; read access ended at {read_until.isoformat()}"
        )
    if write:
        raise Forbidden(
            f"参与者 {participant_id} 已于 {_stamp(rejected_at)} 被驳回，账户只读（至 "
            f"{_stamp(read_until)}） / participant {participant_id} was rejected at "
            f"{rejected_at.isoformat()}; its users may only read, until {read_until.isoformat()}"
        )


def meter_data_actor(
    request: Request,
    session: SessionDep,
    background: BackgroundTasks,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The caller named by the ``Authorization: Bearer`` header, else by the web console's
    cookie; 401 if none, unknown, revoked, expired or disabled; 403 for a rejected
    participant's write (see :func:`authenticate`). A change signed by the cookie alone must
    come from the console's own pages (:mod:`gzkit.csrf`), else 403. The meter data routes
    take any role, the metering identity included; every other route takes
    :func:`current_actor`."""
    token = request_token(request, credentials, TOKEN_COOKIE)
    return authenticate_request(request, session, background, token)


async def current_actor(actor: Annotated[Actor, Depends(meter_data_actor)]) -> Actor:
    """The caller, as :func:`meter_data_actor`; the metering identity, which only sends meter
    data, is refused (403) everywhere else."""
    if actor.role is Role.METERING:
        raise Forbidden(
            "计量系统身份只能上传和读取计量数据 / the metering identity may only send and read "
            "meter data"
        )
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
MeterDataActorDep = Annotated[Actor, Depends(meter_data_actor)]
