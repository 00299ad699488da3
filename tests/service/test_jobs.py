"""Background jobs (issue #11 §2): the evaluation a meter upload queues with its data.

In process on both databases: the upload answers with its job, done at once (SQLite's way,
also an app with a simulated clock); the jobs API and who may read it; a failed evaluation is a
failed job with a Chinese reason, the data kept. On PostgreSQL, the queue: the upload answers
``queued`` and a worker evaluates to what the in-request evaluation gives; a re-run changes
nothing; a ``gzvpp worker`` killed with ``kill -9`` mid-evaluation leaves the job to another,
which completes it once; ``gzvpp serve --workers 2`` runs the job in its own processes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import httpx
import numpy as np
import polars as pl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from meter_scenario import (
    Enrolled,
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
from prometheus_client.parser import text_string_to_metric_families
from service_api import Api
from sqlalchemy import func, select
from workers_support import METRICS_TOKEN, serve, wait_for

from gzkit.db import session_scope
from gzvpp.app import create_app
from gzvpp.core.model import Event as EngineEvent
from gzvpp.jobs import queue, tasks
from gzvpp.jobs.schemas import JobRef
from gzvpp.jobs.service import JobService, Runner
from gzvpp.models import (
    AuditLog,
    AwardResult,
    Job,
    JobStatus,
    Notification,
    NotificationKind,
    Role,
)
from gzvpp.settlement.evaluation import EvaluationService, Touched

D = dt.date(2025, 7, 15)
ALL_DAYS = days_between(dt.date(2025, 6, 10), D)
HISTORY = ALL_DAYS[:-1]
FAST_WORKERS = {"GZVPP_JOB_HEARTBEAT_S": "0.5", "GZVPP_JOB_STALLED_S": "2"}


def ended_event(api: Api, tmp_path: Path) -> tuple[Enrolled, EngineEvent, Path]:
    """A user awarded 550 kW on D 14:00–16:00 with its history stored, the clock after the
    event; the file of day D's loads (1000 kW, 400 kW in the window), not yet uploaded."""
    user = enrol_user(api)
    api.clock.set(dt.datetime.combine(D, dt.time(7)))
    store_system_load(api, ALL_DAYS)
    event = add_event(api, D, "14:00", "16:00", [(user, "550", None)])
    loads = cut(flat_loads(ALL_DAYS, 1000), ALL_DAYS, D, event.window, 400)
    account = user.accounts[0]
    upload_ok(api, write(load_frame({account: loads[:-1]}, HISTORY), tmp_path, ".parquet"))
    api.clock.set(dt.datetime.combine(D + dt.timedelta(days=1), dt.time(9)))
    return user, event, write(load_frame({account: loads[-1:]}, ALL_DAYS[-1:]), tmp_path)


def job_of(client: TestClient, job_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(f"/api/jobs/{job_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def counts(api: Api, event_id: str, participant_id: str) -> tuple[int, int, int]:
    """Result rows of the event, result notices to the participant, evaluations audited."""
    with api.session() as session:
        rows = session.scalar(
            select(func.count()).select_from(AwardResult).where(AwardResult.event_id == event_id)
        )
        notices = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.event_id == event_id,
                Notification.participant_id == participant_id,
                Notification.kind == NotificationKind.RESULT,
            )
        )
        audits = session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "event.evaluate", AuditLog.entity_id == event_id)
        )
    return int(rows or 0), int(notices or 0), int(audits or 0)


def test_touched_days_round_trip_compactly() -> None:
    touched = Touched(
        loads={
            "a": np.array([3, 4, 5, 9], dtype=np.int64),
            "b": np.array([3, 4, 5, 9], dtype=np.int64),
            "c": np.array([7], dtype=np.int64),
        },
        system=np.array([1, 2], dtype=np.int64),
    )
    payload = tasks.touched_payload(touched)
    assert payload == {
        "loads": [
            {"accounts": ["a", "b"], "days": [[3, 5], [9, 9]]},
            {"accounts": ["c"], "days": [[7, 7]]},
        ],
        "system": [[1, 2]],
    }
    back = tasks.touched_from(payload)
    assert {k: v.tolist() for k, v in back.loads.items()} == {
        k: v.tolist() for k, v in touched.loads.items()
    }
    assert back.system.tolist() == [1, 2]


