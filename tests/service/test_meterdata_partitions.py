"""Meter data by month on PostgreSQL: partitions added by uploads (also concurrent ones), the
migration that converts a table with data, and ``gzvpp db archive-month`` (round trip through
``gzvpp evaluate``, refusals, a failed write, a run stopped halfway). SQLite keeps one table
and refuses to archive.

The tests of this module share one database per backend and use months of their own.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from alembic import command
from alembic.config import Config
from meter_scenario import (
    add_event,
    cut,
    days_between,
    enrol_user,
    flat_loads,
    load_frame,
    store_system_load,
    upload_ok,
    write,
)
from service_api import Api
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from gzkit.db import make_sessionmaker, session_scope
from gzvpp.cli import app as cli
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.evaluation.run import EvaluationInputs
from gzvpp.kit.db import MIGRATIONS, make_engine
from gzvpp.meterdata import archive as archive_module
from gzvpp.meterdata import partitions
from gzvpp.meterdata.repository import encode_day, save_days
from gzvpp.models import AuditLog, EventStatus, MeterDay
from gzvpp.settlement.reproduce import export_evaluation_inputs

RUNNER = CliRunner()
WIDE = {"COLUMNS": "1000"}


@pytest.fixture
def postgres(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("partitions are PostgreSQL's")
    return database_url


def archive(url: str, month: str, out: Path) -> Result:
    return RUNNER.invoke(
        cli, ["db", "archive-month", month, "--out", str(out), "--database-url", url], env=WIDE
    )


def evaluate(inputs: EvaluationInputs, loads: Path, out: Path) -> bytes:
    """``gzvpp evaluate`` on ``inputs`` with ``loads`` in place of their loads; the result CSV."""
    result = RUNNER.invoke(
        cli,
        [
            "evaluate",
            *("--loads", str(loads), "--system-load", str(inputs.system_load)),
            *("--participants", str(inputs.participants), "--events", str(inputs.events)),
            *("--out", str(out)),
        ],
        env=WIDE,
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def attached(api: Api) -> set[str]:
    with api.session() as session:
        return set(partitions.attached(session))


def where_stored(api: Api, account: str) -> dict[str, str]:
    """Each stored day of ``account`` and the partition holding it."""
    with api.session() as session:
        rows = session.execute(
            text(
                "SELECT day, tableoid::regclass::text FROM meter_days WHERE account_id = :a"
                " ORDER BY day"
            ),
            {"a": account},
        )
        return {day.isoformat(): table for day, table in rows}


def loads_answer(api: Api, account: str, start: str, end: str) -> Any:
    response = api.client.get(
        "/api/meterdata/loads",
        params={"account_id": account, "from": start, "to": end},
        headers=api.grid,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_uploads_add_a_partition_per_month_and_rows_land_in_theirs(
    api: Api, postgres: str, tmp_path: Path
) -> None:
    api.clock.set(dt.datetime(2025, 2, 3, 9, 0))
    user = enrol_user(api)
    days = days_between(dt.date(2025, 1, 30), dt.date(2025, 2, 2))
    upload_ok(api, write(load_frame({user.accounts[0]: flat_loads(days, 500)}, days), tmp_path))
    assert {"meter_days_2025_01", "meter_days_2025_02"} <= attached(api)
    assert where_stored(api, user.accounts[0]) == {
        "2025-01-30": "meter_days_2025_01",
        "2025-01-31": "meter_days_2025_01",
        "2025-02-01": "meter_days_2025_02",
        "2025-02-02": "meter_days_2025_02",
    }


def _row(account: str, day: dt.date) -> dict[str, Any]:
    values = encode_day(np.full(INTERVALS_PER_DAY, 700.0))
    return {"account_id": account, "day": day, "kw": values, "updated_at": dt.datetime(2025, 1, 1)}


def test_a_transaction_adding_a_month_plans_each_lookup_afresh(api: Api, postgres: str) -> None:
    # A generic plan cached while the new partition was empty would scan every row the
    # upload wrote before each lookup: the first upload of a month would grow quadratic.
    with api.session() as session:
        save_days(session, MeterDay, [_row("PART-PLAN", dt.date(2024, 9, 2))], [])
        assert session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
    with api.session() as session:
        save_days(session, MeterDay, [_row("PART-PLAN", dt.date(2024, 9, 3))], [])
        assert session.scalar(text("SHOW plan_cache_mode")) == "auto"


def _waiting(session: Session, pid: int) -> bool:
    state = session.scalar(
        text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :p"), {"p": pid}
    )
    return state == "Lock"


def test_a_second_writer_into_a_new_month_waits_for_the_first(api: Api, postgres: str) -> None:
    # The first writer adds 2024-11 and holds its transaction open; the second, finding no
    # partition either, must wait for it and then use it rather than fail on CREATE TABLE.
    factory = api.app.state.sessionmaker
    day = dt.date(2024, 11, 5)
    first = factory()
    save_days(first, MeterDay, [_row("PART-A", day)], [])
    outcome: list[BaseException | None] = []
    pids: list[int] = []

    def second() -> None:
        try:
            with session_scope(factory) as session:
                pids.append(session.scalar(text("SELECT pg_backend_pid()")))
                save_days(session, MeterDay, [_row("PART-B", day)], [])
            outcome.append(None)
        except BaseException as err:
            outcome.append(err)

    thread = threading.Thread(target=second)
    thread.start()
    with factory() as watcher:
        deadline = time.monotonic() + 30
        while not (pids and _waiting(watcher, pids[0])) and time.monotonic() < deadline:
            time.sleep(0.05)
            watcher.rollback()
        assert pids and _waiting(watcher, pids[0]), "the second writer never waited"
    first.commit()
    first.close()
    thread.join(30)
    assert outcome == [None]
    assert where_stored(api, "PART-A") == {"2024-11-05": "meter_days_2024_11"}
    assert where_stored(api, "PART-B") == {"2024-11-05": "meter_days_2024_11"}


def test_concurrent_uploads_into_a_new_month_all_land(
    api: Api, postgres: str, tmp_path: Path
) -> None:
    api.clock.set(dt.datetime(2024, 12, 4, 9, 0))
    users = [enrol_user(api) for _ in range(4)]
    days = days_between(dt.date(2024, 12, 1), dt.date(2024, 12, 3))
    files = [
        write(load_frame({u.accounts[0]: flat_loads(days, 600)}, days), tmp_path) for u in users
    ]
    answers: list[int] = []
    gate = threading.Barrier(len(files))

    def send(path: Path) -> None:
        gate.wait()
        with path.open("rb") as stream:
            response = api.client.post(
                "/api/meterdata/loads:upload",
                files={"file": (path.name, stream)},
                headers=api.metering,
            )
        answers.append(response.status_code)

    threads = [threading.Thread(target=send, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers == [200] * len(files)
    for user in users:
        assert set(where_stored(api, user.accounts[0]).values()) == {"meter_days_2024_12"}


def _migrate(url: str, revision: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    (command.downgrade if down else command.upgrade)(config, revision)


def _kind(api: Api) -> str:
    with api.session() as session:
        kind: str = session.scalar(
            text("SELECT relkind FROM pg_class WHERE relname = 'meter_days'")
        )
        return kind


def test_the_migration_converts_a_table_with_data_and_the_api_answers_the_same(
    api: Api, postgres: str, tmp_path: Path
) -> None:
    api.clock.set(dt.datetime(2024, 11, 3, 9, 0))
    user = enrol_user(api)
    days = days_between(dt.date(2024, 10, 30), dt.date(2024, 11, 2))
    values = flat_loads(days, 800) + np.arange(INTERVALS_PER_DAY)
    upload_ok(api, write(load_frame({user.accounts[0]: values}, days), tmp_path))
    account = user.accounts[0]

    def answers() -> Any:
        return loads_answer(api, account, "2024-10-30T00:00", "2024-11-03T00:00")

    with api.session() as session:
        count = session.scalar(text("SELECT count(*) FROM meter_days"))
    partitioned = answers()
    assert sum(p["kw"] is not None for p in partitioned["points"]) == 4 * INTERVALS_PER_DAY

    _migrate(postgres, "0009", down=True)
    api.app.state.engine.dispose()
    assert _kind(api) == "r"
    assert answers() == partitioned

    _migrate(postgres, "head")
    api.app.state.engine.dispose()
    assert _kind(api) == "p"
    assert answers() == partitioned
    assert where_stored(api, account) == {
        "2024-10-30": "meter_days_2024_10",
        "2024-10-31": "meter_days_2024_10",
        "2024-11-01": "meter_days_2024_11",
        "2024-11-02": "meter_days_2024_11",
    }
    with api.session() as session:
        assert session.scalar(text("SELECT count(*) FROM meter_days")) == count
        indexes = set(
            session.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'meter_days'"))
        )
    assert indexes == {"pk_meter_days", "ix_meter_days_day"}


EVENT_DAY = dt.date(2025, 5, 20)  # a Tuesday


def test_archive_round_trip_evaluates_byte_for_byte(
    api: Api, postgres: str, tmp_path: Path
) -> None:
    # The baseline of the event on 20 May can only come from April: May before it has no data.
    api.clock.set(dt.datetime(2025, 3, 1, 9, 0))
    user = enrol_user(api)
    store_system_load(api, days_between(dt.date(2025, 3, 15), dt.date(2025, 5, 22)))
    event = add_event(api, EVENT_DAY, "14:00", "16:00", [(user, "500", None)])
    april = days_between(dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    around = days_between(EVENT_DAY - dt.timedelta(days=1), EVENT_DAY + dt.timedelta(days=1))
    days = np.concatenate([april, around])
    loads = cut(flat_loads(days, 1000), days, EVENT_DAY, event.window, 400)
    api.clock.set(dt.datetime(2025, 5, 22, 9, 0))
    summary = upload_ok(api, write(load_frame({user.accounts[0]: loads}, days), tmp_path))
    assert [(r["event_id"], r["outcome"]) for r in summary["evaluations"]] == [
        (event.id, "evaluated")
    ]

    with api.session() as session:
        before = export_evaluation_inputs(session, tmp_path / "before")
    expected = evaluate(before, before.loads, tmp_path / "before.csv")
    assert f"{event.id},{user.id},ok,".encode() in expected

    result = archive(postgres, "2025-04", tmp_path / "archive")
    assert result.exit_code == 0, result.output
    assert "已归档 2025-04：30 个户日" in result.output
    archived = tmp_path / "archive" / "loads_2025-04.parquet"
    assert pq.read_table(archived).num_rows >= 30 * INTERVALS_PER_DAY
    assert "meter_days_2025_04" not in attached(api)
    with api.session() as session:
        assert not partitions.table_exists(session, "meter_days_2025_04")
        assert session.scalar(
            select(AuditLog.after).where(
                AuditLog.action == "meter_data.archive", AuditLog.entity_id == "2025-04"
            )
        )
    assert loads_answer(api, user.accounts[0], "2025-04-10T00:00", "2025-04-10T01:00")[
        "points"
    ] == [{"ts": f"2025-04-10T00:{m:02d}:00", "kw": None} for m in (0, 15, 30, 45)]

    with api.session() as session:
        after = export_evaluation_inputs(session, tmp_path / "after")
    remaining = evaluate(after, after.loads, tmp_path / "remaining.csv")
    assert remaining != expected  # without the archive the baseline is gone
    together = tmp_path / "together.parquet"
    pq.write_table(
        pa.concat_tables([pq.read_table(after.loads), pq.read_table(archived)]), together
    )
    assert evaluate(after, together, tmp_path / "after.csv") == expected


def test_archive_refuses_a_month_an_unevaluated_event_needs(
    api: Api, postgres: str, tmp_path: Path
) -> None:
    api.clock.set(dt.datetime(2025, 9, 1, 9, 0))
    user = enrol_user(api)
    days = days_between(dt.date(2025, 8, 1), dt.date(2025, 8, 5))
    upload_ok(api, write(load_frame({user.accounts[0]: flat_loads(days, 900)}, days), tmp_path))
    waiting = add_event(api, dt.date(2025, 9, 10), "14:00", "15:00", [(user, "300", None)])
    over = add_event(
        api,
        dt.date(2025, 9, 11),
        "14:00",
        "15:00",
        [(user, "300", None)],
        status=EventStatus.CANCELLED,
    )

    result = archive(postgres, "2025-08", tmp_path / "out")
    assert result.exit_code == 2
    assert f"结果未定的事件 {waiting.id} 所需" in result.output
    assert over.id not in result.output
    assert "meter_days_2025_08" in attached(api)
    assert not (tmp_path / "out" / "loads_2025-08.parquet").exists()

    assert "没有存储的计量数据" in archive(postgres, "2019-01", tmp_path / "out").output
    assert "月份须写作 YYYY-MM" in archive(postgres, "2025-8", tmp_path / "out").output
    assert "尚未结束" in archive(postgres, "2099-01", tmp_path / "out").output


def test_archive_refuses_an_existing_file_and_reattaches_when_the_write_fails(
    api: Api, postgres: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.clock.set(dt.datetime(2023, 3, 3, 9, 0))
    user = enrol_user(api)
    days = days_between(dt.date(2023, 3, 1), dt.date(2023, 3, 2))
    upload_ok(api, write(load_frame({user.accounts[0]: flat_loads(days, 900)}, days), tmp_path))
    stored = where_stored(api, user.accounts[0])
    out = tmp_path / "out"

    out.mkdir()
    (out / "loads_2023-03.parquet").write_bytes(b"earlier")
    result = archive(postgres, "2023-03", out)
    assert result.exit_code == 2 and "已存在" in result.output
    assert (out / "loads_2023-03.parquet").read_bytes() == b"earlier"

    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    result = archive(postgres, "2023-03", blocked)
    assert result.exit_code == 2 and "归档目录" in result.output, result.output

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(archive_module.pq.ParquetWriter, "write_table", disk_full)
    result = archive(postgres, "2023-03", tmp_path / "full")
    assert result.exit_code == 2, result.output
    assert "写入归档文件" in result.output and "留在数据库中" in result.output
    assert "meter_days_2023_03" in attached(api)
    assert where_stored(api, user.accounts[0]) == stored
    assert list((tmp_path / "full").iterdir()) == []


def test_a_month_left_detached_refuses_uploads_and_the_next_run_archives_it(
    api: Api, postgres: str, tmp_path: Path
) -> None:
    api.clock.set(dt.datetime(2023, 5, 3, 9, 0))
    user = enrol_user(api)
    days = days_between(dt.date(2023, 5, 1), dt.date(2023, 5, 2))
    upload_ok(api, write(load_frame({user.accounts[0]: flat_loads(days, 900)}, days), tmp_path))
    with api.session() as session:  # what a run killed after detaching leaves
        partitions.detach(session, dt.date(2023, 5, 1))

    late = write(load_frame({user.accounts[0]: flat_loads(days[:1], 950)}, days[:1]), tmp_path)
    with late.open("rb") as stream:
        response = api.client.post(
            "/api/meterdata/loads:upload",
            files={"file": (late.name, stream)},
            headers=api.metering,
        )
    assert response.status_code == 409
    assert "正在归档" in response.json()["detail"]

    result = archive(postgres, "2023-05", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "2 个户日" in result.output
    table = pq.read_table(tmp_path / "out" / "loads_2023-05.parquet")
    assert table.num_rows == 2 * INTERVALS_PER_DAY
    assert table.schema.names == ["account_id", "ts", "kw"]


def test_sqlite_keeps_one_table_and_refuses_to_archive(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's behaviour")
    result = archive(database_url, "2025-04", tmp_path)
    assert result.exit_code == 2
    assert "仅适用于按月分区的 PostgreSQL" in result.output
    engine = make_engine(database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            assert not partitions.is_partitioned(session)
    finally:
        engine.dispose()
