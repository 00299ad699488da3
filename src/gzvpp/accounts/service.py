"""Managing platform users and their API tokens (the grid operator, or the command line);
passwords are :mod:`gzvpp.accounts.passwords`.

Every change writes an audit record in the same transaction: ``platform_user.disable`` /
``platform_user.enable`` with the user before and after, ``api_token.issue`` and
``api_token.revoke`` with the token (never its hash). A rotation is one issue plus one revoke
per token that was still valid, each saying ``rotate``.

Functions take ``by``, the audit label of who acts: :func:`operator` checks that an API or
console actor is the grid operator and gives its label; the command line passes ``"cli"``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.db import MAX_ROW_ID
from gzkit.errors import Conflict, NotFound
from gzkit.pagination import PaginationParams, paginate
from gzvpp.accounts.schemas import Access, IssuedToken, TokenStatus, TokenView, UserView
from gzvpp.kit.audit import record
from gzvpp.kit.auth import Actor, issue_token
from gzvpp.kit.policy import closed_read_period
from gzvpp.models import (
    ApiToken,
    Participant,
    ParticipantStatus,
    PlatformUser,
    Role,
    TokenKind,
)


def operator(actor: Actor) -> str:
    """``actor``'s audit label if it is the grid operator; 403 otherwise."""
    actor.require(Role.GRID_OPERATOR)
    return actor.label


def find_user(session: Session, ref: str) -> PlatformUser:
    """The user whose id (digits) or exact name is ``ref``.

    Raises
    ------
    NotFound
        No such user.
    Conflict
        Several users have that name (give the id).
    """
    ref = ref.strip()
    if ref.isdigit():
        return _user(session, int(ref))
    users = session.scalars(
        select(PlatformUser).where(PlatformUser.name == ref).order_by(PlatformUser.id)
    ).all()
    if not users:
        raise NotFound(f"没有名为 {ref} 的用户 / no user named {ref!r}")
    if len(users) > 1:
        ids = ", ".join(f"#{u.id}" for u in users)
        raise Conflict(
            f"有多个名为 {ref} 的用户（{ids}），请给出编号 / several users named {ref!r}: {ids}"
        )
    return users[0]


def _user(session: Session, user_id: int) -> PlatformUser:
    user = session.get(PlatformUser, user_id) if 0 < user_id <= MAX_ROW_ID else None
    if user is None:
        raise NotFound(f"没有编号为 {user_id} 的用户 / no user #{user_id}")
    return user


def token_status(token: ApiToken, now: dt.datetime) -> TokenStatus:
    """Revoked, expired or active at ``now``."""
    if token.revoked_at is not None:
        return TokenStatus.REVOKED
    return TokenStatus.EXPIRED if token.expires_at <= now else TokenStatus.ACTIVE


def _token_view(token: ApiToken, now: dt.datetime) -> TokenView:
    return TokenView(
        id=token.id,
        prefix=token.prefix,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
        status=token_status(token, now),
    )


def _access(user: PlatformUser, participant: Participant | None, now: dt.datetime) -> Access:
    if user.disabled_at is not None:
        return Access.NONE
    if participant is None or participant.status is not ParticipantStatus.REJECTED:
        return Access.FULL
    rejected_at = participant.rejected_at or now
    return Access.READ_ONLY if now < rejected_at + closed_read_period() else Access.NONE


def _views(session: Session, users: Sequence[PlatformUser], now: dt.datetime) -> list[UserView]:
    """Users with their tokens and participants, in four queries whatever their number."""
    user_ids = [u.id for u in users]
    tokens: defaultdict[int, list[ApiToken]] = defaultdict(list)
    for token in session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id.in_(user_ids), ApiToken.kind == TokenKind.API)
        .order_by(ApiToken.id.desc())
    ):
        tokens[token.user_id].append(token)
    open_sessions = select(ApiToken.user_id, func.count()).where(
        ApiToken.user_id.in_(user_ids),
        ApiToken.kind == TokenKind.SESSION,
        ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > now,
    )
    sessions = {
        user_id: count
        for user_id, count in session.execute(open_sessions.group_by(ApiToken.user_id))
    }
    participant_ids = {u.participant_id for u in users if u.participant_id is not None}
    participants = {
        p.id: p
        for p in session.scalars(select(Participant).where(Participant.id.in_(participant_ids)))
    }
    views = []
    for user in users:
        participant = participants.get(user.participant_id) if user.participant_id else None
        shown = [_token_view(t, now) for t in tokens[user.id]]
        views.append(
            UserView(
                id=user.id,
                name=user.name,
                role=user.role,
                participant_id=user.participant_id,
                participant_name=participant.name if participant else None,
                participant_status=participant.status if participant else None,
                created_at=user.created_at,
                disabled_at=user.disabled_at,
                access=_access(user, participant, now),
                password_set_at=user.password_set_at,
                locked_until=user.locked_until
                if user.locked_until and user.locked_until > now
                else None,
                open_sessions=sessions.get(user.id, 0),
                active_tokens=sum(t.status is TokenStatus.ACTIVE for t in shown),
                tokens=shown,
            )
        )
    return views


