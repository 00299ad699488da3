"""Admission control: at most as many requests at work as there are connections for them.

A request holds its pooled database connection across several hops through the thread pool.
Unbounded, a burst fills every thread with requests waiting for a connection while the requests
holding the connections wait for a thread to finish on: the whole server stalls until the pool
timeout fails them all (issue #9: 100 simultaneous ``GET /api/events`` → 79 × 500). So this
middleware lets at most :func:`~gzvpp.kit.db.request_capacity` requests in at once; the others
wait their turn on the event loop, where waiting costs neither a thread nor a connection.

Past capacity the server sheds load instead of hanging: a request that would join a queue
already ``max_queued`` long, or that has waited ``queue_timeout`` seconds, is answered 503 with
``Retry-After`` (an OpenADR problem object on the VTN 3, Chinese and English on the REST API
and the console), and is never half-done: it had not started.

Static assets, the API description, and the probes and metrics (``/healthz``, ``/readyz``,
``/metrics``) bypass the limit: they need no pooled connection, and a saturated server must
still say so. The numbers at work, queued and shed are in the metrics (:mod:`gzvpp.kit.metrics`).
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from gzkit.errors import BUSY_MESSAGE, RETRY_AFTER_S
from gzvpp.kit import metrics
from gzvpp.kit.db import request_capacity

MAX_QUEUED_ENV = "GZVPP_MAX_QUEUED_REQUESTS"
QUEUE_TIMEOUT_ENV = "GZVPP_QUEUE_TIMEOUT_S"
# Served without the database: static assets and the API description.
EXEMPT_PREFIXES = ("/static/", "/console/static/", "/docs", "/redoc", "/openapi.json")
# Liveness, readiness and metrics: a saturated server must still answer them (they use no
# pooled connection: /readyz asks the database on a connection of its own).
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
BUSY_PAGE = (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    f"<title>服务繁忙</title><p>服务繁忙，请 {RETRY_AFTER_S} 秒后刷新重试。</p></html>"
)


@dataclass(frozen=True)
class AdmissionSettings:
    """How many requests run at once, how many may wait, and for how long (seconds)."""

    capacity: int
    max_queued: int
    queue_timeout: float

    @classmethod
    def from_env(cls) -> AdmissionSettings:
        """``request_capacity()``, ``$GZVPP_MAX_QUEUED_REQUESTS`` (default 2,000) and
        ``$GZVPP_QUEUE_TIMEOUT_S`` (default 10)."""
        return cls(
            capacity=request_capacity(),
            max_queued=int(os.environ.get(MAX_QUEUED_ENV, 2000)),
            queue_timeout=float(os.environ.get(QUEUE_TIMEOUT_ENV, 10)),
        )


class AdmissionMiddleware:
    """Pure ASGI middleware bounding the HTTP requests at work (see the module note)."""

    def __init__(self, app: ASGIApp, settings: AdmissionSettings | None = None) -> None:
        self.app = app
        self.settings = settings or AdmissionSettings.from_env()
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queued = 0
        metrics.CAPACITY.set(self.settings.capacity)

    @property
    def queued(self) -> int:
        """Requests waiting for a slot now."""
        return self._queued

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            # Made on the serving loop (a server has one; test clients may start several).
            self._slots, self._loop = asyncio.Semaphore(self.settings.capacity), loop
        slots = self._slots
        if not slots.locked():
            await slots.acquire()  # a slot is free: taken without yielding to the loop
        elif self._queued >= self.settings.max_queued:
            metrics.SHED.labels("queue_full").inc()
            await _busy(scope, send)
            return
        else:
            self._queued += 1
            metrics.QUEUED.inc()
            try:
                await asyncio.wait_for(slots.acquire(), self.settings.queue_timeout)
            except TimeoutError:
                metrics.SHED.labels("queue_timeout").inc()
                await _busy(scope, send)
                return
            finally:
                self._queued -= 1
                metrics.QUEUED.dec()
        metrics.IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            metrics.IN_FLIGHT.dec()
            slots.release()


async def _busy(scope: Scope, send: Send) -> None:
    path: str = scope["path"]
    if path.startswith("/openadr3/"):
        body = {"title": "Service Unavailable", "status": 503, "detail": BUSY_MESSAGE}
        media_type = "application/problem+json"
    elif path.startswith(("/api/", "/OpenADR2/")):
        body = {"detail": BUSY_MESSAGE}
        media_type = "application/json"
    else:  # a person at the console
        media_type = "text/html"
    payload = (
        BUSY_PAGE.encode()
        if media_type == "text/html"
        else json.dumps(body, ensure_ascii=False).encode()
    )
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", f"{media_type}; charset=utf-8".encode()),
                (b"content-length", str(len(payload)).encode()),
                (b"retry-after", str(RETRY_AFTER_S).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
