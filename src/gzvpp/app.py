"""The platform's web service: ``create_app`` wires the kit and every domain router."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException

from gzkit import errors
from gzkit.advisory import Leadership, is_postgres
from gzkit.clock import Clock, SimulatedClock, SystemClock
from gzkit.db import make_sessionmaker
from gzvpp import __version__, edge
from gzvpp.accounts.endpoints import router as accounts_router
from gzvpp.alarms.endpoints import router as alarms_router
from gzvpp.console import alarms as console_alarms
from gzvpp.console import events as console_events
from gzvpp.console import grid as console_grid
from gzvpp.console import jobs as console_jobs
from gzvpp.console import monitoring as console_monitoring
from gzvpp.console import overview as console_overview
from gzvpp.console import participants as console_participants
from gzvpp.console import portal as console_portal
from gzvpp.console import settlement as console_settlement
from gzvpp.console import signin as console_signin
from gzvpp.console.accounts import router as console_accounts_router
from gzvpp.console.exports import router as console_exports_router
from gzvpp.console.pages import unknown_page
from gzvpp.events.endpoints import admin_router, records_router
from gzvpp.events.endpoints import router as events_router
from gzvpp.events.scheduler import interval_s, start_scheduler
from gzvpp.jobs import queue as job_queue
from gzvpp.jobs.endpoints import router as jobs_router
from gzvpp.jobs.service import Runner, job_service
from gzvpp.kit.admission import AdmissionMiddleware, AdmissionSettings
from gzvpp.kit.db import make_engine, resolve_url, upgrade
from gzvpp.kit.locks import Lock
from gzvpp.kit.metrics import RequestMetrics
from gzvpp.kit.policy import check_settings
from gzvpp.kit.settings import REAL_TIME_NAME
from gzvpp.meterdata.endpoints import router as meterdata_router
from gzvpp.meterdata.plausibility import MeterSettings
from gzvpp.openadr import runtime as openadr
from gzvpp.openadr.endpoints import router as openadr_router
from gzvpp.openadr.vtn2b import router as openadr2b_router
from gzvpp.openadr.vtn3.endpoints import router as openadr3_router
from gzvpp.operations import endpoints as operations
from gzvpp.participants.endpoints import router as participants_router
from gzvpp.settlement.endpoints import results_router
from gzvpp.settlement.endpoints import router as settlement_router

TITLE = "广州市虚拟电厂管理平台"


def create_app(
    *,
    database_url: str | None = None,
    clock: Clock | None = None,
    openadr_settings: openadr.Settings | None = None,
    admission: AdmissionSettings | None = None,
    meter_settings: MeterSettings | None = None,
    clock_name: str = REAL_TIME_NAME,
    migrate: bool = True,
    job_runner: Runner | None = None,
) -> FastAPI:
    """The app on ``database_url`` (default: ``$GZVPP_DATABASE_URL`` or ``./gzvpp.sqlite``).

    Migrates the database to the newest schema first, unless ``migrate`` is False (the
    processes of ``gzvpp serve``, whose parent has migrated it). ``clock`` defaults to the
    system clock, which the console's header calls ``clock_name``; pass a
    :class:`~gzkit.clock.SimulatedClock` to drive time in tests and the demo.
    ``openadr_settings`` defaults to the environment's (``GZVPP_MQTT_URL`` …), and so do
    ``meter_settings`` (``GZVPP_METER_UPLOAD_MAX_BYTES`` …) and ``admission`` (requests at work
    and queued at once, :meth:`AdmissionSettings.from_env`).

    ``job_runner`` says where background jobs run (:class:`~gzvpp.jobs.service.Runner`); by
    default on the queue on PostgreSQL with a real clock, where every process also runs a
    worker (``$GZVPP_JOB_CONCURRENCY`` jobs at once, default 1; 0: none, the jobs are left to
    ``gzvpp worker``), and inline otherwise.
    """
    check_settings()  # a bad policy value stops the start, not a request later
    scheduler_interval = interval_s()
    url = resolve_url(database_url)
    if migrate:
        upgrade(url)
    engine = make_engine(url)
    clock = clock or SystemClock()
    if job_runner is None:
        real = not isinstance(clock, SimulatedClock)
        job_runner = Runner.QUEUE if is_postgres(engine) and real else Runner.INLINE
    if job_runner is Runner.QUEUE and not is_postgres(engine):
        raise ValueError("后台任务队列需要 PostgreSQL / the job queue needs PostgreSQL")
    worker_settings = job_queue.WorkerSettings.from_env()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Only with the real clock; a simulated clock's owner runs the scheduler itself. On
        # PostgreSQL several processes may serve: the scheduler works in the elected one.
        scheduler = start_scheduler(
            _app.state.sessionmaker,
            _app.state.clock,
            scheduler_interval,
            Leadership(engine, Lock.SCHEDULER, "gzvpp") if is_postgres(engine) else None,
        )
        _app.state.openadr.start()
        worker = None
        if job_runner is Runner.INLINE:
            job_service.run_left_over(_app.state.sessionmaker, _app.state.clock)
        elif worker_settings.concurrency:
            jobs = job_queue.queue_app(url, _app.state.sessionmaker, _app.state.clock)
            worker = asyncio.create_task(
                job_queue.keep_working(jobs, worker_settings, "gzvpp-serve")
            )
        yield
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        _app.state.openadr.stop()
        if scheduler is not None:
            scheduler.stop()
        _app.state.database_probe.dispose()
        engine.dispose()

    # /docs is the console's page, with assets from the package (no CDN); no /redoc.
    app = FastAPI(
        title=TITLE, version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.read_sessionmaker = make_sessionmaker(engine, read_only=True)
    app.state.clock = clock
    app.state.job_runner = job_runner
    app.state.meter_settings = meter_settings or MeterSettings.from_env()
    app.state.clock_name = clock_name
    errors.install(app)
    # Hostile input (issue #9 §2): body limits, control characters, console headers. Before
    # the routers, which copy the app's dependencies when included.
    openadr_settings = openadr_settings or openadr.Settings.from_env()
    edge.install(app, openadr_settings.max_body)
    operations.install(app, url)  # /healthz, /readyz, /metrics
    app.add_exception_handler(StarletteHTTPException, unknown_page)
    app.include_router(participants_router, prefix="/api")
    app.include_router(events_router, prefix="/api")
    app.include_router(records_router, prefix="/api")
    app.include_router(admin_router, prefix="/api")
    app.include_router(meterdata_router, prefix="/api")
    app.include_router(results_router, prefix="/api")
    app.include_router(settlement_router, prefix="/api")
    app.include_router(accounts_router, prefix="/api")
    app.include_router(alarms_router, prefix="/api")
    app.include_router(jobs_router, prefix="/api")
    for pages in (
        console_signin,
        console_overview,
        console_alarms,
        console_participants,
        console_events,
        console_monitoring,
        console_grid,
        console_settlement,
        console_jobs,
        console_portal,
    ):
        app.include_router(pages.router)
    app.include_router(console_accounts_router)
    app.include_router(console_exports_router)
    app.include_router(console_signin.root_router)
    openadr.install(app, openadr_settings)
    app.include_router(openadr_router, prefix="/api")
    app.include_router(openadr3_router)
    app.include_router(openadr2b_router)
    app.add_middleware(AdmissionMiddleware, settings=admission)
    # Outermost, so that the latency it measures includes the wait for admission.
    app.add_middleware(RequestMetrics, router=app.router)
    return app
