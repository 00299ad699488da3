"""Helpers for the tests of several server processes on one PostgreSQL database: real
``gzvpp serve`` processes, the servers' clock, invitations that close soon after they start.

The servers run the clock from ``CLOCK_START`` (--clock-start). A test moves an invitation's
close to a few seconds ahead of the servers' time (the stored ``bids_close_at`` that every check
and the scheduler read), so that it closes soon after the servers are up, however long they
took to start.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from events_support import Member, create, event_body
from service_api import Api
from sqlalchemy import func, select, text, update

from gzkit.testing import free_port
from gzvpp.kit import settings
from gzvpp.kit.locks import NAMESPACE, Lock
from gzvpp.models import AuditLog, Event, EventStatus

T = TypeVar("T")
D = dt.date(2025, 6, 3)  # a Tuesday; the service tests' simulated clock starts on D-1
CLOCK_START = "2025-06-02 10:00:00"  # the servers' time at their start: D-1, before any close
INTERVAL_S = 2.0  # the servers' scheduler interval
VTN = "/openadr3/3.1.0"
METRICS_TOKEN = "w" * 40  # the servers' GZVPP_METRICS_TOKEN


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


PORT_ATTEMPTS = 3


def _bound(server: Server) -> bool:
    """False once ``server`` has stopped because its port was taken; True when it answers,
    or stops or hangs for any other reason (which the caller's wait reports)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return b"Address already in use" not in server.log.read_bytes()
        try:
            httpx.get(server.base, timeout=1)
            return True
        except httpx.TransportError:
            time.sleep(0.1)
    return True


def wait_for(probe: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def serve(
    url: str, directory: Path, name: str, workers: int = 1, clock_start: str = CLOCK_START
) -> Iterator[Server]:
    """``gzvpp serve`` on ``url`` in a process group of its own, answering on a free port.

    A free port is found by binding port 0 and letting it go, so another program may take it
    before the server binds it: then the server is started again on another port."""
    environment = {
        **os.environ,
        "GZVPP_MQTT_URL": "none",
        "GZVPP_OPENADR_HTTP_CALLBACKS": "1",
        "GZVPP_SCHEDULER_INTERVAL_S": str(INTERVAL_S),
        "GZVPP_METRICS_TOKEN": METRICS_TOKEN,
    }
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)  # gzvpp serve makes its own
    command = [sys.executable, "-m", "gzvpp", "serve", "--database-url", url]
    command += ["--workers", str(workers), "--clock-start", clock_start]
    log = directory / f"{name}.log"
    for _attempt in range(PORT_ATTEMPTS):
        port = free_port()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*command, "--port", str(port)],
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(f"http://127.0.0.1:{port}", process, log)
        if _bound(server):
            break
    try:

        def answers() -> bool:
            assert process.poll() is None, log.read_text()
            try:
                return httpx.get(f"{server.base}{VTN}/auth/server").status_code == 200
            except httpx.TransportError:
                return False

        wait_for(answers, 60, f"{name} to answer")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def platform_now(api: Api) -> dt.datetime:
    """The servers' time, from the clock ``gzvpp serve`` recorded for its processes."""
    with api.session() as session:
        shared = settings.service_clock(session)
    assert shared is not None and shared.name == "设定时钟"
    return shared.clock().now()


def close_soon(api: Api, event_id: str, seconds: float = 1.0) -> dt.datetime:
    """Move the invitation's close to ``seconds`` ahead of the servers' time; the close."""
    close = platform_now(api) + dt.timedelta(seconds=seconds)
    with api.session() as session:
        session.execute(update(Event).where(Event.id == event_id).values(bids_close_at=close))
    return close


def status(api: Api, event_id: str) -> EventStatus:
    with api.session() as session:
        found = session.get(Event, event_id)
        assert found is not None
        return found.status


def rankings_of(api: Api, event_id: str) -> int:
    """How many times the event was ranked, by the audit log."""
    with api.session() as session:
        count = session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.entity_id == event_id, AuditLog.action == "event.rank")
        )
        return int(count or 0)


def scheduler_pids(api: Api) -> list[int]:
    """The processes holding the scheduler's lock (by the name of its connection)."""
    with api.session() as session:
        names = session.scalars(
            text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :namespace"
                " AND l.objid = :lock"
            ),
            {"namespace": NAMESPACE, "lock": int(Lock.SCHEDULER)},
        ).all()
    return [int(name.rpartition("pid=")[2]) for name in names]


def invitation(api: Api, day: dt.date, station: str) -> str:
    """A bidding-mode day-ahead invitation of 2000 kW on ``day`` 10:00–11:00 at ``station``."""
    body = event_body(at(day, 10), at(day, 11), station, price_mode="bidding", fixed_price=None)
    return str(create(api, body)["id"])


def bids_of(members: list[Member]) -> list[dict[str, str]]:
    """400 kW from each member at its own price, so the ranking is the prices' order."""
    return [{"kw": "400", "price": f"{1 + 0.05 * i:.2f}"} for i in range(len(members))]


def ranking(client: Any, base: str, event_id: str, headers: dict[str, str]) -> list[Any]:
    response = client.get(f"{base}/api/events/{event_id}/ranking", headers=headers)
    assert response.status_code == 200, response.text
    return [
        (e["participant_id"], e["kw"], e["price"], e["place"], e["accepted"])
        for e in response.json()["entries"]
    ]


@pytest.fixture(scope="module", name="workers")
def workers_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``gzvpp serve --workers 2`` on the module's database (import it to use it)."""
    with serve(database_url, tmp_path_factory.mktemp("workers"), "workers", workers=2) as server:
        yield server
