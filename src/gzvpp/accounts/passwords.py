"""Passwords for a person's console sign-in; API tokens stay for machines.

A password is stored only as its Argon2id hash (:mod:`gzkit.auth`). ``GZVPP_SIGN_IN_ATTEMPTS``
wrong passwords in a row (default 5) lock the account for ``GZVPP_LOCKOUT_MINUTES`` (default
15); the count and the lock live in the database, so every process of the platform holds to
them. An unknown name, a wrong password and a locked account get one and the same answer, so
the sign-in form does not tell who has an account (the check is the one every system shares,
:meth:`gzkit.accounts.Accounts.check_password`). A sign-in opens a session: a token of kind
``session`` that lasts ``GZVPP_SESSION_HOURS`` (default 8), kept in the console's cookie like
an API token.

Audited: ``platform_user.sign_in``, ``platform_user.sign_in_failed`` (an unknown name under
the name tried), ``platform_user.lockout`` and ``platform_user.password_set``; never a
password or a hash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.auth import check_new_password, hash_password, verify_password
from gzkit.errors import Conflict, Invalid, NotFound, Unauthorized
from gzvpp.kit.audit import record
from gzvpp.kit.auth import ACCOUNTS, Actor, check_participant_open, issue_token
from gzvpp.kit.policy import lockout_period, session_lifetime, sign_in_attempts
from gzvpp.models import ApiToken, PlatformUser, Role, TokenKind


@dataclass(frozen=True)
class SignIn:
    """A person signed in: who, and the session token for the cookie (shown only now)."""

    actor: Actor
    token: str
    expires_at: dt.datetime


def sign_in(session: Session, name: str, password: str, now: dt.datetime) -> SignIn:
    """Check ``password`` for the account ``name`` and open a session: the password check and
    the lockout of :meth:`gzkit.accounts.Accounts.check_password` (the metering identity has
    no console, so never an account there), then the participant's reading period.

    Raises
    ------
    Unauthorized
        :func:`gzkit.auth.sign_in_refusal` for an unknown name, a wrong password or a locked
        account; after a right password, the account being disabled.
    Forbidden
        A rejected participant's user after its reading period.

    The failure count and the audit of a refusal are written to ``session``: the caller
    commits it whether or not this raises.
    """
    user = ACCOUNTS.check_password(
        session, name, password, now, attempts=sign_in_attempts(), lockout=lockout_period(),
        among=PlatformUser.role != Role.METERING,
    )  # fmt: skip
    if user.participant_id is not None:
        check_participant_open(session, user.participant_id, now, write=False)
    label = ACCOUNTS.label(user)
    expires_at = now + session_lifetime()
    stored, token = issue_token(
        session, user, at=now, expires_at=expires_at, actor=label, kind=TokenKind.SESSION
    )
    record(session, label, "platform_user.sign_in", "platform_user", str(user.id), None,
           {"session_token_id": stored.id, "expires_at": expires_at.isoformat()},
           at=now)  # fmt: skip
    actor = Actor(user.id, user.name, user.role, user.participant_id)
    return SignIn(actor, token, expires_at)


def set_password(
    session: Session,
    by: str,
    now: dt.datetime,
    user_id: int,
    password: str,
    *,
    keep_session: int | None = None,
) -> PlatformUser:
    """Give the user ``password`` (new or in place of the old), unlock the account, and end its
    sessions but ``keep_session`` (the token id of the person changing their own).

    Raises
    ------
    NotFound
        No such user.
    Invalid
        The metering identity (it has no console); a password :func:`check_new_password`
        refuses.
    Conflict
        Another user has the same name: the account name must be unique to sign in with.
    """
    user = session.get(PlatformUser, user_id)
    if user is None:
        raise NotFound(f"没有编号为 {user_id} 的用户 / no user #{user_id}")
    if user.role is Role.METERING:
        raise Invalid(
            "计量系统身份不登录控制台，不设密码 / the metering identity has no console password",
            "password",
        )
    check_new_password(password, user.name)
    namesakes = session.scalars(
        select(PlatformUser.id).where(PlatformUser.name == user.name, PlatformUser.id != user.id)
    ).all()
    if namesakes:
        ids = "、".join(f"#{i}" for i in namesakes)
        raise Conflict(
            f"用户 {ids} 也名为 {user.name}，账户名须唯一才能以密码登录 / users {ids} have the "
            f"same name {user.name!r}; an account name must be unique to sign in with"
        )
    before = snapshot(user)
    user.password_hash = hash_password(password)
    user.password_set_at = now
    user.failed_sign_ins, user.locked_until = 0, None
    ended = end_sessions(session, user.id, now, keep=keep_session)
    after = snapshot(user) | {"sessions_ended": ended}
    record(session, by, "platform_user.password_set", "platform_user", str(user.id), before,
           after, at=now)  # fmt: skip
    return user


def change_own_password(
    session: Session,
    actor: Actor,
    now: dt.datetime,
    current: str,
    new: str,
    token_id: int | None,
) -> PlatformUser:
    """A signed-in person's new password; the current one must be given if one is set (a
    person signed in with an API token may set a first one). Other sessions end.

    Raises
    ------
    Unauthorized
        The current password is wrong (it counts towards the lockout: the caller commits
        ``session`` even then).
    Invalid, Conflict
        As :func:`set_password`.
    """
    user = session.get(PlatformUser, actor.user_id)
    assert user is not None  # the actor was just authenticated
    if user.password_hash is not None and not verify_password(user.password_hash, current):
        ACCOUNTS.count_failure(
            session, user, now, attempts=sign_in_attempts(), lockout=lockout_period()
        )
        raise Unauthorized("当前密码不正确 / the current password is wrong")
    return set_password(session, actor.label, now, user.id, new, keep_session=token_id)


def end_sessions(
    session: Session, user_id: int, now: dt.datetime, *, keep: int | None = None
) -> list[int]:
    """Revoke the user's open password-sign-in sessions but ``keep``; their ids."""
    statement = update(ApiToken).where(
        ApiToken.user_id == user_id,
        ApiToken.kind == TokenKind.SESSION,
        ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > now,
    )
    if keep is not None:
        statement = statement.where(ApiToken.id != keep)
    return list(session.scalars(statement.values(revoked_at=now).returning(ApiToken.id)))


def sign_out(session: Session, token_hash: str, now: dt.datetime) -> None:
    """End the password-sign-in session whose token hashes to ``token_hash`` (an API token
    stays valid: it is the machine's, not the browser's)."""
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.token_sha256 == token_hash,
            ApiToken.kind == TokenKind.SESSION,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
