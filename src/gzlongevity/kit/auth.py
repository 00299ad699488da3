"""Officers, tokens and jurisdiction (第六条, 第七条, 第二十一条, 第二十五条).

A token is ``gzlv_`` plus 43 random characters, stored only as its SHA-256 (:mod:`gzkit.auth`).
An API token comes from ``gzlongevity user add``; a password sign-in in the console opens a
session token of :data:`SESSION_HOURS`. Each officer has one :class:`Role` and, for the
district, street and committee, a jurisdiction: a street sees only the people registered in its
area, a district its district, the city, finance and audit everyone but the military cadres,
the military channel only those (第二十五条).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

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
from gzkit.errors import Forbidden, Invalid, NotFound, Unauthorized
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS
from gzlongevity.kit.audit import record
from gzlongevity.models import Officer, OfficerToken, Person, Role

TOKEN_PREFIX = "gzlv_"
TOKEN_COOKIE = "gzlongevity_token"
API_TOKEN_DAYS = 365
SESSION_HOURS = 8
ACCOUNTS: Accounts[Officer, OfficerToken] = Accounts(
    Officer, OfficerToken, "officer_id", TOKEN_PREFIX, record, "officer", "officer_token", "token"
)
ROLE_NAMES = {
    Role.CITY: "市民政局",
    Role.DISTRICT: "区民政局",
    Role.STREET: "街（镇）",
    Role.COMMITTEE: "村（居）委",
    Role.MILITARY: "退役军人事务部门",
    Role.FINANCE: "财政",
    Role.AUDIT: "审计",
    Role.EXCHANGE: "数据共享交换平台",
}


@dataclass(frozen=True)
class Actor:
    """The signed-in officer of one request, and the month of the request (a move hands a
    person's case to the new street from the month after it became known, L6)."""

    officer_id: int
    name: str
    role: Role
    district: str | None
    street: str | None
    month: int = 0

    @property
    def label(self) -> str:
        """How the audit log names this actor."""
        return f"{self.role.value}#{self.officer_id} {self.name}"

    def require(self, *roles: Role) -> None:
        """Refuse (403) unless the actor has one of ``roles``."""
        if self.role not in roles:
            wanted = "、".join(ROLE_NAMES[role] for role in roles)
            raise Forbidden(
                f"{ROLE_NAMES[self.role]}不能执行此操作（需要：{wanted}） / role "
                f"{self.role.value} may not do this"
            )

    def forbid(self, *roles: Role) -> None:
        """Refuse (403) if the actor has one of ``roles`` (e.g. the committee, which sees
        only what helping elders confirm needs: L8)."""
        if self.role in roles:
            raise Forbidden(
                f"{ROLE_NAMES[self.role]}不能查看此内容 / role {self.role.value} may not see this"
            )

    def sees(self) -> ColumnElement[bool]:
        """The persons this actor may see, as a condition on :class:`Person`: a district or
        street sees the people whose case it holds this month — the new place's from the
        person's ``handover_month``, the old place's until then (第十七条, L6)."""
        if self.role is Role.MILITARY:
            return Person.military.is_(True)
        if self.role in (Role.CITY, Role.FINANCE, Role.AUDIT):
            return Person.military.is_(False)
        if self.role not in (Role.DISTRICT, Role.STREET, Role.COMMITTEE):
            return ~true()
        street = self.role is not Role.DISTRICT
        here = and_(
            Person.district == self.district, *((Person.street == self.street,) if street else ())
        )
        before = and_(
            Person.previous_district == self.district,
            *((Person.previous_street == self.street,) if street else ()),
        )
        handed = or_(Person.handover_month.is_(None), Person.handover_month <= self.month)
        return and_(Person.military.is_(False), or_(and_(here, handed), and_(before, ~handed)))

    def place_condition(self, district: Any, street: Any) -> ColumnElement[bool]:
        """The rows of other tables (by their district and street columns) in the actor's
        jurisdiction; everything for the city-wide roles."""
        if self.role is Role.DISTRICT:
            return and_(district == self.district)
        if self.role in (Role.STREET, Role.COMMITTEE):
            return and_(district == self.district, street == self.street)
        return true()

    def person_condition(self, person_id: Any) -> ColumnElement[bool]:
        """The rows of another table (by their person id column) of people this actor's role
        may see: the military channel its cadres, everyone else all but them (few, so the
        condition stays cheap). Combine with :meth:`place_condition` for the jurisdiction."""
        cadres = select(Person.id_number).where(Person.military.is_(True))
        if self.role is Role.MILITARY:
            return and_(person_id.in_(cadres))
        return and_(person_id.not_in(cadres))

    def covers(self, person: Person) -> bool:
        """Whether ``person`` is in the actor's jurisdiction (as :meth:`sees`)."""
        if self.role is Role.MILITARY:
            return person.military
        if person.military:
            return False
        if self.role in (Role.CITY, Role.FINANCE, Role.AUDIT):
            return True
        if self.role not in (Role.DISTRICT, Role.STREET, Role.COMMITTEE):
            return False
        district, street = person.holder(self.month)
        if self.role is Role.DISTRICT:
            return district == self.district
        return (district, street) == (self.district, self.street)

    def acts_on(self, person: Person) -> bool:
        """Whether the actor is the officer acting on ``person``'s case: the street of the
        person's registration (or the military channel for a cadre), who may see the full ID
        number and bank account (第二十一条)."""
        if self.role is Role.MILITARY:
            return person.military
        return self.role is Role.STREET and self.covers(person)


def person_in_view(session: Session, actor: Actor, id_number: str) -> Person:
    """The person with ``id_number`` if the actor may see them.

    Raises
    ------
    NotFound
        No such person, or outside the actor's jurisdiction (not 403: a street must not learn
        who is registered elsewhere).
    """
    person = session.get(Person, id_number.strip().upper())
    if person is None or not actor.covers(person):
        raise NotFound(f"没有此人：{mask_id(id_number)} / person not found")
    return person


def mask_id(id_number: str) -> str:
    """A 居民身份证号 with only its first 6 and last 4 characters shown (第二十一条)."""
    return id_number[:6] + "*" * max(len(id_number) - 10, 0) + id_number[-4:]


PERSON_KEYS = ("id_number", "person_id")  # where a snapshot holds a person's ID number
ACCOUNT_KEY = "bank_account"  # where a snapshot, or a mapping in it, holds a bank account


def audited(values: dict[str, Any] | None, person: Person) -> dict[str, Any] | None:
    """An audit snapshot (``before``/``after``) naming ``person`` by reference and masked ID
    number, never the full one, and holding bank accounts only masked, also inside a mapping
    such as a change request's values (第二十一条: the log is read by more people than the
    case); ``None`` stays ``None``. The audit row's ``entity_id`` names a person by
    ``person.ref``."""
    if values is None:
        return None
    masked = {key: mask_id(person.id_number) for key in PERSON_KEYS if key in values}
    return _accounts_masked(values) | masked | {"person_ref": person.ref}


def _accounts_masked(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with every bank account, at any depth of mappings, masked."""
    return {
        key: mask_account(value)
        if key == ACCOUNT_KEY
        else _accounts_masked(value)
        if isinstance(value, dict)
        else value
        for key, value in values.items()
    }


def mask_account(account: str | None) -> str | None:
    """A bank account with only its last 4 digits shown."""
    if account is None:
        return None
    return "*" * max(len(account) - 4, 0) + account[-4:]


def create_officer(
    session: Session,
    *,
    name: str,
    role: Role,
    district: str | None,
    street: str | None,
    at: dt.datetime,
    password: str | None = None,
    actor: str = "cli",
    expires_at: dt.datetime | None = None,
) -> tuple[Officer, str]:
    """Create an officer with an API token (and a password, if given); the officer and the
    token, shown only now.

    Raises
    ------
    Invalid
        A district or street missing for a role that has one, given to one that has not, or
        a district that is not one of Guangzhou's; a password the rules refuse.
    """
    name = name.strip()
    if not name:
        raise Invalid("姓名不能为空 / the name may not be empty", "name")
    if role.needs_district != (district is not None):
        raise Invalid(
            f"角色 {role.value} {'须' if role.needs_district else '不能'}指定区 / "
            f"role {role.value} {'needs' if role.needs_district else 'takes no'} district",
            "district",
        )
    if district is not None and district not in GUANGZHOU_DISTRICTS:
        raise Invalid(f"{district} 不是广州市的区划代码 / not a Guangzhou district", "district")
    if role.needs_street != bool(street):
        raise Invalid(
            f"角色 {role.value} {'须' if role.needs_street else '不能'}指定街（镇） / "
            f"role {role.value} {'needs' if role.needs_street else 'takes no'} street",
            "street",
        )
    officer = Officer(name=name, role=role, district=district, street=street or None, created_at=at)
    if password is not None:
        check_new_password(password, name)
        if session.scalar(
            select(Officer.id).where(Officer.name == name, Officer.password_hash.is_not(None))
        ):
            raise Invalid(f"账户名 {name} 已被使用 / the account name is taken", "name")
        officer.password_hash = hash_password(password)
    session.add(officer)
    session.flush()
    record(
        session, actor, "officer.create", "officer", str(officer.id), None, snapshot(officer), at=at
    )
    token = issue_token(session, officer, at, expires_at or at + dt.timedelta(days=API_TOKEN_DAYS))
    return officer, token


def issue_token(
    session: Session, officer: Officer, at: dt.datetime, expires_at: dt.datetime
) -> str:
    """A new token for ``officer`` valid until ``expires_at``, audited; the clear text."""
    return ACCOUNTS.issue_token(session, officer, at=at, expires_at=expires_at, by=officer.name)[1]


def sign_in(session: Session, name: str, password: str, now: dt.datetime) -> str:
    """A session token for the officer named ``name`` if ``password`` is theirs, valid
    :data:`SESSION_HOURS`: the password check and lockout of
    :meth:`gzkit.accounts.Accounts.check_password` (the count is kept in the database, so the
    caller must commit even when this raises).

    Raises
    ------
    Unauthorized
        Unknown name, wrong password or locked account (one message for all: a guesser learns
        nothing); after the right password, a disabled account.
    """
    officer = ACCOUNTS.check_password(session, name, password, now)
    return issue_token(session, officer, now, now + dt.timedelta(hours=SESSION_HOURS))


def authenticate(session: Session, token: str, now: dt.datetime) -> Actor:
    """The actor of ``token``.

    Raises
    ------
    Unauthorized
        Unknown, revoked or expired token, or a disabled officer.
    """
    found = session.scalars(
        select(OfficerToken).where(OfficerToken.token_sha256 == hash_token(token))
    ).one_or_none()
    if found is None or found.revoked_at is not None or found.expires_at <= now:
        raise Unauthorized("令牌无效或已过期 / invalid or expired token")
    officer = found.officer
    if officer.disabled_at is not None:
        raise Unauthorized("账户已停用 / the account is disabled")
    month = now.year * 12 + now.month - 1
    return Actor(officer.id, officer.name, officer.role, officer.district, officer.street, month)


def sign_out(session: Session, token: str, now: dt.datetime) -> None:
    """Revoke the console session ``token``."""
    found = session.scalars(
        select(OfficerToken).where(OfficerToken.token_sha256 == hash_token(token))
    ).one_or_none()
    if found is not None and found.revoked_at is None:
        found.revoked_at = now


_bearer = HTTPBearer(auto_error=False, description="A token from `gzlongevity user add`.")


def _actor(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    token = request_token(request, credentials, TOKEN_COOKIE)
    actor = authenticate(session, token, request.app.state.clock.now())
    if actor.role.read_only and request.method not in ("GET", "HEAD", "OPTIONS"):
        raise Forbidden(f"{ROLE_NAMES[actor.role]}只能查阅 / role {actor.role.value} is read only")
    return actor


ActorDep = Annotated[Actor, Depends(_actor)]


def change_password(
    session: Session, actor: Actor, now: dt.datetime, current: str, new: str
) -> None:
    """Change the actor's own console password (or set a first one on a token-only account).

    Raises
    ------
    Unauthorized
        The current password is wrong.
    Invalid
        The new one breaks the rules (:func:`gzkit.auth.check_new_password`), or another
        account with a password has this name.
    """
    officer = session.get(Officer, actor.officer_id)
    assert officer is not None
    if officer.password_hash is not None and not verify_password(officer.password_hash, current):
        raise Unauthorized("当前密码不正确 / the current password is wrong")
    check_new_password(new, officer.name)
    taken = session.scalar(
        select(Officer.id).where(
            Officer.name == officer.name,
            Officer.password_hash.is_not(None),
            Officer.id != officer.id,
        )
    )
    if taken is not None:
        raise Invalid(f"账户名 {officer.name} 已被使用 / the account name is taken", "name")
    officer.password_hash = hash_password(new)
    record(session, actor.label, "officer.password", "officer", str(officer.id), None, None, at=now)
