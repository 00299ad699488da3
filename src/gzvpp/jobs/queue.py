"""The job queue on PostgreSQL: procrastinate, in the platform's own database.

A job is deferred on the connection of the transaction that writes the data it is about
(:func:`defer`), so both commit or neither does. Workers — a task of every ``gzvpp serve``
process, or ``gzvpp worker`` on its own — take jobs as they are committed (LISTEN/NOTIFY, and a
poll every few seconds) and run :func:`gzvpp.jobs.tasks.run_evaluation`.

A worker that dies (``kill -9``, a lost machine) stops sending its heartbeat; every worker looks
for the jobs of workers silent for ``$GZVPP_JOB_STALLED_S`` (default 30 s) and puts them back
in the queue (procrastinate's stalled-job retry). A run that fails is retried after a short
wait; :data:`~gzvpp.jobs.tasks.MAX_ATTEMPTS` runs in all.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from dataclasses import dataclass

import procrastinate
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from gzkit.clock import Clock, SystemClock
from gzkit.db import make_sessionmaker, session_scope
from gzvpp.jobs.tasks import MAX_ATTEMPTS, run_evaluation
from gzvpp.kit.db import make_engine
from gzvpp.kit.settings import service_clock

EVALUATION_TASK = "gzvpp.evaluate_upload"
RETRY_WAIT_S = 5
HEARTBEAT_ENV = "GZVPP_JOB_HEARTBEAT_S"
STALLED_ENV = "GZVPP_JOB_STALLED_S"
CONCURRENCY_ENV = "GZVPP_JOB_CONCURRENCY"

log = logging.getLogger(__name__)

# Defers only, always on the caller's connection: never opened, it needs no pool of its own.
_DEFERRER = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())


def defer(session: Session, job_id: int) -> None:
    """Queue the job ``job_id`` in ``session``'s transaction (PostgreSQL)."""
    connection = session.connection().connection.driver_connection
    _DEFERRER.configure_task(EVALUATION_TASK, connection=connection).defer(job_id=job_id)


@dataclass(frozen=True)
class WorkerSettings:
    """How a worker runs: jobs at once (``concurrency``; 0 in ``gzvpp serve``: no worker
    there), seconds between heartbeats, and seconds of silence after which a worker is
    taken for dead and its jobs are queued again."""

    concurrency: int = 1
    heartbeat_s: float = 10.0
    stalled_s: float = 30.0

    @classmethod
    def from_env(cls) -> WorkerSettings:
        """``$GZVPP_JOB_CONCURRENCY``, ``$GZVPP_JOB_HEARTBEAT_S``, ``$GZVPP_JOB_STALLED_S``.

        Raises
        ------
        ValueError
            Naming the variable whose value is not a number in its range.
        """
        default = cls()
        heartbeat = _number(HEARTBEAT_ENV, default.heartbeat_s, 0.1, 600)
        return cls(
            concurrency=int(_number(CONCURRENCY_ENV, default.concurrency, 0, 8)),
            heartbeat_s=heartbeat,
            stalled_s=_number(STALLED_ENV, default.stalled_s, 2 * heartbeat, 3600),
        )


def queue_app(url: str, factory: sessionmaker[Session], clock: Clock) -> procrastinate.App:
    """A procrastinate app on ``url`` (SQLAlchemy's form) whose evaluation task works through
    ``factory``'s sessions and tells time by ``clock``."""
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=conninfo, min_size=1, max_size=3, kwargs={"application_name": "gzvpp-jobs"}
        )
    )

    @app.task(
        name=EVALUATION_TASK,
        retry=procrastinate.RetryStrategy(max_attempts=MAX_ATTEMPTS - 1, wait=RETRY_WAIT_S),
    )
    def evaluate_upload(job_id: int) -> None:
        run_evaluation(lambda: session_scope(factory), clock.now, job_id)

    return app


async def work(
    app: procrastinate.App, settings: WorkerSettings, name: str, *, signals: bool = False
) -> None:
    """Run a worker of ``app`` until cancelled (or, with ``signals``, until SIGINT or
    SIGTERM), with the sweep for stalled jobs beside it."""
    async with app.open_async():
        sweep = asyncio.create_task(_retry_stalled(app, settings))
        try:
            await app.run_worker_async(
                name=name,
                concurrency=settings.concurrency,
                install_signal_handlers=signals,
                update_heartbeat_interval=settings.heartbeat_s,
                stalled_worker_timeout=settings.stalled_s,
                shutdown_graceful_timeout=settings.stalled_s,
                # The platform's ``jobs`` row keeps the record; the queue's own goes.
                delete_jobs="successful",
            )
        finally:
            sweep.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweep


async def keep_working(app: procrastinate.App, settings: WorkerSettings, name: str) -> None:
    """:func:`work` inside a server process until cancelled, started again after
    ``$GZVPP_JOB_STALLED_S`` if it fails (the database away at the start, a lost connection):
    the process serves on meanwhile, as it does without the database."""
    while True:
        try:
            await work(app, settings, name)
            return
        except Exception:
            log.exception("%s: the job worker stopped; starting it again", name)
        await asyncio.sleep(settings.stalled_s)


async def _retry_stalled(app: procrastinate.App, settings: WorkerSettings) -> None:
    """Every half stall period: queue again the jobs of workers silent for that period."""
    while True:
        await asyncio.sleep(settings.stalled_s / 2)
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                seconds_since_heartbeat=settings.stalled_s
            )
            for job in stalled:
                log.warning("job %s: its worker stopped; queued again", job.id)
                await app.job_manager.retry_job(job)
        except Exception:  # the database may be away for a while: try again next round
            log.warning("could not look for stalled jobs", exc_info=True)


def run_worker(url: str, concurrency: int) -> None:
    """``gzvpp worker``: a worker on its own, until SIGINT or SIGTERM, on ``url`` (migrated
    by ``gzvpp serve`` or ``gzvpp db upgrade``), telling the time of the service's clock.

    Raises
    ------
    ValueError
        In Chinese: the database is SQLite, which has no queue (its jobs run in the request).
    """
    if make_url(url).get_backend_name() != "postgresql":
        raise ValueError(
            "后台任务队列需要 PostgreSQL；SQLite 上评估在上传请求内完成，无需 gzvpp worker"
        )
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            shared = service_clock(session)
        clock = shared.clock() if shared else SystemClock()
        settings = dataclasses.replace(WorkerSettings.from_env(), concurrency=concurrency)
        app = queue_app(url, make_sessionmaker(engine), clock)
        asyncio.run(work(app, settings, f"gzvpp-worker pid={os.getpid()}", signals=True))
    finally:
        engine.dispose()


def _number(name: str, default: float, low: float, high: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ValueError(f"{name} must be a number in [{low:g}, {high:g}], not {text!r}")
    return value
