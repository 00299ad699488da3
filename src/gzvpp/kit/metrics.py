"""Prometheus metrics of the service (``GET /metrics``, :mod:`gzvpp.operations`).

The metrics are ``prometheus_client`` objects shared by the whole process:

- HTTP: latency by route *template* and method (:class:`RequestMetrics`), so a request to
  ``/api/events/E-123`` counts under ``/api/events/{event_id}`` and a path no route matches
  under :data:`UNMATCHED`: the labels stay bounded whatever addresses clients invent;
- admission (:mod:`gzvpp.kit.admission`): requests at work, queued, shed, and the capacity;
- the scheduler: lag from an invitation's close to its ranking, the time of its last run,
  whether a process is its elected leader;
- evaluation time per event; database connections checked out of the pool;
- telemetry over MQTT (:mod:`gzvpp.openadr.mqtt_telemetry`): reports recorded and refused, and
  how many wait to be written.

Several processes (``gzvpp serve --workers N``) use ``prometheus_client``'s multiprocess mode:
with ``$PROMETHEUS_MULTIPROC_DIR`` set before the processes start, each writes its values to
files there and whichever process answers ``/metrics`` reads them all (:func:`exposition`).
Gauges say how they add up across processes (``multiprocess_mode``); counters and histograms
are summed, a dead process's totals included.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from fastapi.routing import iter_route_contexts
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import Engine, event
from starlette.routing import Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
UNMATCHED = "unmatched"  # the route label of a path no route matches (a 404)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"

REQUEST_SECONDS = Histogram(
    "gzvpp_http_request_duration_seconds",
    "HTTP 请求耗时（秒，含排队），按路由模板与方法",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
RESPONSES = Counter(
    "gzvpp_http_responses",
    "HTTP 响应数，按路由模板、方法与状态码",
    ["method", "route", "status"],
)
IN_FLIGHT = Gauge(
    "gzvpp_http_requests_in_flight",
    "正在处理的请求数（已获准入）",
    multiprocess_mode="livesum",
)
QUEUED = Gauge(
    "gzvpp_http_requests_queued",
    "排队等待准入的请求数",
    multiprocess_mode="livesum",
)
CAPACITY = Gauge(
    "gzvpp_http_request_capacity",
    "可同时处理的请求数（多进程时为各进程之和）",
    multiprocess_mode="livesum",
)
SHED = Counter(
    "gzvpp_http_requests_shed",
    "因繁忙以 503 拒绝的请求数：queue_full 队列已满，queue_timeout 排队超时",
    ["reason"],
)
SCHEDULER_LAG_SECONDS = Histogram(
    "gzvpp_scheduler_lag_seconds",
    "邀约截止至排序完成的间隔（秒，平台时钟）",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200),
)
SCHEDULER_LAST_RUN = Gauge(
    "gzvpp_scheduler_last_run_timestamp_seconds",
    "调度最近一次运行完成的时刻（Unix 时间）",
    multiprocess_mode="max",
)
SCHEDULER_LEADER = Gauge(
    "gzvpp_scheduler_leader",
    "当选执行调度的进程数（本进程当选为 1；多进程时为各存活进程之和，应为 1）",
    multiprocess_mode="livesum",
)
EVALUATION_SECONDS = Histogram(
    "gzvpp_evaluation_duration_seconds",
    "单个事件的效果评估耗时（秒），按结果",
    ["outcome"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
JOBS = Gauge(
    "gzvpp_jobs",
    "后台任务数，按状态（读取 /metrics 时从数据库统计）",
    ["status"],
    multiprocess_mode="livemostrecent",
)
TELEMETRY_REPORTS = Counter(
    "gzvpp_mqtt_telemetry_reports",
    "经 MQTT 收到的遥测报告数：recorded 已记录，refused 未采纳（原因已发回该 VEN）",
    ["outcome"],
)
TELEMETRY_WAITING = Gauge(
    "gzvpp_mqtt_telemetry_waiting",
    "已收到、待写入的 MQTT 遥测报告数（每批写入后统计）",
    multiprocess_mode="livesum",
)
DB_CHECKED_OUT = Gauge(
    "gzvpp_db_pool_checked_out",
    "从连接池借出的数据库连接数",
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge(
    "gzvpp_db_pool_size",
    "连接池容量（多进程时为各进程之和）",
    multiprocess_mode="livesum",
)


class RouteTemplates:
    """The full path template of each route of ``router`` (``/api/events/{event_id}``).

    The router records in the scope the route object that took the request, as it was
    declared: in an included router its path lacks the prefix (``/events/{event_id}``), and
    one route object may be included under several prefixes. So the templates are read from
    the router's effective routes, once all are included (at the first request).
    """

    def __init__(self, router: Router) -> None:
        self._router = router
        self._templates: dict[int, list[tuple[re.Pattern[str], str]]] | None = None

    def label(self, scope: Scope) -> str:
        """The template of the route that took the request, or :data:`UNMATCHED`."""
        route = scope.get("route")
        if route is None:
            return UNMATCHED
        if self._templates is None:
            self._templates = self._read()
        for pattern, template in self._templates.get(id(route), ()):
            if pattern.match(scope["path"]):
                return template
        path = getattr(route, "path", None)  # a route the effective routes do not list
        return path if isinstance(path, str) else UNMATCHED

    def _read(self) -> dict[int, list[tuple[re.Pattern[str], str]]]:
        templates: dict[int, list[tuple[re.Pattern[str], str]]] = {}
        for context in iter_route_contexts(self._router.routes):
            pattern, template = getattr(context, "path_regex", None), context.path_format
            if isinstance(pattern, re.Pattern) and template is not None:
                templates.setdefault(id(context.original_route), []).append((pattern, template))
        return templates


def method_label(method: str) -> str:
    """The method, or :data:`OTHER_METHOD` for one HTTP does not define."""
    return method if method in METHODS else OTHER_METHOD


class RequestMetrics:
    """ASGI middleware timing each HTTP request from its arrival to its last byte, queueing
    for admission included (so it goes outside :class:`~gzvpp.kit.admission.AdmissionMiddleware`).
    The route is read after the request, from what ``router`` recorded in the shared scope."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.routes = RouteTemplates(router)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the application raises before answering

        async def watched_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        finally:
            method, route = method_label(scope["method"]), self.routes.label(scope)
            REQUEST_SECONDS.labels(method, route).observe(time.perf_counter() - started)
            RESPONSES.labels(method, route, str(status)).inc()


