"""Readiness checks and the metrics' access rule.

``/readyz`` asks the database for ``SELECT 1`` on a connection of its own (never the request
pool, which a saturated server has lent out), in a thread the check stops waiting for after
:data:`READY_TIMEOUT_S`; at most :data:`MAX_PENDING_CHECKS` such threads exist at once, so a
database that hangs cannot pile them up. With an MQTT broker configured
(``$GZVPP_MQTT_URL``), the process must also be connected to it: a process that cannot notify
VENs is not ready.

``/metrics`` answers only a bearer token equal to ``$GZVPP_METRICS_TOKEN`` (at least
:data:`MIN_METRICS_TOKEN_LENGTH` characters); without that setting it is closed. Not the
loopback address: behind a reverse proxy on the same machine every request comes from
loopback. Not a grid operator's token: checking it needs the database (metrics matter most
when the database is in trouble) and would tie monitoring to a person's account.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from gzkit.errors import Forbidden, Unauthorized
from gzvpp.jobs import repository as jobs
from gzvpp.kit import metrics
from gzvpp.openadr.mqtt import MqttPublisher

READY_TIMEOUT_S = 2.0
MAX_PENDING_CHECKS = 4
METRICS_TOKEN_ENV = "GZVPP_METRICS_TOKEN"
MIN_METRICS_TOKEN_LENGTH = 32

OK = "ok"
FAILED = "failed"
NOT_CONFIGURED = "not_configured"
DATABASE_SILENT = (
    f"数据库未在 {READY_TIMEOUT_S:g} 秒内应答 / the database did not answer within "
    f"{READY_TIMEOUT_S:g} s"
)
DATABASE_UNREACHABLE = "无法连接数据库 / cannot reach the database"
MQTT_DISCONNECTED = "未连接 MQTT 代理 / not connected to the MQTT broker"

log = logging.getLogger(__name__)


@dataclass
class Readiness:
    """Each check's outcome (``ok``, ``failed``, ``not_configured``) and, when one failed,
    why, in one line."""

    checks: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.reasons

    def body(self) -> dict[str, object]:
        """The JSON answer."""
        if self.ready:
            return {"status": "ready", "checks": self.checks}
        return {"status": "not_ready", "reason": "；".join(self.reasons), "checks": self.checks}


class DatabaseProbe:
    """``SELECT 1`` (or the jobs' count) on a new connection to ``url`` each time, bounded in
    time."""

    def __init__(self, url: str) -> None:
        timeout = int(READY_TIMEOUT_S)
        if make_url(url).get_backend_name() == "postgresql":
            connect_args: dict[str, object] = {
                "connect_timeout": max(2, timeout),  # libpq's least
                "options": f"-c statement_timeout={int(READY_TIMEOUT_S * 1000)}",
                "application_name": "gzvpp-readyz",
            }
        else:
            connect_args = {"timeout": READY_TIMEOUT_S}
        self._engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
        self._pending = threading.BoundedSemaphore(MAX_PENDING_CHECKS)

    async def problem(self) -> str | None:
        """None if the database answered in time, else why not."""
        return await self._bounded(lambda connection: connection.execute(text("SELECT 1")))

    async def count_jobs(self) -> None:
        """Set the jobs gauge from the database, on the check's terms: if the database does not
        answer in time the gauge keeps its last value (the metrics never wait for it)."""
        problem = await self._bounded(_count_jobs)
        if problem is not None:
            log.warning("metrics: jobs not counted: %s", problem)

    async def _bounded(self, work: Callable[[Connection], object]) -> str | None:
        """Run ``work`` on a new connection within the timeout; None, or why it did not."""
        if not self._pending.acquire(blocking=False):
            return DATABASE_SILENT  # the earlier checks still wait for it
        try:
            with anyio.fail_after(READY_TIMEOUT_S):
                await anyio.to_thread.run_sync(self._run, work, abandon_on_cancel=True)
        except TimeoutError:
            return DATABASE_SILENT
        except SQLAlchemyError as err:  # its words name hosts and ports: logged, not sent
            log.warning("readiness: the database refused: %s", err)
            return DATABASE_UNREACHABLE
        return None

    def _run(self, work: Callable[[Connection], object]) -> None:
        try:
            with self._engine.connect() as connection:
                work(connection)
        finally:
            self._pending.release()

    def dispose(self) -> None:
        self._engine.dispose()


async def readiness(database: DatabaseProbe, publisher: MqttPublisher | None) -> Readiness:
    """The process's readiness: the database answers; the MQTT broker, if configured, is
    connected."""
    result = Readiness()
    problem = await database.problem()
    result.checks["database"] = OK if problem is None else FAILED
    if problem is not None:
        result.reasons.append(problem)
    if publisher is None:
        result.checks["mqtt"] = NOT_CONFIGURED
    elif publisher.connected:
        result.checks["mqtt"] = OK
    else:
        result.checks["mqtt"] = FAILED
        result.reasons.append(MQTT_DISCONNECTED)
    return result


def metrics_token() -> str | None:
    """``$GZVPP_METRICS_TOKEN``, None when unset (the metrics are closed).

    Raises
    ------
    ValueError
        Naming the variable, if the token is shorter than :data:`MIN_METRICS_TOKEN_LENGTH`.
    """
    token = os.environ.get(METRICS_TOKEN_ENV, "").strip()
    if not token:
        return None
    if len(token) < MIN_METRICS_TOKEN_LENGTH:
        raise ValueError(
            f"{METRICS_TOKEN_ENV} must be at least {MIN_METRICS_TOKEN_LENGTH} characters "
            "(e.g. `openssl rand -hex 32`)"
        )
    return token


def check_metrics_access(expected: str | None, authorization: str | None) -> None:
    """Let the request through if its bearer token is the metrics token.

    Raises
    ------
    Forbidden
        The metrics are closed (no token configured), or the token is another one.
    Unauthorized
        No bearer token.
    """
    if expected is None:
        raise Forbidden(
            f"监控指标未开放：请设置 {METRICS_TOKEN_ENV} / metrics are closed: "
            f"set {METRICS_TOKEN_ENV}"
        )
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("需要监控令牌 / the metrics token is required (Authorization: Bearer)")
    if not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Forbidden("此令牌不能读取监控指标 / this token may not read the metrics")


def _count_jobs(connection: Connection) -> None:
    """The jobs by status into their gauge: the queue's depth is the same for every process."""
    with Session(connection) as session:
        for status, count in jobs.counts(session).items():
            metrics.JOBS.labels(status.value).set(count)
