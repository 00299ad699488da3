"""The shared ``user`` commands (:mod:`gzkit.cli`) in gzlongevity and gzcreditpool: add, list,
disable, enable, revoke-token and rotate on a SQLite file, the tokens checked by each system's
own authentication (gzvpp's are tests/cli/test_user_cli.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from argon2 import PasswordHasher
from sqlalchemy import select, update
from typer.testing import CliRunner, Result

from gzcreditpool import cli as creditpool_cli
from gzcreditpool.kit import auth as creditpool_auth
from gzcreditpool.kit.db import DATABASE as CREDITPOOL_DATABASE
from gzkit.clock import SystemClock
from gzkit.db import DatabaseConfig, make_sessionmaker, session_scope
from gzkit.errors import Unauthorized
from gzlongevity import cli as longevity_cli
from gzlongevity.kit import auth as longevity_auth
from gzlongevity.kit.db import DATABASE as LONGEVITY_DATABASE


@dataclass(frozen=True)
class System:
    app: typer.Typer
    database: DatabaseConfig
    authenticate: Callable[[Any, str, dt.datetime], Any]
    sign_in: Callable[[Any, str, str, dt.datetime], str]
    audit_log: Any
    prefix: str
    first: tuple[str, ...]  # `user add` options of a user (名称 甲)
    second: tuple[str, ...]  # and of another (名称 乙)
    role_label: str  # the first user's role as the list shows it
    user_entity: str
    user_model: Any


def _systems() -> dict[str, System]:
    from gzcreditpool.models import AuditLog as PoolLog
    from gzcreditpool.models import User
    from gzlongevity.models import AuditLog as LongevityLog
    from gzlongevity.models import Officer

    return {
        "gzlongevity": System(
            longevity_cli.app, LONGEVITY_DATABASE, longevity_auth.authenticate,
            longevity_auth.sign_in, LongevityLog,
            "gzlv_", ("--role", "city", "--name", "甲"),
            ("--role", "street", "--name", "乙", "--district", "440104", "--street", "北京街"),
            "市民政局", "officer", Officer,
        ),
        "gzcreditpool": System(
            creditpool_cli.app, CREDITPOOL_DATABASE, creditpool_auth.authenticate,
            creditpool_auth.sign_in, PoolLog,
            "gzcp_", ("--role", "bureau", "--name", "甲"), ("--role", "auditor", "--name", "乙"),
            "市科技局", "user", User,
        ),
    }  # fmt: skip


@pytest.fixture(params=["gzlongevity", "gzcreditpool"])
def system(request: pytest.FixtureRequest) -> System:
    return _systems()[request.param]


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'users.sqlite'}"


def run(system: System, url: str, *args: str) -> Result:
    return CliRunner().invoke(system.app, ["user", *args, "--database-url", url])


def add(system: System, url: str, options: tuple[str, ...], *more: str) -> str:
    result = run(system, url, "add", *options, *more)
    assert result.exit_code == 0, result.output
    assert "已创建用户" in result.stderr
    token = result.stdout.strip()
    assert token.startswith(system.prefix)
    return token


def works(system: System, url: str, token: str) -> bool:
    """Whether the system's own authentication accepts ``token`` now."""
    engine = system.database.make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            system.authenticate(session, token, SystemClock().now())
    except Unauthorized:
        return False
    finally:
        engine.dispose()
    return True


def actions(system: System, url: str) -> list[str]:
    engine = system.database.make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            log = system.audit_log
            return list(session.scalars(select(log.action).where(log.actor == "cli")))
    finally:
        engine.dispose()


