"""``gzvpp worker``: PostgreSQL only; the job worker's settings come from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gzvpp.app import create_app
from gzvpp.cli import app as cli
from gzvpp.jobs.queue import CONCURRENCY_ENV, STALLED_ENV, WorkerSettings


def test_a_worker_on_sqlite_is_refused_in_one_line(tmp_path: Path) -> None:
    db = tmp_path / "one.sqlite"
    result = CliRunner().invoke(cli, ["worker", "--db", str(db)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "错误：后台任务队列需要 PostgreSQL；SQLite 上评估在上传请求内完成" in result.stderr
    assert not db.exists()


@pytest.mark.parametrize(("name", "value"), [(CONCURRENCY_ENV, "9"), (STALLED_ENV, "abc")])
def test_a_bad_job_setting_stops_the_start(
    name: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        create_app(database_url=f"sqlite:///{tmp_path / 'x.sqlite'}")


def test_a_stall_shorter_than_two_heartbeats_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GZVPP_JOB_HEARTBEAT_S", "5")
    monkeypatch.setenv(STALLED_ENV, "9")
    with pytest.raises(ValueError, match=STALLED_ENV):
        WorkerSettings.from_env()
    monkeypatch.setenv(STALLED_ENV, "10")
    assert WorkerSettings.from_env() == WorkerSettings(concurrency=1, heartbeat_s=5, stalled_s=10)
