"""``gzcreditpool db upgrade`` and ``gzcreditpool user add``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gzcreditpool.cli import app


def test_db_upgrade_and_user_add(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pool.sqlite'}"
    at = ["--database-url", url]
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert first.exit_code == 0 and "已升级到 0001" in first.output
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