def test_a_server_process_starts_its_failed_job_worker_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs: list[str] = []

    async def work(_app: Any, _settings: Any, name: str) -> None:
        runs.append(name)
        if len(runs) == 1:
            raise OSError("the database is away")

    monkeypatch.setattr(queue, "work", work)
    settings = queue.WorkerSettings(stalled_s=0.01)
    asyncio.run(queue.keep_working(cast(Any, None), settings, "gzvpp-serve"))
    assert runs == ["gzvpp-serve", "gzvpp-serve"]


def test_upload_answers_with_its_job_done_in_process(api: Api, tmp_path: Path) -> None:
    user, event, day_d = ended_event(api, tmp_path)
    summary = upload_ok(api, day_d)
    assert summary["job"]["status"] == "done"
    assert summary["evaluations"] == [
        {"event_id": event.id, "outcome": "evaluated", "detail": None}
    ]
    job = job_of(api.client, summary["job"]["id"], api.grid)
    assert (job["status"], job["status_label"], job["kind"]) == ("done", "已完成", "evaluation")
    assert job["attempts"] == 1 and job["error"] is None
    assert job["evaluations"] == summary["evaluations"]
    assert job["queued_at"] == job["started_at"] == job["finished_at"] == "2025-07-16T09:00:00"
    assert job["source"] == f"meter_data.upload {day_d.name}"
    # Staff read every job; the uploader its own; a participant, none (404, not 403).
    assert job_of(api.client, job["id"], api.regulator) == job
    assert job_of(api.client, job["id"], api.metering) == job
    assert api.client.get(f"/api/jobs/{job['id']}", headers=user.headers).status_code == 404
    other_metering = api.token(Role.METERING)
    assert api.client.get(f"/api/jobs/{job['id']}", headers=other_metering).status_code == 404
    mine = api.client.get("/api/jobs", headers=api.metering).json()
    assert job["id"] in [j["id"] for j in mine["items"]]
    assert api.client.get("/api/jobs", headers=user.headers).json()["items"] == []
    assert api.client.get("/api/jobs", headers=other_metering).json()["items"] == []
    done = api.client.get("/api/jobs", params={"status": "done"}, headers=api.grid).json()
    assert job["id"] in [j["id"] for j in done["items"]]
    assert api.client.get("/api/jobs/999999", headers=api.grid).status_code == 404


