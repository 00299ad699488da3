"""``gzvpp user``: add, list, disable, enable, revoke-token and rotate on a SQLite file, with
the tokens checked against the platform's API (issue 9 §5)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner, Result

from gzkit.auth import hash_token
from gzkit.db import make_sessionmaker, session_scope
from gzvpp.app import create_app
from gzvpp.cli import app as cli
from gzvpp.kit.db import make_engine
from gzvpp.kit.policy import TOKEN_TTL_ENV
from gzvpp.models import ApiToken, AuditLog


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "users.sqlite"


def run(db: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["user", *args, "--db", str(db)], env=env)


def works(db: Path, token: str) -> bool:
    """Whether the platform (on the real clock, as `gzvpp serve`) accepts ``token``."""
    app = create_app(database_url=f"sqlite:///{db}")
    try:
        response = TestClient(app).get(
            "/api/participants", headers={"Authorization": f"Bearer {token}"}
        )
    finally:
        app.state.engine.dispose()
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


def stored(db: Path, token: str) -> ApiToken:
    engine = make_engine(f"sqlite:///{db}")
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            return session.scalars(
                select(ApiToken).where(ApiToken.token_sha256 == hash_token(token))
            ).one()
    finally:
        engine.dispose()


def add(db: Path, role: str, name: str, *more: str) -> str:
    result = run(db, "add", "--role", role, "--name", name, *more)
    assert result.exit_code == 0, result.output
    assert "已创建用户" in result.stderr
    return result.stdout.strip()


def test_list_shows_users_and_tokens_never_secrets(db: Path) -> None:
    operator = add(db, "grid_operator", "调度员张工")
    regulator = add(db, "regulator", "市工信局李科", "--ttl-days", "7")
    token = stored(db, regulator)
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
    listing = run(db, "list")
    assert listing.exit_code == 0, listing.output
    lines = listing.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["编号", "名称", "角色"]
    assert lines[1].split("\t") == [
        "1",
        "调度员张工",
        "广州供电局",
        "—",
        "—",
        "启用",
        "正常",
        "1/1",
    ]
    assert lines[2].startswith("2\t市工信局李科\t市工信局")
    detailed = run(db, "list", "--tokens").stdout
    assert (
        f"{regulator[:12]}…" in detailed and f"到期 {token.expires_at:%Y-%m-%d %H:%M}" in detailed
    )
    for secret in (operator, regulator):
        assert secret not in detailed and hash_token(secret) not in detailed


def test_rotate_revoke_disable_enable(db: Path) -> None:
    operator = add(db, "grid_operator", "调度员张工")
    regulator = add(db, "regulator", "市工信局李科")
    assert works(db, regulator)

    rotated = run(db, "rotate", "市工信局李科", "--ttl-days", "30")
    assert rotated.exit_code == 0, rotated.output
    new = rotated.stdout.strip()
    assert new.startswith("gzvpp_") and new != regulator
    assert "吊销旧令牌：#2" in rotated.stderr
    assert not works(db, regulator) and works(db, new)

    new_id = stored(db, new).id
    revoked = run(db, "revoke-token", str(new_id))
    assert revoked.exit_code == 0 and f"已吊销令牌 #{new_id}" in revoked.stderr
    assert not works(db, new)
    again = run(db, "revoke-token", str(new_id))
    assert again.exit_code == 2 and "已于" in again.stderr and "吊销" in again.stderr

    assert run(db, "disable", "1").exit_code == 0
    assert not works(db, operator)
    assert "停用于" in run(db, "list").stdout.splitlines()[1]
    assert run(db, "enable", "调度员张工").exit_code == 0
    assert works(db, operator)

    engine = make_engine(f"sqlite:///{db}")
    with session_scope(make_sessionmaker(engine)) as session:
        actions = session.scalars(select(AuditLog.action).where(AuditLog.actor == "cli")).all()
    engine.dispose()
    for action in ("api_token.issue", "api_token.revoke", "platform_user.disable"):
        assert action in actions
    assert actions.count("api_token.revoke") == 2  # the rotation's and the explicit one


def test_refusals_are_one_chinese_line(db: Path) -> None:
    add(db, "regulator", "同名")
    add(db, "regulator", "同名")
    for args, message in (
        (("disable", "nobody"), "错误：没有名为 nobody 的用户"),
        (("disable", "99"), "错误：没有编号为 99 的用户"),
        (("rotate", "同名"), "错误：有多个名为 同名 的用户（#1, #2），请给出编号"),
        (("revoke-token", "42"), "错误：没有编号为 42 的令牌"),
        (("enable", "1"), "错误：用户 #1 未停用"),
    ):
        result = run(db, *args)
        assert result.exit_code == 2 and result.stderr.strip() == message, result.output
    bad_ttl = run(db, "add", "--role", "regulator", "--name", "x", env={TOKEN_TTL_ENV: "abc"})
    assert bad_ttl.exit_code == 2 and TOKEN_TTL_ENV in bad_ttl.stderr


def test_help_is_chinese() -> None:
    result = CliRunner().invoke(cli, ["user", "--help"])
    assert result.exit_code == 0
    for text in ("列出用户", "停用用户", "吊销一个令牌", "轮换令牌"):
        assert text in result.stdout
