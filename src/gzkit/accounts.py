"""Users and their tokens, as every system keeps them: a user by number or name, a token
issued (stored only as its SHA-256, :mod:`gzkit.auth`), a user disabled, tokens rotated.

A system binds :class:`Accounts` to its own user and token models, its token prefix, its
audit trail and the entity names its audit log uses; its roles, scopes (participant, district,
bank) and the checks of its bearer tokens stay its own. Every change here writes an audit
record in the caller's transaction: ``<user_entity>.disable``, ``<token_action>.issue`` and
``<token_action>.revoke`` (the revocation saying why: ``revoke`` or ``rotate``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Session

from gzkit.audit import snapshot
from gzkit.auth import display_prefix, hash_token, new_token
from gzkit.db import MAX_ROW_ID
from gzkit.errors import Conflict, NotFound

# The models: a user has ``id``, ``name`` and ``disabled_at``; a token ``id``, ``token_sha256``,
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