def test_a_failed_evaluation_is_a_failed_job_and_the_data_stays(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, event, day_d = ended_event(api, tmp_path)

    def broken(*_: Any) -> None:
        raise RuntimeError("SELECT secret FROM somewhere")

    monkeypatch.setattr(EvaluationService, "after_upload", broken)
    summary = upload_ok(api, day_d)
    assert summary["job"]["status"] == "failed" and summary["evaluations"] == []
    assert summary["new_values"] == 96  # the data is stored all the same
    job = job_of(api.client, summary["job"]["id"], api.grid)
    assert job["status_label"] == "失败"
    assert job["error"] == "内部错误（RuntimeError），详情见服务日志（已尝试 1 次）"
    assert "SELECT" not in job["error"]
    failed = api.client.get("/api/jobs", params={"status": "failed"}, headers=api.grid).json()
    assert job["id"] in [j["id"] for j in failed["items"]]
    assert counts(api, event.id, user.id) == (0, 0, 0)


def test_a_job_left_by_a_stopped_process_runs_at_the_next_start(
    api: Api, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, event, day_d = ended_event(api, tmp_path)

    def stopped(*_: Any) -> tuple[JobRef, list[Any]]:
        raise RuntimeError("the process ends between the commit and the evaluation")

    monkeypatch.setattr(JobService, "after_commit", stopped)
    with pytest.raises(RuntimeError, match="the process ends"):
        upload_ok(api, day_d)
    monkeypatch.undo()
    with api.session() as session:
        [left] = session.scalars(select(Job).order_by(Job.id.desc()).limit(1))
    assert left.status is JobStatus.QUEUED and counts(api, event.id, user.id) == (0, 0, 0)
    app = create_app(database_url=database_url, clock=api.clock, migrate=False)
    with TestClient(app):
        pass
    app.state.engine.dispose()
    assert job_of(api.client, left.id, api.grid)["status"] == "done"
    assert counts(api, event.id, user.id) == (1, 1, 1)


@contextmanager
def queue_app(database_url: str, api: Api, concurrency: int) -> Iterator[TestClient]:
    """An app on the module's database whose uploads go on the queue, with ``concurrency``
    jobs at once in its own worker (0: none)."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in FAST_WORKERS.items():
            env.setenv(name, value)
        env.setenv("GZVPP_JOB_CONCURRENCY", str(concurrency))
        app: FastAPI = create_app(
            database_url=database_url, clock=api.clock, job_runner=Runner.QUEUE, migrate=False
        )
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def upload_queued(client: TestClient, api: Api, path: Path, new: int = 96, changed: int = 0) -> int:
    with path.open("rb") as stream:
        response = client.post(
            "/api/meterdata/loads:upload", files={"file": (path.name, stream)}, headers=api.metering
        )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["job"]["status"] == "queued" and summary["evaluations"] == []
    assert (summary["new_values"], summary["changed_values"]) == (new, changed)
    job_id: int = summary["job"]["id"]
    return job_id


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True, scope="module")
def test_queued_job_is_evaluated_by_a_worker_as_in_the_request(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    user, event, day_d = ended_event(api, tmp_path)
    with queue_app(database_url, api, concurrency=1) as client:
        job_id = upload_queued(client, api, day_d)
        job = wait_for(
            lambda: (j := job_of(client, job_id, api.grid))["status"] == "done" and j,
            60,
            "the worker to evaluate",
        )
    assert job["evaluations"] == [{"event_id": event.id, "outcome": "evaluated", "detail": None}]
    assert job["attempts"] == 1 and job["error"] is None
    assert counts(api, event.id, user.id) == (1, 1, 1)
    # Evaluating in the request now finds the very results the job stored.
    response = api.client.post(f"/api/results/events/{event.id}:evaluate", headers=api.grid)
    assert response.json() == {"event_id": event.id, "outcome": "unchanged", "detail": None}
    # A run of a done job does nothing; a new job on the same data changes nothing.
    factory = api.app.state.sessionmaker
    tasks.run_evaluation(lambda: session_scope(factory), api.clock.now, job_id)
    with api.session() as session:
        source = session.get(Job, job_id)
        assert source is not None
        again = Job(
            kind=source.kind,
            status=JobStatus.QUEUED,
            created_by=source.created_by,
            created_by_user=source.created_by_user,
            source=source.source,
            queued_at=source.queued_at,
            attempts=0,
            payload=source.payload,
        )
        session.add(again)
        session.flush()
        again_id = again.id
    rerun = tasks.run_evaluation(lambda: session_scope(factory), api.clock.now, again_id)
    assert rerun.result == [{"event_id": event.id, "outcome": "unchanged", "detail": None}]
    assert counts(api, event.id, user.id) == (1, 1, 1)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True, scope="module")
def test_jobs_of_overlapping_uploads_run_one_at_a_time_to_the_same_end(
    api: Api, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, event, day_d = ended_event(api, tmp_path)
    # The same day sent again with the window at 300 kW instead of 400, before either job ran.
    window = range(event.window.first_interval, event.window.first_interval + 8)
    frame = pl.read_csv(day_d, schema_overrides={"account_id": pl.String})
    corrected = frame.with_columns(
        pl.when(pl.int_range(pl.len()).is_in(list(window)))
        .then(300.0)
        .otherwise(pl.col("kw"))
        .alias("kw")
    )
    second = tmp_path / "corrected.csv"
    corrected.write_csv(second)
    with queue_app(database_url, api, concurrency=0) as client:
        first_job = upload_queued(client, api, day_d)
        second_job = upload_queued(client, api, second, new=0, changed=8)
    evaluate = EvaluationService.after_upload

    def slow(self: EvaluationService, *args: Any) -> Any:
        reports = evaluate(self, *args)
        time.sleep(1)  # the other job waits meanwhile
        return reports

    monkeypatch.setattr(EvaluationService, "after_upload", slow)
    with queue_app(database_url, api, concurrency=2) as client:
        jobs = [
            wait_for(
                lambda job_id=job_id: (
                    (j := job_of(client, job_id, api.grid))["status"] == "done" and j
                ),
                60,
                "both jobs to be done",
            )
            for job_id in (first_job, second_job)
        ]
    # Whichever ran first evaluated the data both uploads left; the other found it unchanged.
    outcomes = sorted(j["evaluations"][0]["outcome"] for j in jobs)
    assert outcomes == ["evaluated", "unchanged"]
    assert [j["attempts"] for j in jobs] == [1, 1]
    assert counts(api, event.id, user.id) == (1, 1, 1)
    [row] = api.client.get(f"/api/results/events/{event.id}", headers=api.grid).json()["items"]
    assert Decimal(row["actual_avg_kw"]) == 300


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True, scope="module")
def test_a_failing_job_is_retried_then_failed_on_the_queue(
    api: Api, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, event, day_d = ended_event(api, tmp_path)
    runs: list[int] = []

    def broken(*_: Any) -> None:
        runs.append(1)
        raise RuntimeError("connection to server at 10.0.0.5 failed")

    monkeypatch.setattr(EvaluationService, "after_upload", broken)
    with queue_app(database_url, api, concurrency=1) as client:
        job_id = upload_queued(client, api, day_d)
        retrying = wait_for(
            lambda: (
                (j := job_of(client, job_id, api.grid))["attempts"] == 1
                and j["status"] == "queued"
                and j
            ),
            30,
            "the first run to fail",
        )
        assert (
            retrying["error"] == "第 1 次运行出错：内部错误（RuntimeError），详情见服务日志；将重试"
        )
        job = wait_for(
            lambda: (j := job_of(client, job_id, api.grid))["status"] == "failed" and j,
            60,
            "the retries to give up",
        )
    assert job["attempts"] == len(runs) == tasks.MAX_ATTEMPTS
    assert job["error"] == "内部错误（RuntimeError），详情见服务日志（已尝试 3 次）"
    assert "10.0.0.5" not in job["error"] and job["evaluations"] == []
    assert counts(api, event.id, user.id) == (0, 0, 0)


def worker(url: str, log: Path, *before: str) -> subprocess.Popen[bytes]:
    """``gzvpp worker`` (or ``before`` it, a script running it) in a process group of its own."""
    command = [sys.executable, *before] if before else [sys.executable, "-m", "gzvpp"]
    command += [] if before else ["worker"]
    with log.open("wb") as out:
        return subprocess.Popen(
            [*command, "--database-url", url],
            env={**os.environ, **FAST_WORKERS},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True, scope="module")
def test_a_worker_killed_mid_evaluation_leaves_the_job_to_another(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    user, event, day_d = ended_event(api, tmp_path)
    with queue_app(database_url, api, concurrency=0) as client:
        job_id = upload_queued(client, api, day_d)
    marker = tmp_path / "evaluating"
    slow = worker(
        database_url,
        tmp_path / "slow.log",
        str(Path(__file__).with_name("slow_job_worker.py")),
        str(marker),
    )
    try:
        wait_for(marker.exists, 60, "the slow worker to evaluate")
        assert job_of(api.client, job_id, api.grid)["status"] == "running"
    finally:
        os.killpg(slow.pid, signal.SIGKILL)
        slow.wait()
    assert counts(api, event.id, user.id) == (0, 0, 0)  # its transaction died with it
    second = worker(database_url, tmp_path / "second.log")
    try:
        job = wait_for(
            lambda: (j := job_of(api.client, job_id, api.grid))["status"] == "done" and j,
            60,
            "another worker to take the job over",
        )
    finally:
        stop(second)
    assert job["attempts"] == 2
    assert job["evaluations"] == [{"event_id": event.id, "outcome": "evaluated", "detail": None}]
    assert counts(api, event.id, user.id) == (1, 1, 1)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True, scope="module")
def test_gzvpp_serve_processes_run_the_queued_evaluation(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    user, event, day_d = ended_event(api, tmp_path)
    with serve(
        database_url, tmp_path, "serve", workers=2, clock_start="2025-07-16 09:00:00"
    ) as server:
        with day_d.open("rb") as stream:
            response = httpx.post(
                f"{server.base}/api/meterdata/loads:upload",
                files={"file": (day_d.name, stream)},
                headers=api.metering,
            )
        assert response.status_code == 200, response.text
        assert response.json()["job"]["status"] == "queued"
        job_id = response.json()["job"]["id"]

        def done() -> dict[str, Any] | None:
            job: dict[str, Any] = httpx.get(
                f"{server.base}/api/jobs/{job_id}", headers=api.grid
            ).json()
            return job if job["status"] == "done" else None

        job = wait_for(done, 60, "a server process to evaluate")
        exposition = httpx.get(
            f"{server.base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        ).text
    gauge = {
        sample.labels["status"]: sample.value
        for family in text_string_to_metric_families(exposition)
        if family.name == "gzvpp_jobs"
        for sample in family.samples
    }
    assert gauge["queued"] == gauge["running"] == 0 and gauge["done"] >= 1
    assert job["evaluations"] == [{"event_id": event.id, "outcome": "evaluated", "detail": None}]
    assert job["attempts"] == 1
    assert counts(api, event.id, user.id) == (1, 1, 1)
