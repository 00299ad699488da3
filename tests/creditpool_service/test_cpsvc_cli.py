"""``gzcreditpool db upgrade`` and ``gzcreditpool user add``."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gzcreditpool.app import create_app
from gzcreditpool.cli import app


def test_db_upgrade_and_user_add(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pool.sqlite'}"
    at = ["--database-url", url]
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert first.exit_code == 0 and "已升级到 0003" in first.output
    again = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert "无需升级" in again.output
    added = runner.invoke(
        app, ["user", "add", "--role", "bureau", "--name", "市科技局张科", "--database-url", url]
    )
    assert added.exit_code == 0 and added.stdout.strip().startswith("gzcp_")
    bank = runner.invoke(
        app,
        ["user", "add", "--role", "bank", "--name", "某行", "--bank", "NOPE", *at],
    )
    assert bank.exit_code == 2 and "没有银行 NOPE" in bank.output
    twice = runner.invoke(
        app, ["user", "add", "--role", "bureau", "--name", "市科技局张科", "--database-url", url]
    )
    assert twice.exit_code == 2 and "已被使用" in twice.output


def test_user_list_and_disable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pool.sqlite'}"
    at = ["--database-url", url]
    runner = CliRunner()
    token = runner.invoke(app, ["user", "add", "--role", "trustee", "--name", "受托甲", *at])
    assert token.exit_code == 0
    listed = runner.invoke(app, ["user", "list", *at])
    assert "受托甲" in listed.output and "受托管理机构" in listed.output
    assert runner.invoke(app, ["user", "disable", "受托甲", *at]).exit_code == 0
    assert "停用于" in runner.invoke(app, ["user", "list", *at]).output
    again = runner.invoke(app, ["user", "disable", "受托甲", *at])
    assert again.exit_code == 2 and "已于" in again.output
    missing = runner.invoke(app, ["user", "disable", "无此人", *at])
    assert missing.exit_code == 2 and "没有名为 无此人 的用户" in missing.output
    client = TestClient(create_app(database_url=url))
    bearer = {"Authorization": f"Bearer {token.stdout.strip()}"}
    refused = client.get("/api/banks", headers=bearer)
    assert refused.status_code == 401 and "停用" in refused.json()["detail"]
    client.app.state.engine.dispose()  # type: ignore[attr-defined]
