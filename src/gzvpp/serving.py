"""``gzvpp serve``: the web service as one process, or as several on one PostgreSQL database.

The command (the parent) migrates the database once, records in it the clock every process is
to tell (:class:`~gzvpp.kit.settings.ServiceClock`), and hands the rest to uvicorn. With
``--workers N`` uvicorn's own supervisor starts N processes sharing the listening socket, each
building its app with :func:`service_app`, and starts a new one if one dies.

What the processes share lives in the database: users, tokens and console sign-ins, VENs and
their 2.0b messages, the OpenADR objects and the relay's progress, the clock. What each keeps
in memory is its own by design: its connection pool and the admission limit that protects it,
its MQTT connection and webhook threads, its scheduler thread (which works only while the
process is elected, :mod:`gzkit.advisory`). SQLite serves one process only.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from gzkit.advisory import is_held
from gzkit.clock import SystemClock, real_now
from gzkit.db import make_sessionmaker, session_scope
from gzvpp.app import create_app
from gzvpp.kit import metrics, settings
from gzvpp.kit.db import DATABASE_URL_ENV, make_engine, resolve_url
from gzvpp.kit.locks import Lock

#: The garbage collector's thresholds in a server process (Python's are 700, 10, 10). A
#: real-time dispatch to 10,000 VENs makes millions of objects within seconds (awards,
#: notifications, OpenADR events, MQTT messages); at Python's thresholds the collector went
#: through the whole heap of a million objects 13 times (~0.2 s each, 3 s of the dispatch's
#: 8). Young collections every 10,000 objects leave the full ones rare.
GC_THRESHOLDS = (10_000, 10, 10)

SET_CLOCK_NAME = "设定时钟"
DEMO_CLOCK_NAME = "演示时钟"


def check_workers(url: str, workers: int) -> None:
    """Refuse several processes on SQLite (one writer at a time, a file on one machine).

    Raises
    ------
    ValueError
        The refusal, in Chinese, for the command line.
    """
    if workers > 1 and make_url(url).get_backend_name() == "sqlite":
        raise ValueError(
            f"SQLite 数据库只能由一个进程服务，--workers {workers} 须改用 PostgreSQL"
            "（--database-url postgresql+psycopg://…）"
        )


def share_clock(url: str, clock_start: dt.datetime | None) -> settings.ServiceClock | None:
    """Choose the service's clock and record it for every process; None for the real time.

    ``clock_start`` if given (设定时钟), else where the demo ended on a demo database (演示时钟),
    either running on from now at the real pace. If the service is already running on this
    database (another ``gzvpp serve``, e.g. on another machine), its clock is joined rather
    than started again, so that all its processes tell the same time.

    Raises
    ------
    ValueError
        In Chinese: the running service's clock is another one.
    """
    with _session(url) as session:
        start = clock_start or settings.demo_clock(session)
        if is_held(session, Lock.SCHEDULER):
            running = settings.service_clock(session)
            if (running.start if running else None) != start:
                shown = (
                    f"{running.name}（自 {running.start:%Y-%m-%d %H:%M:%S} 起）"
                    if running
                    else "实际时间"
                )
                raise ValueError(
                    f"本库已有服务进程在运行，时钟为{shown}；"
                    "请用相同的 --clock-start 加入，或先停止它们"
                )
            return running
        now = real_now()
        chosen = (
            None
            if start is None
            else settings.ServiceClock(
                SET_CLOCK_NAME if clock_start is not None else DEMO_CLOCK_NAME, start, now
            )
        )
        settings.record_service_clock(session, chosen, now)
    return chosen


def tune_gc() -> None:
    """Set :data:`GC_THRESHOLDS` for this process (every server process does)."""
    gc.set_threshold(*GC_THRESHOLDS)


def service_app() -> FastAPI:
    """The app of one server process, on ``$GZVPP_DATABASE_URL`` (already migrated) with the
    clock the service recorded (uvicorn's app factory)."""
    tune_gc()
    url = resolve_url()
    with _session(url) as session:
        shared = settings.service_clock(session)
    return create_app(
        database_url=url,
        clock=shared.clock() if shared else SystemClock(),
        clock_name=shared.name if shared else settings.REAL_TIME_NAME,
        migrate=False,
    )


def run(url: str, host: str, port: int, workers: int) -> None:
    """Serve until interrupted: ``workers`` processes of :func:`service_app` on ``url``.

    Several processes keep their metrics in ``$PROMETHEUS_MULTIPROC_DIR`` (a temporary
    directory, removed at the end, when it is not set), so that any of them answers
    ``/metrics`` for all; what an earlier run left there is removed first. It is set here,
    before uvicorn starts the processes, which read it when they import ``prometheus_client``.
    """
    import uvicorn

    os.environ[DATABASE_URL_ENV] = url  # read by every process's service_app
    directory, made = os.environ.get(metrics.MULTIPROC_DIR_ENV), None
    if not directory and workers > 1:
        directory = made = tempfile.mkdtemp(prefix="gzvpp-metrics-")
    if directory:
        metrics.prepare_multiprocess_dir(Path(directory))
        os.environ[metrics.MULTIPROC_DIR_ENV] = directory
    try:
        uvicorn.run(
            f"{__name__}:{service_app.__name__}",
            factory=True,
            host=host,
            port=port,
            workers=workers,
        )
    finally:
        if made:
            shutil.rmtree(made, ignore_errors=True)


@contextmanager
def _session(url: str) -> Iterator[Session]:
    """One transaction on ``url`` over an engine of its own, disposed of afterwards."""
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()
