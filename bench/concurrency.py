"""Benchmark: the platform under a busy morning, as a separate server process on loopback.

    .venv/bin/python bench/concurrency.py [--postgres] [--clients 200] [--seconds 60]
        [--vens 1000] [--think 1.0] [--workers 1] [--no-overload]

The server is ``gzvpp serve`` in its own process on a fresh database (SQLite by default;
``--postgres`` makes a throwaway database on ``$GZVPP_TEST_POSTGRES_URL``), its clock started on
the eve of a response day so that the day-ahead invitation's bids close at 11:00 while the
console load runs and the real scheduler thread has to rank it on time. The load comes from
other processes, every client a real connection: the bids and the checks from this one (asyncio +
httpx), the steady load from wrk (``bench/wrkload.py``: a Python client would spend as much CPU per
request as the server, on the same two cores, and measure itself):

1. console: ``--clients`` signed-in dispatchers, each loading a page (总览 or the events list) and
   ``/api/events`` in turn, ``--think`` seconds per pair (0 = back to back), for ``--seconds``;
2. bids: ``--clients`` participants bid into the one invitation at the same instant, then 50
   bids from one participant at once (the duplicate race);
3. OpenADR: ``--vens`` VENs each poll ``GET /events`` every ~4.3 s (3.6–4.4 s after each
   answer: more often than the 5 s asked, so that no connection outlives uvicorn's 5 s keep-alive)
   for ``--seconds`` while the grid operator creates a second invitation; 20 of them, polled from
   here, time when they see it;
4. meter uploads: the metering system sends the last ``--upload-days`` days of 15-minute loads
   for every participant's account as ``--upload-files`` Parquet files a day, ``--upload-at-once``
   of them in flight at a time (each upload commits its readings and queues an evaluation job);
5. overload: the same VENs poll at 1 Hz for 20 s, past capacity: the server must queue within
   its bound and answer 503 with ``Retry-After`` past it rather than hang, and answer normally
   within seconds after the burst.

Then it checks the invitation was ranked by the scheduler within one interval of its close.
``--workers N`` runs the server as N processes (``gzvpp serve --workers N``, PostgreSQL only),
each with a pool of at most ``WORKERS_CONNECTIONS / N`` connections (at least 8) so that they
stay well inside the server's 100; ``--no-overload`` leaves phase 5 out (``make bench-workers``
runs phases 1–4 with 1, 2 and 4 processes).
A measurement, not a test: it prints the figures and the targets of issue #9 beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import enrolment
import wrkload
from enrolment import GRID
from gzkit.db import make_sessionmaker, session_scope
from gzvpp.events import schemas as events_schemas
from gzvpp.events.scheduler import DEFAULT_INTERVAL_S
from gzvpp.events.service import event_service
from gzvpp.kit.auth import create_user
from gzvpp.kit.db import make_engine, upgrade
from gzvpp.models import Role
from gzvpp.openadr.provisioning import add_ven

EVE = dt.date(2025, 7, 1)  # a Tuesday; the response days are Wednesday and Thursday
DAY = EVE + dt.timedelta(days=1)
BIDS_CLOSE = dt.datetime.combine(EVE, dt.time(11, 0))
OA3 = "/openadr3/3.1.0"
POLL_THINK_S = 4.0  # ± 10 %: 3.6–4.4 s, so wrk idles well inside the 5 s keep-alive even when late
WATCHERS = 20  # VENs polled from here to time when they see a new event
WORKERS_CONNECTIONS = 48  # shared by the server's processes when there are several


@dataclass
class Tally:
    """Latencies (s) and status codes of one phase."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int | str] = field(default_factory=Counter)
    retry_after: int = 0

    def add(self, started: float, response: httpx.Response | None, error: str = "") -> None:
        self.latencies.append(time.perf_counter() - started)
        self.statuses[response.status_code if response is not None else error] += 1
        if response is not None and "retry-after" in response.headers:
            self.retry_after += 1

    def line(self, name: str, seconds: float) -> str:
        ordered = sorted(self.latencies)
        n = len(ordered)
        p = (lambda q: ordered[min(n - 1, int(q * n))] * 1000) if n else (lambda q: 0.0)
        errors = sum(c for s, c in self.statuses.items() if not (isinstance(s, int) and s < 500))
        return (
            f"{name}: {n} requests, {n / seconds:.0f} req/s, p50 {p(0.5):.0f} ms, "
            f"p99 {p(0.99):.0f} ms, max {p(1.0):.0f} ms, errors (5xx or none) {errors}, "
            f"statuses {dict(sorted(self.statuses.items(), key=str))}"
        )


