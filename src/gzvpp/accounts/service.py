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

from gzkit.errors import Conflict
from gzkit.pagination import PaginationParams, paginate
from gzvpp.accounts.schemas import Access, IssuedToken, TokenStatus, TokenView, UserView
from gzvpp.kit.auth import ACCOUNTS, Actor, issue_token
from gzvpp.kit.policy import closed_read_period, token_ttl
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
    return _views(session, [ACCOUNTS.user(session, user_id)], now)[0]


def disable_user(
    session: Session, by: str, now: dt.datetime, user_id: int, *, acting_user_id: int | None = None
) -> UserView:
    """Stop every token of the user at once (they answer 401 until it is enabled again).

    Raises
    ------
    Conflict
        Already disabled, or the acting user would disable itself.
    """
    user = ACCOUNTS.user(session, user_id)
    if user.id == acting_user_id:
        raise Conflict("不能停用自己的账户 / you cannot disable your own account")
    ACCOUNTS.set_disabled(session, by, now, user, True)
    return get_user(session, now, user.id)


def enable_user(session: Session, by: str, now: dt.datetime, user_id: int) -> UserView:
    """Accept the user's valid tokens again (revoked and expired ones stay so)."""
    ACCOUNTS.set_disabled(session, by, now, ACCOUNTS.user(session, user_id), False)
    return get_user(session, now, user_id)


def revoke_token(
    session: Session, by: str, now: dt.datetime, token_id: int, *, user_id: int | None = None
) -> TokenView:
    """Revoke one token; with ``user_id``, only if it is that user's
    (:meth:`gzkit.accounts.Accounts.revoke_token`)."""
    return _token_view(ACCOUNTS.revoke_token(session, by, now, token_id, user_id), now)


def issue(
    session: Session, by: str, now: dt.datetime, user_id: int, *, ttl_days: int | None = None
) -> IssuedToken:
    """A new token for the user, valid ``ttl_days`` (default: the platform's token lifetime);
    its other tokens stay as they are."""
    user = ACCOUNTS.user(session, user_id)
    expires_at = None if ttl_days is None else now + dt.timedelta(days=ttl_days)
    stored, secret = issue_token(session, user, at=now, expires_at=expires_at, actor=by)
    return IssuedToken(**_token_view(stored, now).model_dump(), token=secret, user_id=user.id)


def rotate(
    session: Session, by: str, now: dt.datetime, user_id: int, *, ttl_days: int | None = None
) -> tuple[IssuedToken, list[int]]:
    """Issue the user a new token and revoke every other one not yet revoked; the new token and
    the ids revoked."""
    user = ACCOUNTS.user(session, user_id)
    lifetime = token_ttl() if ttl_days is None else dt.timedelta(days=ttl_days)
    stored, secret, revoked = ACCOUNTS.rotate(session, by, now, user, now + lifetime)
    view = _token_view(stored, now)
    return IssuedToken(**view.model_dump(), token=secret, user_id=user.id), revoked
