"""Users and their tokens, as every system keeps them: a user by number or name, a token
issued (stored only as its SHA-256, :mod:`gzkit.auth`), a user disabled, tokens rotated, and
the password check of a sign-in with its lockout.

A system binds :class:`Accounts` to its own user and token models, its token prefix, its
audit trail and the entity names its audit log uses; its roles, scopes (participant, district,
bank) and the checks of its bearer tokens stay its own. Every change here writes an audit
record in the caller's transaction: ``<user_entity>.disable``, ``<token_action>.issue`` and
``<token_action>.revoke`` (the revocation saying why: ``revoke`` or ``rotate``), and of a
refused sign-in ``<user_entity>.sign_in_failed`` (why: ``unknown_name``, ``locked`` or
``wrong_password``) and ``<user_entity>.lockout``; never a password or a hash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import DeclarativeBase, Session

from gzkit.audit import snapshot
from gzkit.auth import (
    LOCKOUT,
    SIGN_IN_ATTEMPTS,
    display_prefix,
    hash_password,
    hash_token,
    new_token,
    password_needs_rehash,
    sign_in_refusal,
    verify_password,
)
from gzkit.db import MAX_ROW_ID
from gzkit.errors import Conflict, NotFound, Unauthorized

# The models: a user has ``id``, ``name``, ``role`` (an enum), ``disabled_at``,
# ``password_hash``, ``failed_sign_ins`` and ``locked_until``; a token ``id``, ``token_sha256``,
# ``prefix``, ``created_at``, ``expires_at``, ``revoked_at`` and the ``owner`` column.
U = TypeVar("U", bound=DeclarativeBase)
T = TypeVar("T", bound=DeclarativeBase)


def stamp(moment: dt.datetime) -> str:
    """A stored time as people read it in messages: ``YYYY-MM-DD HH:MM``."""
    return f"{moment:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class Accounts(Generic[U, T]):
    """One system's users and tokens.

    Parameters
    ----------
    user_model, token_model : type
        The ORM models; the token model has a column ``owner`` naming its user's id.
    owner : str
        That column: ``user_id`` or ``officer_id``.
    prefix : str
        The system's token prefix (``gzvpp_``, ``gzlv_``, ``gzcp_``).
    record : callable
        The system's :meth:`gzkit.audit.AuditTrail.record`.
    user_entity, token_entity : str
        The audit log's names of the two tables (``platform_user``, ``api_token``, …).
    token_action : str
        The audit actions' prefix for tokens: ``<token_action>.issue`` and ``.revoke``.
    api_token : mapping
        The columns of an API token (as against a session's) where the model needs them,
        e.g. its kind.
    """

    user_model: type[U]
    token_model: type[T]
    owner: str
    prefix: str
    record: Callable[..., None]
    user_entity: str
    token_entity: str
    token_action: str
    api_token: Mapping[str, Any] = field(default_factory=dict)

    def user(self, session: Session, user_id: int) -> U:
        """The user numbered ``user_id``.

        Raises
        ------
        NotFound
            No such user.
        """
        user = session.get(self.user_model, user_id) if 0 < user_id <= MAX_ROW_ID else None
        if user is None:
            raise NotFound(f"没有编号为 {user_id} 的用户 / no user #{user_id}")
        return user

    def find_user(self, session: Session, ref: str) -> U:
        """The user whose number (digits) or exact name is ``ref``.

        Raises
        ------
        NotFound
            No such user.
        Conflict
            Several users have that name (give the number).
        """
        ref = ref.strip()
        if ref.isdigit():
            return self.user(session, int(ref))
        model: Any = self.user_model
        users = session.scalars(select(model).where(model.name == ref).order_by(model.id)).all()
        if not users:
            raise NotFound(f"没有名为 {ref} 的用户 / no user named {ref!r}")
        if len(users) > 1:
            ids = ", ".join(f"#{u.id}" for u in users)
            raise Conflict(
                f"有多个名为 {ref} 的用户（{ids}），请给出编号 / several users named {ref!r}: {ids}"
            )
        return cast(U, users[0])

    def token(self, session: Session, secret: str) -> T | None:
        """The stored token whose clear text is ``secret``, if any."""
        model: Any = self.token_model
        return session.scalar(select(model).where(model.token_sha256 == hash_token(secret)))

    def issue_token(
        self,
        session: Session,
        user: U,
        *,
        at: dt.datetime,
        expires_at: dt.datetime,
        by: str,
        **columns: Any,
    ) -> tuple[T, str]:
        """A new token for ``user`` valid until ``expires_at`` (with ``columns``, e.g. its
        kind), audited; the stored token and its clear text, seen only now."""
        secret = new_token(self.prefix)
        stored: Any = self.token_model(
            token_sha256=hash_token(secret),
            prefix=display_prefix(secret, self.prefix),
            created_at=at,
            expires_at=expires_at,
            **{self.owner: cast(Any, user).id},
            **({**self.api_token, **columns}),
        )
        session.add(stored)
        session.flush()
        self.record(
            session, by, f"{self.token_action}.issue", self.token_entity, str(stored.id),
            None, snapshot(stored), at=at,
        )  # fmt: skip
        return stored, secret

    def revoke(self, session: Session, by: str, now: dt.datetime, token: T, why: str) -> None:
        """Revoke ``token`` now, audited with the reason ``why``."""
        before = snapshot(token)
        cast(Any, token).revoked_at = now
        after = snapshot(token) | {"reason": why}
        self.record(
            session, by, f"{self.token_action}.revoke", self.token_entity, str(cast(Any, token).id),
            before, after, at=now,
        )  # fmt: skip

    def revoke_token(
        self, session: Session, by: str, now: dt.datetime, token_id: int, user_id: int | None = None
    ) -> T:
        """Revoke the token numbered ``token_id`` (with ``user_id``, only if it is that user's).

        Raises
        ------
        NotFound
            No such token (of that user).
        Conflict
            Already revoked.
        """
        token: Any = session.get(self.token_model, token_id) if 0 < token_id <= MAX_ROW_ID else None
        if token is None or (user_id is not None and getattr(token, self.owner) != user_id):
            raise NotFound(f"没有编号为 {token_id} 的令牌 / no token #{token_id}")
        if token.revoked_at is not None:
            raise Conflict(
                f"令牌 #{token.id} 已于 {stamp(token.revoked_at)} 吊销 / token #{token.id} "
                "is already revoked"
            )
        self.revoke(session, by, now, token, "revoke")
        return cast(T, token)

    def rotate(
        self, session: Session, by: str, now: dt.datetime, user: U, expires_at: dt.datetime
    ) -> tuple[T, str, list[int]]:
        """Revoke every token of ``user`` not yet revoked and issue a new one valid until
        ``expires_at``: the new token stored and in clear, and the ids revoked."""
        model: Any = self.token_model
        old = session.scalars(
            select(model)
            .where(getattr(model, self.owner) == cast(Any, user).id, model.revoked_at.is_(None))
            .order_by(model.id)
        ).all()
        for token in old:
            self.revoke(session, by, now, token, "rotate")
        stored, secret = self.issue_token(session, user, at=now, expires_at=expires_at, by=by)
        return stored, secret, [token.id for token in old]

    def set_disabled(self, session: Session, by: str, now: dt.datetime, user: U, on: bool) -> U:
        """Disable ``user`` (``on``: its tokens answer 401 from now on) or enable it again,
        audited as ``<user_entity>.disable`` / ``.enable``.

        Raises
        ------
        Conflict
            Already disabled, or (enabling) not disabled.
        """
        row: Any = user
        if on and row.disabled_at is not None:
            raise Conflict(
                f"用户 #{row.id} 已于 {stamp(row.disabled_at)} 停用 / user #{row.id} is "
                "already disabled"
            )
        if not on and row.disabled_at is None:
            raise Conflict(f"用户 #{row.id} 未停用 / user #{row.id} is not disabled")
        before = snapshot(user)
        row.disabled_at = now if on else None
        action = f"{self.user_entity}.{'disable' if on else 'enable'}"
        self.record(
            session, by, action, self.user_entity, str(row.id), before, snapshot(user), at=now
        )
        return user

    def label(self, user: U) -> str:
        """How the audit log names ``user`` acting: ``<role>#<id> <name>``."""
        row: Any = user
        return f"{row.role.value}#{row.id} {row.name}"

    def check_password(
        self,
        session: Session,
        name: str,
        password: str,
        now: dt.datetime,
        *,
        attempts: int = SIGN_IN_ATTEMPTS,
        lockout: dt.timedelta = LOCKOUT,
        among: ColumnElement[bool] | None = None,
    ) -> U:
        """The user with a password named ``name`` (stripped; ``among`` those matching
        ``among``, if given), if ``password`` is theirs: the part of a password sign-in every
        system shares; the system then adds its own checks and opens its session.

        The password is checked even for an unknown name or a locked account, so that the
        answer takes as long whoever is asked about. A wrong password counts towards the
        lockout (:meth:`count_failure`); a right one resets the count and renews the hash if
        the hashing library's defaults moved on.

        Raises
        ------
        Unauthorized
            :func:`gzkit.auth.sign_in_refusal`, the same for an unknown name, a wrong password
            and a locked account; after the right password, the account being disabled.

        The failure count and the audit of a refusal are written to ``session``: the caller
        commits it whether or not this raises.
        """
        model: Any = self.user_model
        name = name.strip()
        query = select(model).where(model.name == name, model.password_hash.is_not(None))
        user: Any = session.scalars(query if among is None else query.where(among)).one_or_none()
        right = verify_password(None if user is None else user.password_hash, password)
        failed = f"{self.user_entity}.sign_in_failed"
        if user is None:
            self.record(session, "anonymous", failed, self.user_entity, "", None,
                        {"name": name[:200], "reason": "unknown_name"}, at=now)  # fmt: skip
            raise sign_in_refusal(attempts, lockout)
        if user.locked_until is not None and user.locked_until > now:
            self.record(session, self.label(user), failed, self.user_entity, str(user.id), None,
                        {"reason": "locked", "locked_until": user.locked_until.isoformat()},
                        at=now)  # fmt: skip
            raise sign_in_refusal(attempts, lockout)
        if not right:
            self.count_failure(session, user, now, attempts=attempts, lockout=lockout)
            raise sign_in_refusal(attempts, lockout)
        if user.disabled_at is not None:
            raise Unauthorized(
                f"账户已于 {stamp(user.disabled_at)} 停用 / user account disabled at "
                f"{user.disabled_at.isoformat()}"
            )
        if password_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.failed_sign_ins, user.locked_until = 0, None
        return cast(U, user)

    def count_failure(
        self,
        session: Session,
        user: U,
        now: dt.datetime,
        *,
        attempts: int = SIGN_IN_ATTEMPTS,
        lockout: dt.timedelta = LOCKOUT,
    ) -> None:
        """One more wrong password of ``user``, audited as ``<user_entity>.sign_in_failed``;
        the ``attempts``-th in a row locks the account for ``lockout`` (audited as
        ``<user_entity>.lockout``) and starts the count again."""
        row: Any = user
        label, entity_id = self.label(user), str(row.id)
        row.failed_sign_ins += 1
        after = {"reason": "wrong_password", "failed_sign_ins": row.failed_sign_ins}
        self.record(session, label, f"{self.user_entity}.sign_in_failed", self.user_entity,
                    entity_id, None, after, at=now)  # fmt: skip
        if row.failed_sign_ins >= attempts:
            row.failed_sign_ins, row.locked_until = 0, now + lockout
            self.record(session, label, f"{self.user_entity}.lockout", self.user_entity,
                        entity_id, None, {"locked_until": row.locked_until.isoformat()},
                        at=now)  # fmt: skip
