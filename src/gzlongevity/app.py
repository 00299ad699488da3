"""The longevity system's web service: ``create_app`` wires gzkit and every domain router.

REST API under ``/api`` (OpenAPI at ``/openapi.json``, Swagger UI at ``/docs`` from the
package, offline), the console under ``/console``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from gzkit import errors
from gzkit.clock import Clock, SimulatedClock, SystemClock
from gzkit.console.security import SecurityHeaders
from gzkit.db import make_sessionmaker
from gzkit.limits import DEFAULT_MAX_BYTES, BodyLimit, BodySizeLimit
from gzkit.request_input import refuse_control_characters
from gzlongevity import __version__
from gzlongevity.cases.endpoints import router as cases_router
from gzlongevity.cases.tasks import keep_sweeping, sweep_interval_s
from gzlongevity.changes.endpoints import router as changes_router
from gzlongevity.checks.endpoints import router as checks_router
from gzlongevity.confirmations.endpoints import BATCH_MAX_BYTES
from gzlongevity.confirmations.endpoints import router as confirmations_router
from gzlongevity.console import dashboard as console_dashboard
from gzlongevity.console import elder as console_elder
from gzlongevity.console import rules as console_rules
from gzlongevity.console import runs as console_runs
from gzlongevity.console import signin as console_signin
from gzlongevity.console import worklist as console_worklist
from gzlongevity.console.pages import too_large_page, unknown_page
from gzlongevity.intake.endpoints import FEED_MAX_BYTES
from gzlongevity.intake.endpoints import router as intake_router
from gzlongevity.kit.db import DATABASE
from gzlongevity.notices.endpoints import router as notices_router
from gzlongevity.payers.endpoints import router as payers_router
from gzlongevity.persons.endpoints import router as persons_router
from gzlongevity.recovery.endpoints import router as recovery_router
from gzlongevity.rules.endpoints import router as rules_router
from gzlongevity.runs.endpoints import router as runs_router
from gzlongevity.statistics.endpoints import router as statistics_router

TITLE = "广州市长者长寿保健金管理系统"


async def _parameters(request: Request) -> None:
    refuse_control_characters(request)


def create_app(
    *, database_url: str | None = None, clock: Clock | None = None, migrate: bool = True
) -> FastAPI:
    """The app on ``database_url`` (default ``$GZLONGEVITY_DATABASE_URL`` or
    ``./gzlongevity.sqlite``), migrated first unless ``migrate`` is False; ``clock`` defaults
    to the system clock (a :class:`~gzkit.clock.SimulatedClock` drives tests and the demo)."""
    url = DATABASE.resolve_url(database_url)
    if migrate:
        DATABASE.upgrade(url)
    engine = DATABASE.make_engine(url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The daily sweep runs by itself on the real clock; a simulated clock's owner (tests,
        # the demo) calls /api/admin/sweep when its day comes.
        sweeper = None
        if not isinstance(_app.state.clock, SimulatedClock):
            sweeper = asyncio.create_task(
                keep_sweeping(_app.state.sessionmaker, _app.state.clock, sweep_interval_s())
            )
        yield
        if sweeper is not None:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
        engine.dispose()

    app = FastAPI(
        title=TITLE, version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.read_sessionmaker = make_sessionmaker(engine, read_only=True)
    app.state.clock = clock or SystemClock()
    errors.install(app)
    limits = [
        BodyLimit("/api/intake", FEED_MAX_BYTES),
        BodyLimit("/api/confirmations/batch", BATCH_MAX_BYTES),
        BodyLimit("/console", DEFAULT_MAX_BYTES, too_large_page),
    ]
    app.add_middleware(BodySizeLimit, limits=limits, default=BodyLimit("", DEFAULT_MAX_BYTES))
    app.add_middleware(SecurityHeaders, prefix="/console")
    app.router.dependencies.append(Depends(_parameters))
    app.add_exception_handler(StarletteHTTPException, unknown_page)
    for router in (
        intake_router,
        cases_router,
        confirmations_router,
        persons_router,
        runs_router,
        payers_router,
        changes_router,
        checks_router,
        recovery_router,
        statistics_router,
        rules_router,
        notices_router,
    ):
        app.include_router(router, prefix="/api")
    for pages in (
        console_signin,
        console_worklist,
        console_runs,
        console_rules,
        console_dashboard,
        console_elder,
    ):
        app.include_router(pages.router)
    app.include_router(console_signin.root_router)
    return app