def list_users(
    session: Session,
    now: dt.datetime,
    pagination: PaginationParams | None = None,
    *,
    query: str | None = None,
    role: Role | None = None,
) -> tuple[list[UserView], int]:
    """Users by id, with their tokens; ``query`` matches part of the name or the exact
    participant id; all of them when ``pagination`` is None."""
    statement = select(PlatformUser).order_by(PlatformUser.id)
    if query:
        statement = statement.where(
            or_(PlatformUser.name.contains(query), PlatformUser.participant_id == query)
        )
    if role is not None:
        statement = statement.where(PlatformUser.role == role)
    if pagination is None:
        users = session.scalars(statement).all()
        return _views(session, users, now), len(users)
    users, total = paginate(session, statement, pagination)
    return _views(session, users, now), total


def get_user(session: Session, now: dt.datetime, user_id: int) -> UserView:
    """One user with its tokens."""
    return _views(session, [_user(session, user_id)], now)[0]


def disable_user(
    session: Session, by: str, now: dt.datetime, user_id: int, *, acting_user_id: int | None = None
) -> UserView:
    """Stop every token of the user at once (they answer 401 until it is enabled again).

    Raises
    ------
    Conflict
        Already disabled, or the acting user would disable itself.
    """
    user = _user(session, user_id)
    if user.id == acting_user_id:
        raise Conflict("不能停用自己的账户 / you cannot disable your own account")
    if user.disabled_at is not None:
        raise Conflict(
            f"用户 #{user.id} 已于 {user.disabled_at:%Y-%m-%d %H:%M} 停用 / user #{user.id} is "
            "already disabled"
        )
    return _set_disabled(session, by, now, user, now)


def enable_user(session: Session, by: str, now: dt.datetime, user_id: int) -> UserView:
    """Accept the user's valid tokens again (revoked and expired ones stay so)."""
    user = _user(session, user_id)
    if user.disabled_at is None:
        raise Conflict(f"用户 #{user.id} 未停用 / user #{user.id} is not disabled")
    return _set_disabled(session, by, now, user, None)


def _set_disabled(
    session: Session, by: str, now: dt.datetime, user: PlatformUser, at: dt.datetime | None
) -> UserView:
    before = snapshot(user)
    user.disabled_at = at
    action = "platform_user.disable" if at else "platform_user.enable"
    record(session, by, action, "platform_user", str(user.id), before, snapshot(user), at=now)
    return get_user(session, now, user.id)


def _revoke(session: Session, by: str, now: dt.datetime, token: ApiToken, why: str) -> None:
    before = snapshot(token)
    token.revoked_at = now
    after = snapshot(token) | {"reason": why}
    record(session, by, "api_token.revoke", "api_token", str(token.id), before, after, at=now)


def revoke_token(
    session: Session, by: str, now: dt.datetime, token_id: int, *, user_id: int | None = None
) -> TokenView:
    """Revoke one token; with ``user_id``, only if it is that user's.

    Raises
    ------
    NotFound
        No such token (of that user).
    Conflict
        Already revoked.
    """
    token = session.get(ApiToken, token_id) if 0 < token_id <= MAX_ROW_ID else None
    if token is None or (user_id is not None and token.user_id != user_id):
        raise NotFound(f"没有编号为 {token_id} 的令牌 / no token #{token_id}")
    if token.revoked_at is not None:
        raise Conflict(
            f"令牌 #{token.id} 已于 {token.revoked_at:%Y-%m-%d %H:%M} 吊销 / token #{token.id} "
            "is already revoked"
        )
    _revoke(session, by, now, token, "revoke")
    return _token_view(token, now)


def issue(
    session: Session, by: str, now: dt.datetime, user_id: int, *, ttl_days: int | None = None
) -> IssuedToken:
    """A new token for the user, valid ``ttl_days`` (default: the platform's token lifetime);
    its other tokens stay as they are."""
    user = _user(session, user_id)
    expires_at = None if ttl_days is None else now + dt.timedelta(days=ttl_days)
    stored, secret = issue_token(session, user, at=now, expires_at=expires_at, actor=by)
    return IssuedToken(**_token_view(stored, now).model_dump(), token=secret, user_id=user.id)


def rotate(
    session: Session, by: str, now: dt.datetime, user_id: int, *, ttl_days: int | None = None
) -> tuple[IssuedToken, list[int]]:
    """Issue the user a new token and revoke every other one not yet revoked; the new token and
    the ids revoked."""
    user = _user(session, user_id)
    old = session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    ).all()
    for token in old:
        _revoke(session, by, now, token, "rotate")
    return issue(session, by, now, user.id, ttl_days=ttl_days), [t.id for t in old]