def seed(url: str, participants: int, vens: int) -> dict[str, object]:
    """Active power users, a token for each, a grid operator, and OpenADR 3 VENs."""
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    at = BIDS_CLOSE - dt.timedelta(days=60)
    tokens: list[str] = []
    accounts: list[str] = []
    ven_credentials: list[tuple[str, str, str]] = []
    with session_scope(factory) as session:
        _, operator = create_user(
            session, name="调度员", role=Role.GRID_OPERATOR, participant_id=None, at=at
        )
        _, metering = create_user(
            session, name="计量自动化系统", role=Role.METERING, participant_id=None, at=at
        )
        for i in range(max(participants, vens)):
            accounts.append(f"0900{i:08d}")
            application = enrolment.power_user(
                f"压测用户{i:04d}", accounts[-1], feeder=f"F{i % 40:02d}"
            )
            participant_id = enrolment.activate(session, at, application)
            if i < participants:
                tokens.append(
                    create_user(
                        session,
                        name=f"用户{i}",
                        role=Role.POWER_USER,
                        participant_id=participant_id,
                        at=at,
                    )[1]
                )
            if i < vens:
                credentials = add_ven(session, "bench", at, participant_id)[0]
                assert credentials.client_id and credentials.client_secret
                # A VEN asks for the events targeted at it (untargeted ones only otherwise).
                query = urlencode({"targets": credentials.targets}, doseq=True)
                ven_credentials.append((credentials.client_id, credentials.client_secret, query))
        published = dt.datetime.combine(EVE, dt.time(8, 30))
        create = events_schemas.EventCreate.model_validate(invitation(DAY))
        event_id = event_service.create(session, GRID, published, create).id
    engine.dispose()
    return {
        "operator": operator,
        "metering": metering,
        "accounts": accounts,
        "tokens": tokens,
        "vens": ven_credentials,
        "event": event_id,
    }


def meter_files(accounts: list[str], days: int, per_day: int) -> list[bytes]:
    """The metering system's Parquet files: for each of the ``days`` days before the eve,
    the accounts' 96 readings split into ``per_day`` files (as by feeder)."""
    rng = np.random.default_rng(11)
    files = []
    for back in range(days, 0, -1):
        midnight = dt.datetime.combine(EVE - dt.timedelta(days=back), dt.time())
        stamps = np.array(
            [midnight + dt.timedelta(minutes=15 * k) for k in range(96)], dtype="datetime64[s]"
        )
        for part in np.array_split(np.array(accounts), per_day):
            kw = rng.uniform(100, 1000, size=(len(part), 96)).round(1)
            table = pa.table(
                {
                    "account_id": np.repeat(part, 96),
                    "ts": np.tile(stamps, len(part)),
                    "kw": kw.ravel(),
                }
            )
            sink = io.BytesIO()
            pq.write_table(table, sink)
            files.append(sink.getvalue())
    return files


def invitation(day: dt.date) -> dict[str, str]:
    """A day-ahead peak invitation to everyone for 14:00–15:00 on ``day``."""
    return {
        "direction": "peak",
        "mode": "day_ahead",
        "start_at": f"{day}T14:00:00",
        "end_at": f"{day}T15:00:00",
        "demand_kw": "20000",
        "price_mode": "bidding",
    }


