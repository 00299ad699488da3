"""The platform's edge against hostile and broken input (issue #9 §2), installed by
``create_app`` before the routers: body limits per front end, control characters in path and
query parameters, and the console's security headers.

The routers copy the app's dependencies when they are included, so :func:`install` must run
before the first ``include_router``.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from gzkit.console.security import SecurityHeaders
from gzkit.limits import (
    DEFAULT_MAX_BYTES,
    BodyLimit,
    BodySizeLimit,
    too_large_message,
)
from gzkit.request_input import refuse_control_characters
from gzvpp.console.pages import too_large_page
from gzvpp.kit.policy import meter_upload_max_bytes
from gzvpp.openadr.vtn2b import PREFIX as OPENADR2B_PREFIX
from gzvpp.openadr.vtn3.endpoints import PREFIX as OPENADR3_PREFIX
from gzvpp.openadr.vtn3.routing import problem_response

# JSON meter readings: MAX_READINGS (100,000) of about 80 bytes each, with room to spare.
METER_READINGS_MAX_BYTES = 32 << 20


def _too_large_problem(_request: Request, max_bytes: int) -> Response:
    return problem_response(413, too_large_message(max_bytes))


def _too_large_text(_request: Request, max_bytes: int) -> Response:
    # 2.0b VENs speak XML over plain HTTP; a problem object would mean nothing to them.
    return PlainTextResponse(too_large_message(max_bytes), status_code=413)


def body_limits(openadr_max_body: int) -> list[BodyLimit]:
    """The body limit of each front end: 1 MiB unless said otherwise; meter files
    ``$GZVPP_METER_UPLOAD_MAX_BYTES``; either VTN ``openadr_max_body``
    (``$GZVPP_OPENADR_MAX_BODY``)."""
    files = meter_upload_max_bytes()
    return [
        BodyLimit("/api/meterdata/loads:upload", files),
        BodyLimit("/api/meterdata/system-load:upload", files),
        BodyLimit("/api/meterdata/loads", METER_READINGS_MAX_BYTES),
        BodyLimit("/console", DEFAULT_MAX_BYTES, too_large_page),
        BodyLimit(OPENADR3_PREFIX, openadr_max_body, _too_large_problem),
        BodyLimit(OPENADR2B_PREFIX, openadr_max_body, _too_large_text),
    ]


async def _parameters(request: Request) -> None:
    """Path and query parameters without control characters; openadr3.yaml allows any
    character in the VTN's strings, so there only NUL (which PostgreSQL cannot store)."""
    refuse_control_characters(request, nul_only=request.url.path.startswith(OPENADR3_PREFIX))


def install(app: FastAPI, openadr_max_body: int) -> None:
    """Add the edge's middleware and route dependency to ``app`` (before its routers)."""
    default = BodyLimit("", DEFAULT_MAX_BYTES)
    app.add_middleware(BodySizeLimit, limits=body_limits(openadr_max_body), default=default)
    app.add_middleware(SecurityHeaders, prefix="/console")
    app.router.dependencies.append(Depends(_parameters))
