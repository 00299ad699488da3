"""The pool's web service: ``create_app`` wires gzkit's machinery and every domain router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from gzcreditpool import __version__
from gzcreditpool.banks.endpoints import router as banks_router
from gzcreditpool.claims.endpoints import router as claims_router
from gzcreditpool.console import banks as console_banks
from gzcreditpool.console import claims as console_claims
from gzcreditpool.console import dashboard as console_dashboard
from gzcreditpool.console import enterprises as console_enterprises
from gzcreditpool.console import loans as console_loans
from gzcreditpool.console import pages as console_pages
from gzcreditpool.console import policies as console_policies
from gzcreditpool.console import recoveries as console_recoveries
from gzcreditpool.console import signin as console_signin
from gzcreditpool.enterprises.endpoints import router as enterprises_router
from gzcreditpool.fees.endpoints import router as fees_router
from gzcreditpool.kit.db import DATABASE
from gzcreditpool.loans.endpoints import router as loans_router
from gzcreditpool.policies.endpoints import router as policies_router
from gzcreditpool.recoveries.endpoints import router as recoveries_router
from gzcreditpool.sanctions.endpoints import router as sanctions_router
from gzkit import errors
from gzkit.calendar import Calendar
from gzkit.clock import Clock, SystemClock
from gzkit.console.security import SecurityHeaders
from gzkit.db import make_sessionmaker
from gzkit.limits import DEFAULT_MAX_BYTES, BodyLimit, BodySizeLimit
from gzkit.request_input import refuse_control_characters

TITLE = "广州市科技型中小企业信贷风险损失补偿资金池"
UPLOAD_MAX_BYTES = 8 << 20


async def _parameters(request: Request) -> None:
    refuse_control_characters(request)


def create_app(
    *,
    database_url: str | None = None,
    clock: Clock | None = None,
    calendar: Calendar | None = None,
    migrate: bool = True,
) -> FastAPI:
    """The app on ``database_url`` (default ``$GZCREDITPOOL_DATABASE_URL`` or
    ``./gzcreditpool.sqlite``), migrated first unless ``migrate`` is False; ``clock`` defaults
    to the system clock (a :class:`~gzkit.clock.SimulatedClock` drives tests and the demo),
    ``calendar`` to the built-in working calendar."""
    url = DATABASE.resolve_url(database_url)
    if migrate:
        DATABASE.upgrade(url)
    engine = DATABASE.make_engine(url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title=TITLE, version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.read_sessionmaker = make_sessionmaker(engine, read_only=True)
    app.state.clock = clock or SystemClock()
    app.state.calendar = calendar or Calendar()
    errors.install(app)
    # Hostile input: body limits, control characters in parameters, the console's headers;
    # before the routers, which copy the app's dependencies when included.
    app.add_middleware(
        BodySizeLimit,
        limits=[
            BodyLimit("/api/loans", UPLOAD_MAX_BYTES),  # uploads and legal documents
            BodyLimit("/console", DEFAULT_MAX_BYTES, console_pages.too_large_page),
        ],
        default=BodyLimit("", DEFAULT_MAX_BYTES),
    )
    app.add_middleware(SecurityHeaders, prefix="/console")
    app.router.dependencies.append(Depends(_parameters))
    app.add_exception_handler(StarletteHTTPException, console_pages.unknown_page)
    for router in (
        banks_router,
        enterprises_router,
        loans_router,
        claims_router,
        recoveries_router,
        fees_router,
        sanctions_router,
        policies_router,
    ):
        app.include_router(router, prefix="/api")
    for pages in (
        console_signin,
        console_loans,
        console_claims,
        console_recoveries,
        console_enterprises,
        console_dashboard,
        console_banks,
        console_policies,
    ):
        app.include_router(pages.router)
    app.include_router(console_signin.root_router)
    return app