async def request(
    client: httpx.AsyncClient, tally: Tally, method: str, url: str, **kwargs: object
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as err:
        tally.add(started, None, type(err).__name__)
        return None
    tally.add(started, response)
    return response


async def load(base: str, seeded: dict[str, object], args: argparse.Namespace) -> int:
    # Idle connections are dropped by the client before the server's 5 s keep-alive ends, so
    # that no request goes out on a connection the server is closing.
    limits = httpx.Limits(
        max_connections=None, max_keepalive_connections=None, keepalive_expiry=2.0
    )
    timeout = httpx.Timeout(120.0)
    operator = str(seeded["operator"])
    tokens: list[str] = seeded["tokens"]  # type: ignore[assignment]
    vens: list[tuple[str, str, str]] = seeded["vens"]  # type: ignore[assignment]
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as http:
        grid = {"Authorization": f"Bearer {operator}"}
        event_id = seeded["event"]
        print(f"invitation {event_id} published at 08:30; bids close at {BIDS_CLOSE:%H:%M}")

        # 2. bids: every participant at once, then one participant 50 times at once.
        bids = Tally()
        started = time.perf_counter()
        await asyncio.gather(
            *(
                request(
                    http,
                    bids,
                    "POST",
                    f"/api/events/{event_id}/bids",
                    json={"kw": "500", "price": "3"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                for token in tokens
            )
        )
        print(bids.line(f"bids, {len(tokens)} at once", time.perf_counter() - started))
        same = Tally()
        started = time.perf_counter()
        await asyncio.gather(
            *(
                request(
                    http,
                    same,
                    "POST",
                    f"/api/events/{event_id}/bids",
                    json={"kw": str(400 + k), "price": "3"},
                    headers={"Authorization": f"Bearer {tokens[0]}"},
                )
                for k in range(50)
            )
        )
        print(same.line("bids, one participant 50 at once", time.perf_counter() - started))

        # 1. the console under the dispatchers, while the bids close and the scheduler ranks.
        cookie = ("Cookie", f"gzvpp_token={operator}")
        bearer = ("Authorization", f"Bearer {operator}")
        dispatchers = [
            wrkload.Request("GET", "/console/overview", cookie),
            wrkload.Request("GET", "/api/events", bearer),
            wrkload.Request("GET", "/console/events", cookie),
            wrkload.Request("GET", "/api/events", bearer),
        ]
        console = await asyncio.to_thread(
            wrkload.run,
            base,
            dispatchers,
            connections=args.clients,
            seconds=args.seconds,
            think_s=args.think / 2,
        )
        print(console.line(f"console, {args.clients} clients"))

        # 3. VENs polling every ~4.3 s while a second invitation is created.
        ven_tokens: list[tuple[str, str]] = []
        auth = Tally()
        for start in range(0, len(vens), 100):
            replies = await asyncio.gather(
                *(
                    request(
                        http,
                        auth,
                        "POST",
                        f"{OA3}/auth/token",
                        data={
                            "grant_type": "client_credentials",
                            "client_id": cid,
                            "client_secret": secret,
                        },
                    )
                    for cid, secret, _ in vens[start : start + 100]
                )
            )
            ven_tokens += [
                (r.json()["access_token"], query)
                for r, (_, _, query) in zip(replies, vens[start : start + 100], strict=True)
                if r is not None
            ]
        seen_at: dict[int, float] = {}
        second: dict[str, object] = {}
        polling = [
            wrkload.Request("GET", f"{OA3}/events?{query}", ("Authorization", f"Bearer {token}"))
            for token, query in ven_tokens
        ]

        async def watcher(i: int) -> None:
            """One of the sampled VENs, polling as the others do, timing the second event."""
            await asyncio.sleep(i % 5)
            deadline = time.perf_counter() + args.seconds
            while time.perf_counter() < deadline:
                token, query = ven_tokens[i]
                response = await http.get(
                    f"{OA3}/events?{query}", headers={"Authorization": f"Bearer {token}"}
                )
                if (
                    "at" in second
                    and i not in seen_at
                    and response.status_code == 200
                    and len(response.json()) > second["before"]  # type: ignore[operator]
                ):
                    seen_at[i] = time.perf_counter()
                await asyncio.sleep(POLL_THINK_S)

        async def create_second() -> None:
            await asyncio.sleep(args.seconds / 3)
            token, query = ven_tokens[0]
            before = await http.get(
                f"{OA3}/events?{query}", headers={"Authorization": f"Bearer {token}"}
            )
            second["before"] = len(before.json())
            second["at"] = time.perf_counter()
            later = DAY + dt.timedelta(days=1)
            reply = await http.post("/api/events", json=invitation(later), headers=grid)
            print(f"second invitation: {reply.status_code}")

        sampled = min(WATCHERS, len(ven_tokens))
        polls, *_ = await asyncio.gather(
            asyncio.to_thread(
                wrkload.run,
                base,
                polling,
                connections=len(ven_tokens) - sampled,
                seconds=args.seconds,
                # Each connection kept inside uvicorn's 5 s keep-alive
                # (wrk does not reconnect an idle connection the server is closing).
                think_s=POLL_THINK_S,
                jitter=0.1,
            ),
            create_second(),
            *(watcher(i) for i in range(sampled)),
        )
        print(polls.line(f"OpenADR, {len(ven_tokens)} VENs every ~4.3 s"))
        lags = sorted(t - float(second["at"]) for t in seen_at.values())  # type: ignore[arg-type]
        print(
            f"  the second invitation seen by {len(lags)} of {sampled} sampled VENs"
            + (f", the last {lags[-1]:.1f} s after it was created" if lags else "")
            + " (next poll ≤ 5 s)"
        )

        # 4. meter uploads, a few in flight at a time, as the metering system sends them.
        files = meter_files(seeded["accounts"], args.upload_days, args.upload_files)  # type: ignore[arg-type]
        uploads = Tally()
        metering = {"Authorization": f"Bearer {seeded['metering']}"}
        in_flight = asyncio.Semaphore(args.upload_at_once)

        async def upload(number: int, body: bytes) -> None:
            async with in_flight:
                await request(
                    http,
                    uploads,
                    "POST",
                    "/api/meterdata/loads:upload",
                    files={"file": (f"loads-{number:03d}.parquet", body)},
                    headers=metering,
                )

        started = time.perf_counter()
        await asyncio.gather(*(upload(k, body) for k, body in enumerate(files)))
        elapsed = time.perf_counter() - started
        values = len(seeded["accounts"]) * 96 * args.upload_days  # type: ignore[arg-type]
        print(uploads.line(f"meter uploads, {args.upload_at_once} at once", elapsed))
        print(f"  {values:,} readings in {elapsed:.1f} s: {values / elapsed:,.0f} readings/s")

        if args.no_overload:
            detail = (await http.get(f"/api/events/{event_id}", headers=grid)).json()
            return check_close(detail)

        # 5. past capacity: the same VENs at 1 Hz, then a single request after the burst.
        burst = await asyncio.to_thread(
            wrkload.run, base, polling, connections=len(ven_tokens), seconds=20, think_s=1
        )
        print(burst.line(f"overload, {len(ven_tokens)} VENs at 1 Hz"))
        print(f"  answers with Retry-After: {burst.retry_after}")
        started = time.perf_counter()
        after = await http.get("/api/events", headers=grid)
        print(
            f"  after the burst: GET /api/events → {after.status_code} in "
            f"{time.perf_counter() - started:.2f} s"
        )

        detail = (await http.get(f"/api/events/{event_id}", headers=grid)).json()
        return check_close(detail)


def check_close(detail: dict[str, object]) -> int:
    ranked = detail.get("ranked_at")
    print(f"scheduler: invitation status {detail['status']}, ranked at {ranked}")
    if not ranked:
        print("  NOT ranked: the scheduler missed the close")
        return 1
    lag = (dt.datetime.fromisoformat(str(ranked)) - BIDS_CLOSE).total_seconds()
    verdict = "within" if lag <= DEFAULT_INTERVAL_S + 5 else "NOT within"
    print(f"  ranked {lag:.1f} s after the close, {verdict} one scheduler interval")
    return 0 if verdict == "within" else 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_database() -> tuple[str, Callable[[], None]]:
    admin_url = os.environ.get(
        "GZVPP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    name = f"gzvpp_bench_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--vens", type=int, default=1000)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL)")
    parser.add_argument("--upload-days", type=int, default=5, help="days of meter data sent")
    parser.add_argument("--upload-files", type=int, default=8, help="meter files per day")
    parser.add_argument("--upload-at-once", type=int, default=4, help="uploads in flight")
    parser.add_argument("--no-overload", action="store_true", help="leave phase 5 out")
    args = parser.parse_args()
    if args.workers > 1 and not args.postgres:
        parser.error("--workers above 1 needs --postgres")
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if args.postgres:
        url, drop = postgres_database()
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    try:
        started = time.perf_counter()
        seeded = seed(url, args.clients, args.vens)
        print(
            f"setup: {max(args.clients, args.vens)} participants, {args.vens} VENs on "
            f"{make_url(url).get_backend_name()} in {time.perf_counter() - started:.1f} s"
        )
        pool = (
            {"GZVPP_DB_POOL_SIZE": str(min(20, max(8, WORKERS_CONNECTIONS // args.workers)))}
            if args.workers > 1
            else {}
        )
        print(f"server: {args.workers} process(es) {pool or ''}")
        port = free_port()
        server_log = Path(tempfile.mkdtemp()) / "server.log"
        # The close falls in the middle of the console phase, which follows the bids.
        clock_start = BIDS_CLOSE - dt.timedelta(seconds=10 + args.seconds / 2)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gzvpp",
                "serve",
                "--database-url",
                url,
                "--port",
                str(port),
                "--clock-start",
                f"{clock_start:%Y-%m-%d %H:%M:%S}",
                "--workers",
                str(args.workers),
            ],
            env=os.environ | {"GZVPP_MQTT_URL": "none"} | pool,
            stdout=subprocess.DEVNULL,
            stderr=server_log.open("w"),
        )
        print(f"server log: {server_log}")
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    httpx.get(f"{base}/openapi.json", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            return asyncio.run(load(base, seeded, args))
        finally:
            server.terminate()
            server.wait(30)
    finally:
        drop()


if __name__ == "__main__":
    sys.exit(main())
