"""``gzvpp serve``'s options: several processes only on PostgreSQL, the scheduler's interval."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from gzvpp.app import create_app
from gzvpp.cli import app as cli
from gzvpp.events.scheduler import DEFAULT_INTERVAL_S, INTERVAL_ENV, interval_s


def test_several_processes_on_sqlite_are_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(*_: Any, **__: Any) -> None:
        pytest.fail("uvicorn must not be started")

    monkeypatch.setattr(uvicorn, "run", run)
    db = tmp_path / "one.sqlite"
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--workers", "2"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "错误：SQLite 数据库只能由一个进程服务，--workers 2 须改用 PostgreSQL" in result.stderr
    assert not db.exists()  # refused before anything was written


def test_one_process_on_sqlite_is_served_by_uvicorn_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: calls.append(options))
    result = CliRunner().invoke(cli, ["serve", "--db", str(tmp_path / "one.sqlite")])
    assert result.exit_code == 0, result.output
    assert [(c["factory"], c["workers"]) for c in calls] == [(True, 1)]


@pytest.mark.parametrize("value", ["0", "-1", "abc", "3601"])
def test_a_bad_scheduler_interval_stops_the_start(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(INTERVAL_ENV, value)
    with pytest.raises(ValueError, match=INTERVAL_ENV):
        create_app(database_url=f"sqlite:///{tmp_path / 'x.sqlite'}")


def test_the_scheduler_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(INTERVAL_ENV, raising=False)
    assert interval_s() == DEFAULT_INTERVAL_S
    monkeypatch.setenv(INTERVAL_ENV, "1.5")
    assert interval_s() == 1.5
