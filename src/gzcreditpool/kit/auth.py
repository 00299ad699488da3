"""Users, tokens, password sign-in and the caller of a request.

A token is ``gzcp_`` plus 43 random characters (:mod:`gzkit.auth`), shown once; only its SHA-256
is stored. Each user has one :class:`~gzcreditpool.models.Role`; a bank's users are scoped to
their bank and see nothing of another's (a 404, not a 403: a bank must not learn what others
have). The auditor only reads. A password sign-in opens a ``session`` token that expires after
:data:`SESSION_HOURS`; the console keeps it in an httpOnly cookie.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzcreditpool.kit.audit import record
from gzcreditpool.models import ApiToken, Bank, Role, TokenKind, User
from gzkit.accounts import Accounts
from gzkit.audit import snapshot
from gzkit.auth import (
    check_new_password,
    hash_password,
    hash_token,
    request_token,
    verify_password,
)
from gzkit.db import SessionDep
from gzkit.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized

TOKEN_PREFIX = "gzcp_"
TOKEN_COOKIE = "gzcreditpool_token"
TOKEN_DAYS = 90
SESSION_HOURS = 8
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ACCOUNTS: Accounts[User, ApiToken] = Accounts(
    User, ApiToken, "user_id", TOKEN_PREFIX, record, "user", "api_token", "token",
    {"kind": TokenKind.API},
)  # fmt: skip
ROLE_NAMES = {
    Role.BUREAU: "市科技局",
    Role.TRUSTEE: "受托管理机构",
    Role.BANK: "合作银行",
    Role.AUDITOR: "审计",
}


@dataclass(frozen=True)
class Actor:
    """The authenticated caller of one request."""

    user_id: int
    name: str
    role: Role
    bank_id: int | None

    @property
    def label(self) -> str:
        """How the audit log names this actor."""
        return f"{self.role.value}#{self.user_id} {self.name}"

    def require(self, *roles: Role) -> None:
        """Raise :class:`Forbidden` unless the actor has one of ``roles``."""
        if self.role not in roles:
            allowed = "、".join(ROLE_NAMES[r] for r in roles)
            raise Forbidden(
                f"{ROLE_NAMES[self.role]}不能执行此操作，需要：{allowed} / role {self.role.value} "
                f"may not do this"
            )

    def require_bank(self, bank_id: int, entity: str) -> None:
        """A bank's user asking about another bank's ``entity`` gets :class:`NotFound`."""
        if self.role is Role.BANK and bank_id != self.bank_id:
            raise NotFound(f"没有此{entity} / {entity} not found")

    @property
    def sees_secrets(self) -> bool:
        """Whether the actor may see loan data in full (第十一条 (六)): the bank (its own
        loans), the trustee and 市科技局; never the auditor."""
        return self.role is not Role.AUDITOR


def create_user(
    session: Session,
    *,
    name: str,
    role: Role,
    bank_code: str | None,
    at: dt.datetime,
    actor: str = "cli",
    password: str | None = None,
    expires_at: dt.datetime | None = None,
) -> tuple[User, str]:
    """Create a user with one API token (and a password if given); return both, the token in
    clear for the only time.

    Raises
    ------
    Invalid
        A bank given to, or missing from, a role; a weak password.
    NotFound
        No bank with ``bank_code``.
    Conflict
        The name is taken.
    """
    if (role is Role.BANK) != (bank_code is not None):
        raise Invalid(
            "合作银行账户须指定银行，其他角色不能指定 / a bank user needs a bank, others none",
            "bank",
        )
    bank_id = None
    if bank_code is not None:
        bank_id = session.scalar(select(Bank.id).where(Bank.code == bank_code))
        if bank_id is None:
            raise NotFound(f"没有银行 {bank_code} / bank {bank_code} not found")
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise Conflict(f"账户名 {name} 已被使用 / user name {name} is taken")
    if password is not None:
        check_new_password(password, name)
    user = User(
        name=name,
        role=role,
        bank_id=bank_id,
        password_hash=hash_password(password) if password is not None else None,
        created_at=at,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", str(user.id), None, snapshot(user), at=at)
    token = issue_token(session, user, at, expires_at or at + dt.timedelta(days=TOKEN_DAYS))
    return user, token


def issue_token(
    session: Session,
    user: User,
    at: dt.datetime,
    expires_at: dt.datetime,
    kind: TokenKind = TokenKind.API,
) -> str:
    """A new token of ``kind`` for ``user``, audited; returned in clear."""
    return ACCOUNTS.issue_token(
        session, user, at=at, expires_at=expires_at, by=user.name, kind=kind
    )[1]


def sign_in(session: Session, name: str, password: str, at: dt.datetime) -> str:
    """A session token for ``name`` with ``password``, valid :data:`SESSION_HOURS`: the
    password check and lockout of :meth:`gzkit.accounts.Accounts.check_password` (the caller
    commits the count even when it refuses).

    Raises
    ------
    Unauthorized
        Unknown name, wrong password or locked account (one message for all three); after the
        right password, a disabled account.
    """
    user = ACCOUNTS.check_password(session, name, password, at)
    return issue_token(
        session, user, at, at + dt.timedelta(hours=SESSION_HOURS), kind=TokenKind.SESSION
    )


def sign_out(session: Session, token: str, at: dt.datetime) -> None:
    """Revoke the session ``token`` (an API token stays valid: it was only used to sign in)."""
    stored = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == hash_token(token)))
    if stored is not None and stored.kind is TokenKind.SESSION and stored.revoked_at is None:
        before = snapshot(stored)
        stored.revoked_at = at
        record(
            session,
            stored.user.name,
            "token.revoke",
            "api_token",
            str(stored.id),
            before,
            snapshot(stored),
            at=at,
        )


def change_password(
    session: Session, actor: Actor, current: str, new: str, keep_token: str, at: dt.datetime
) -> None:
    """Set the actor's password to ``new`` after checking ``current`` (not asked for a first
    password); every other session of the person ends (``keep_token``'s goes on).

    Raises
    ------
    Unauthorized
        A wrong current password.
    Invalid
        A weak new password (:func:`gzkit.auth.check_new_password`).
    """
    user = session.get(User, actor.user_id)
    assert user is not None
    if user.password_hash is not None and not verify_password(user.password_hash, current):
        raise Unauthorized("当前密码错误 / wrong current password")
    check_new_password(new, user.name)
    before = snapshot(user)
    user.password_hash = hash_password(new)
    record(
        session, actor.label, "user.password", "user", str(user.id), before, snapshot(user), at=at
    )
    kept = hash_token(keep_token)
    for token in session.scalars(
        select(ApiToken).where(
            ApiToken.user_id == user.id,
            ApiToken.kind == TokenKind.SESSION,
            ApiToken.revoked_at.is_(None),
            ApiToken.token_sha256 != kept,
        )
    ):
        token.revoked_at = at


def authenticate(session: Session, token: str, now: dt.datetime) -> Actor:
    """The actor ``token`` belongs to.

    Raises
    ------
    Unauthorized
        Unknown, revoked or expired token, or a disabled user.
    """
    found = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == hash_token(token)))
    if found is None or found.revoked_at is not None:
        raise Unauthorized("令牌无效或已吊销 / invalid or revoked token")
    if found.expires_at <= now:
        raise Unauthorized(f"令牌已于 {found.expires_at:%Y-%m-%d %H:%M} 过期 / token expired")
    user = found.user
    if user.disabled_at is not None:
        raise Unauthorized("账户已停用 / user disabled")
    return Actor(user.id, user.name, user.role, user.bank_id)


_bearer = HTTPBearer(auto_error=False, description="A token from `gzcreditpool user add`.")


def current_actor(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The caller by ``Authorization: Bearer`` or the console's cookie (a cookie-signed change
    must come from the console's own page, :mod:`gzkit.csrf`); the auditor may only read."""
    token = request_token(request, credentials, TOKEN_COOKIE)
    actor = authenticate(session, token, request.app.state.clock.now())
    if actor.role is Role.AUDITOR and request.method not in SAFE_METHODS:
        raise Forbidden("审计账户只读 / the auditor may only read")
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