def instrument_pool(engine: Engine) -> None:
    """Count ``engine``'s connections in and out of its pool in :data:`DB_CHECKED_OUT`."""
    size = getattr(engine.pool, "size", None)
    if callable(size):  # SQLite's in-memory databases have a pool without a size
        DB_POOL_SIZE.set(size())
    event.listen(engine, "checkout", lambda *_: DB_CHECKED_OUT.inc())
    event.listen(engine, "checkin", lambda *_: DB_CHECKED_OUT.dec())


def exposition() -> bytes:
    """The metrics in Prometheus's text format: this process's, or with
    ``$PROMETHEUS_MULTIPROC_DIR`` every process's."""
    directory = os.environ.get(MULTIPROC_DIR_ENV)
    if not directory:
        return generate_latest(REGISTRY)
    _forget_dead_processes(Path(directory))
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def prepare_multiprocess_dir(directory: Path) -> None:
    """Make ``directory`` ready for a new start of the service: created, and emptied of the
    files an earlier run left (``prometheus_client`` would add them to this run's); those of
    this process, which may already serve, are kept."""
    directory.mkdir(parents=True, exist_ok=True)
    own = f"_{os.getpid()}"
    for stale in directory.glob("*.db"):
        if not stale.stem.endswith(own):
            stale.unlink()


def _forget_dead_processes(directory: Path) -> None:
    # A process the supervisor replaced (e.g. after kill -9) had no chance to clear its live
    # gauges: they would count its requests in flight, or its leadership, for ever.
    for file in directory.glob("gauge_live*_*.db"):
        pid = file.stem.rpartition("_")[2]
        if pid.isdigit() and not _alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), str(directory))  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
