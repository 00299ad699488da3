"""Password sign-in on SQLite and PostgreSQL: Argon2id hashes, the lockout kept in the
database, one answer for every refusal, the audit, the session token, and
``gzvpp user set-password`` (issue 10 §5)."""

from __future__ import annotations

import datetime as dt

import pytest
from service_api import Api
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from gzkit.errors import Conflict, Invalid, Unauthorized
from gzvpp.accounts import passwords
from gzvpp.cli import app as cli
from gzvpp.kit.auth import authenticate, create_user
from gzvpp.kit.policy import LOCKOUT_ENV, SIGN_IN_ATTEMPTS_ENV
from gzvpp.models import ApiToken, AuditLog, PlatformUser, Role, TokenKind

PASSWORD = "珠江新城-2025"


def person(api: Api, name: str, role: Role = Role.REGULATOR) -> int:
    """A new user named ``name`` holding :data:`PASSWORD`; its id."""
    with api.session() as session:
        user, _ = create_user(
            session, name=name, role=role, participant_id=None, at=api.clock.now()
        )
        passwords.set_password(session, "test", api.clock.now(), user.id, PASSWORD)
        return user.id


def attempt(api: Api, name: str, password: str) -> passwords.SignIn | str:
    """One sign-in in its own transaction, committed even when refused (as the console does);
    the sign-in, or the refusal's message."""
    with api.session() as session:
        try:
            return passwords.sign_in(session, name, password, api.clock.now())
        except Unauthorized as refused:
            return refused.message


def actions(api: Api, user_id: int) -> list[str]:
    with api.session() as session:
        return list(
            session.scalars(
                select(AuditLog.action)
                .where(AuditLog.entity == "platform_user", AuditLog.entity_id == str(user_id))
                .order_by(AuditLog.id)
            )
        )


def test_the_password_is_stored_as_an_argon2id_hash(api: Api) -> None:
    user_id = person(api, "哈希检查员")
    with api.session() as session:
        user = session.get(PlatformUser, user_id)
        assert user is not None and user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        logged = session.scalars(select(AuditLog.after).where(AuditLog.actor == "test")).all()
    assert logged and all("password_hash" not in (after or {}) for after in logged)


def test_sign_in_opens_a_session_token_of_the_session_lifetime(api: Api) -> None:
    user_id = person(api, "会话检查员")
    signed_in = attempt(api, "会话检查员", PASSWORD)
    assert isinstance(signed_in, passwords.SignIn)
    assert signed_in.actor.user_id == user_id
    assert signed_in.expires_at == api.clock.now() + dt.timedelta(hours=8)
    with api.session() as session:
        stored = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)).all()
        assert [t.kind for t in stored] == [TokenKind.API, TokenKind.SESSION]
        actor, _ = authenticate(session, signed_in.token, api.clock.now(), write=True)
        assert actor.user_id == user_id
        later = api.clock.now() + dt.timedelta(hours=8)
        with pytest.raises(Unauthorized):
            authenticate(session, signed_in.token, later, write=False)
    assert actions(api, user_id)[-1] == "platform_user.sign_in"
    # The operator's list shows API tokens and counts the session.
    view = api.client.get(f"/api/users/{user_id}", headers=api.grid).json()
    assert (len(view["tokens"]), view["open_sessions"]) == (1, 1)
    assert view["password_set_at"] is not None


