"""``/healthz``, ``/readyz`` and ``/metrics``: outside the API's description, without a
session, and exempt from admission control (:mod:`gzvpp.kit.admission`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response

from gzvpp.kit import metrics
from gzvpp.operations import service

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
async def healthz() -> JSONResponse:
    """The process is alive and its event loop answers; nothing else is asked."""
    return JSONResponse({"status": "alive"}, headers=NO_STORE)


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """200 when the process can serve requests, else 503 with the reason."""
    state = request.app.state
    result = await service.readiness(state.database_probe, state.openadr.notifier.publisher)
    return JSONResponse(result.body(), status_code=200 if result.ready else 503, headers=NO_STORE)


@router.get("/metrics")
async def prometheus_metrics(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """The metrics in Prometheus's text format, to the metrics token only."""
    service.check_metrics_access(request.app.state.metrics_token, authorization)
    await request.app.state.database_probe.count_jobs()
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE, headers=NO_STORE)


def install(app: FastAPI, database_url: str) -> None:
    """Add the routes and what they need to ``app`` (its engine made)."""
    app.state.database_probe = service.DatabaseProbe(database_url)
    app.state.metrics_token = service.metrics_token()
    metrics.instrument_pool(app.state.engine)
    app.include_router(router)