def test_list_rotate_disable_enable_revoke(system: System, url: str) -> None:
    first = add(system, url, system.first, "--ttl-days", "7")
    second = add(system, url, system.second)
    assert works(system, url, first) and works(system, url, second)

    listing = run(system, url, "list", "--tokens")
    assert listing.exit_code == 0, listing.output
    lines = listing.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["编号", "名称", "角色"]
    assert lines[1].split("\t")[:3] == ["1", "甲", system.role_label]
    assert lines[1].endswith("启用\t1/1")
    assert f"{first[: len(system.prefix) + 6]}…" in lines[2] and "有效" in lines[2]
    for secret in (first, second):
        assert secret not in listing.stdout

    rotated = run(system, url, "rotate", "甲", "--ttl-days", "30")
    assert rotated.exit_code == 0, rotated.output
    new = rotated.stdout.strip()
    assert new.startswith(system.prefix) and new != first
    assert "吊销旧令牌：#1" in rotated.stderr
    assert not works(system, url, first) and works(system, url, new)

    assert run(system, url, "disable", "2").exit_code == 0
    assert not works(system, url, second)
    assert "停用于" in run(system, url, "list").stdout.splitlines()[2]
    assert run(system, url, "enable", "乙").exit_code == 0
    assert works(system, url, second)

    revoked = run(system, url, "revoke-token", "2")
    assert revoked.exit_code == 0 and "已吊销令牌 #2" in revoked.stderr
    assert not works(system, url, second)

    done = actions(system, url)
    for action in (f"{system.user_entity}.disable", f"{system.user_entity}.enable"):
        assert action in done
    assert done.count("token.revoke") == 2  # the rotation's and the explicit one


def test_add_asks_for_a_password_twice(system: System, url: str) -> None:
    """``--password`` asks twice, never echoing; the person then signs in with it."""
    password = "a-long-password-7"
    result = CliRunner().invoke(
        system.app,
        ["user", "add", *system.first, "--password", "--database-url", url],
        input=f"{password}\n{password}\n",
    )
    assert result.exit_code == 0, result.output
    assert password not in result.stdout
    engine = system.database.make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            token = system.sign_in(session, "甲", password, SystemClock().now())
        with pytest.raises(Unauthorized), session_scope(make_sessionmaker(engine)) as session:
            system.sign_in(session, "甲", "not-the-password", SystemClock().now())
    finally:
        engine.dispose()
    assert works(system, url, token)


def test_sign_in_tells_of_a_disabled_account_only_after_the_right_password(
    system: System, url: str
) -> None:
    """The password check both systems share with gzvpp (:meth:`gzkit.accounts.Accounts.
    check_password`): an unknown name and a wrong password read alike, a disabled account is
    told so only after the right password, and a hash of older parameters is renewed."""
    password = "a-long-password-7"
    add(system, url, system.first)
    assert run(system, url, "disable", "甲").exit_code == 0
    engine = system.database.make_engine(url)
    sessions = make_sessionmaker(engine)

    def attempt(name: str, tried: str) -> str:
        with session_scope(sessions) as session:
            try:
                return system.sign_in(session, name, tried, SystemClock().now())
            except Unauthorized as refused:
                return refused.message

    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(password)
    try:
        with session_scope(sessions) as session:
            session.execute(update(system.user_model).values(password_hash=old))
        assert attempt("甲", "not-the-password") == attempt("无此人", password)
        assert attempt("甲", password).startswith("账户已于")
        assert run(system, url, "enable", "甲").exit_code == 0
        assert attempt("甲", password).startswith(system.prefix)
        with session_scope(sessions) as session:
            renewed = session.scalar(select(system.user_model.password_hash))
    finally:
        engine.dispose()
    assert renewed != old and PasswordHasher().verify(renewed, password)


def test_refusals_are_one_chinese_line(system: System, url: str) -> None:
    add(system, url, system.first)
    for args, message in (
        (("disable", "无此人"), "错误：没有名为 无此人 的用户"),
        (("rotate", "99"), "错误：没有编号为 99 的用户"),
        (("revoke-token", "42"), "错误：没有编号为 42 的令牌"),
        (("enable", "1"), "错误：用户 #1 未停用"),
    ):
        result = run(system, url, *args)
        assert result.exit_code == 2 and result.stderr.strip() == message, result.output
    assert run(system, url, "disable", "甲").exit_code == 0
    again = run(system, url, "disable", "甲")
    assert again.exit_code == 2 and "已于" in again.stderr and "停用" in again.stderr


def test_help_is_chinese(system: System) -> None:
    result = CliRunner().invoke(system.app, ["user", "--help"])
    assert result.exit_code == 0
    for text in ("列出用户", "停用用户", "重新启用用户", "吊销一个令牌", "轮换令牌"):
        assert text in result.stdout