def test_repeated_failures_lock_the_account_and_every_refusal_reads_the_same(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SIGN_IN_ATTEMPTS_ENV, "3")
    monkeypatch.setenv(LOCKOUT_ENV, "15")
    user_id = person(api, "锁定检查员")
    unknown = attempt(api, "没有这个人", PASSWORD)
    assert isinstance(unknown, str) and unknown.startswith("账户名或密码不正确")
    for _ in range(3):
        assert attempt(api, "锁定检查员", "wrong-password") == unknown
    # Locked: the right password is refused too, in the same words, until the lock ends.
    assert attempt(api, "锁定检查员", PASSWORD) == unknown
    with api.session() as session:  # a fresh session: the lock is in the database
        user = session.get(PlatformUser, user_id)
        assert user is not None
        assert user.locked_until == api.clock.now() + dt.timedelta(minutes=15)
    assert actions(api, user_id)[-5:] == [
        *["platform_user.sign_in_failed"] * 3,
        "platform_user.lockout",
        "platform_user.sign_in_failed",
    ]
    api.clock.advance(dt.timedelta(minutes=15))
    assert isinstance(attempt(api, "锁定检查员", PASSWORD), passwords.SignIn)
    with api.session() as session:
        user = session.get(PlatformUser, user_id)
        assert user is not None and (user.failed_sign_ins, user.locked_until) == (0, None)


def test_a_disabled_account_is_told_so_only_after_the_right_password(api: Api) -> None:
    user_id = person(api, "停用检查员")
    api.client.post(f"/api/users/{user_id}/disable", headers=api.grid)
    assert attempt(api, "停用检查员", "wrong-password") == attempt(api, "无此人", "x" * 8)
    refused = attempt(api, "停用检查员", PASSWORD)
    assert isinstance(refused, str) and refused.startswith("账户已于")


def test_setting_a_password_checks_it_and_ends_open_sessions(api: Api) -> None:
    user_id = person(api, "重设检查员")
    signed_in = attempt(api, "重设检查员", PASSWORD)
    assert isinstance(signed_in, passwords.SignIn)
    with api.session() as session:
        for bad in ("short", "重设检查员", "tab\there-long"):
            with pytest.raises(Invalid):
                passwords.set_password(session, "test", api.clock.now(), user_id, bad)
        passwords.set_password(session, "test", api.clock.now(), user_id, "另一个密码-2025")
    with api.session() as session, pytest.raises(Unauthorized):
        authenticate(session, signed_in.token, api.clock.now(), write=False)
    assert isinstance(attempt(api, "重设检查员", PASSWORD), str)
    assert isinstance(attempt(api, "重设检查员", "另一个密码-2025"), passwords.SignIn)


def test_an_account_name_holds_one_password(api: Api) -> None:
    first = person(api, "同名检查员")
    with api.session() as session:
        second, _ = create_user(
            session, name="同名检查员", role=Role.REGULATOR, participant_id=None,
            at=api.clock.now(),
        )  # fmt: skip
        with pytest.raises(Conflict):
            passwords.set_password(session, "test", api.clock.now(), second.id, PASSWORD)
    # The database holds to it too.
    with pytest.raises(IntegrityError), api.session() as session:
        twin = session.scalars(
            select(PlatformUser).where(PlatformUser.name == "同名检查员", PlatformUser.id != first)
        ).one()
        twin.password_hash = "$argon2id$copied"
        session.flush()


def test_the_metering_identity_gets_no_password(api: Api) -> None:
    with api.session() as session:
        user, _ = create_user(
            session, name="计量系统二", role=Role.METERING, participant_id=None,
            at=api.clock.now(),
        )  # fmt: skip
        with pytest.raises(Invalid):
            passwords.set_password(session, "test", api.clock.now(), user.id, PASSWORD)


def test_cli_set_password_prompts_twice_and_the_person_signs_in(
    api: Api, database_url: str
) -> None:
    user_id = person(api, "命令行检查员")
    runner = CliRunner()
    mismatch = runner.invoke(
        cli,
        ["user", "set-password", "命令行检查员", "--database-url", database_url],
        input="新的密码-2026\n不一样的-2026\n新的密码-2026\n新的密码-2026\n",
    )
    assert mismatch.exit_code == 0, mismatch.output
    assert "新的密码" not in mismatch.output  # nothing echoed
    assert isinstance(attempt(api, "命令行检查员", "新的密码-2026"), passwords.SignIn)
    too_short = runner.invoke(
        cli,
        ["user", "set-password", str(user_id), "--database-url", database_url],
        input="short\nshort\n",
    )
    assert too_short.exit_code == 2 and "密码至少 8 个字符" in too_short.output
