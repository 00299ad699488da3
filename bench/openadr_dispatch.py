"""Benchmark: one real-time dispatch to 2,000 VENs connected at once, until every VEN knows.

    .venv/bin/python bench/openadr_dispatch.py [--vens 2000] [--database-url URL]
        [--telemetry MINUTES]

The platform runs as in production: the app under uvicorn on loopback, its relay and notifier
threads, Mosquitto at 127.0.0.1:1883. N active real-time participants each have an OpenADR 3
VEN; the VENs are N MQTT clients in a second process (one selector loop drives them all), each
subscribed to its own topic ``openadr3/vens/{venID}/events/+`` — the way a VEN on the far side
of a firewall is told at once. The grid operator then creates a real-time event over HTTP
(``POST /api/events``): the events service selects every participant, computes the flat
baselines and writes N dispatch notifications; the relay turns them into N OpenADR events; the
notifier publishes each on its VEN's topic (and every one on the BL topic). The clock runs from
the POST to the moment the last VEN process has the message in hand; the target is 10 s for
10,000 VENs (issue #11 §4). docs/scale.md has the figures.

MQTT rather than webhooks: 2,000 webhook receivers would be 2,000 HTTP servers (or one
server pretending), and a VEN behind NAT cannot take webhooks anyway; 2,000 MQTT connections
are genuine concurrent clients and cost the 2-core machine little.

``--telemetry MINUTES`` goes on as the VENs then do (the 5-minute target check of issue #11 §4):
each VEN trades its client credentials for a token (``POST /auth/token``) and, for each minute
from the one after the notice, sends its load of that minute as an OpenADR 3 report
(``POST /reports``, one ``DEMAND`` reading), ``--in-flight`` requests at a time over real HTTP
(httpx.AsyncClient in the VENs' process). The simulated clock stands at the end of the minute
reported. Nine VENs in ten report a response above their target, every tenth one below it.
Then the awards in the database must show ``target_reached_at`` for exactly the former, each
within the 5 minutes after the notice (``REALTIME_TARGET``), and the grid operator's monitoring
view (``GET /api/events/{id}/monitoring``) must count them. The figures to watch: how long one
minute's reports of every VEN take to be answered, against the minute before the next ones.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import selectors
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from itertools import pairwise
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
import orjson
import paho.mqtt.client as mqtt
import uvicorn
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

import enrolment
from concurrency import OA3, Tally, request
from enrolment import GRID
from gzkit.clock import SimulatedClock
from gzkit.db import count_statements, session_scope
from gzvpp.app import create_app
from gzvpp.events.realtime import REALTIME_TARGET
from gzvpp.jobs.service import Runner
from gzvpp.meterdata.plausibility import MeterSettings
from gzvpp.meterdata.schemas import Reading, ReadingsUpload
from gzvpp.meterdata.service import meterdata_service
from gzvpp.models import Award, Role, Telemetry
from gzvpp.openadr.mqtt_telemetry import telemetry_topic
from gzvpp.openadr.provisioning import VenCredentials, add_ven
from gzvpp.openadr.runtime import Settings, install
from gzvpp.serving import tune_gc

BROKER = ("127.0.0.1", 1883)
DAY = dt.date(2025, 7, 15)  # a Tuesday
NOTICE = dt.datetime.combine(DAY, dt.time(14, 2))
WINDOW_START = dt.datetime.combine(DAY, dt.time(14, 15))
BASELINE_KW = 1000.0  # every participant's metered load before the notice
TARGET_KW = 100  # every participant's real-time capability, all of it dispatched
SHORT_EVERY = 10  # every tenth VEN reports a response below its target
IN_FLIGHT = 48  # the VENs' requests in flight at once (--in-flight)


def enrol(app_state: object, count: int) -> list[VenCredentials]:
    """``count`` active real-time power users (100 kW each) with meter data before the window,
    each with an OpenADR 3 VEN; the VENs' credentials."""
    factory = app_state.sessionmaker  # type: ignore[attr-defined]
    now = NOTICE - dt.timedelta(days=30)
    ids: list[str] = []
    with session_scope(factory) as session:
        for i in range(count):
            application = enrolment.power_user(
                f"实时用户 {i:04d}",
                f"0800{i:08d}",
                capability_kw="600",
                feeder=f"F{i % 40:02d}",
                realtime_kw=str(TARGET_KW),
            )
            ids.append(enrolment.activate(session, now, application))
        readings = [
            Reading(
                account_id=f"0800{i:08d}",
                ts=dt.datetime.combine(DAY, dt.time(13, 0)) + dt.timedelta(minutes=15 * k),
                kw=BASELINE_KW,
            )
            for i in range(count)
            for k in range(5)
        ]
        # The real-time baseline (R4) is the mean of the 2 intervals before the window, 13:45
        # and 14:00; the 14:00 one ends only at 14:15, after the notice, so the platform would
        # refuse it at 14:02 and every award would have no baseline (nothing to measure the
        # telemetry against). Stored as if sent at 14:15, as the tests store meter data ahead.
        meterdata_service.upload_readings(
            session,
            GRID,
            WINDOW_START,
            ReadingsUpload(readings=readings),
            MeterSettings(),
            Runner.INLINE,
        )
        return [add_ven(session, "bench", now, pid)[0] for pid in ids]


def demand(event_id: str, minute: dt.datetime, kw: float) -> dict[str, object]:
    """A VEN's report of its load (kW) in ``minute``, as OpenADR 3 ``DEMAND``."""
    return {
        "eventID": event_id,
        "clientName": "bench",
        "resources": [
            {
                "resourceName": "meter",
                "intervals": [
                    {
                        "id": 0,
                        "intervalPeriod": {
                            "start": f"{minute.isoformat()}+08:00",
                            "duration": "PT1M",
                        },
                        "payloads": [{"type": "DEMAND", "values": [kw]}],
                    }
                ],
            }
        ],
    }


def short(index: int) -> bool:
    """Whether the ``index``-th VEN reports a response below its target."""
    return index % SHORT_EVERY == 0


def load(index: int) -> float:
    """The load the ``index``-th VEN reports: a response of half its target or 1.2 times it."""
    return BASELINE_KW - (TARGET_KW / 2 if short(index) else TARGET_KW * 1.2)


async def report(
    base: str,
    vens: list[VenCredentials],
    events: dict[str, str],
    pipe: Connection,
    minutes: int,
    in_flight_at_once: int,
) -> list[str]:
    """Every VEN fetches a token, then reports each of ``minutes`` minutes after the notice,
    ``in_flight_at_once`` requests at a time; a line of figures per phase. Before each minute
    the main process is asked to set its clock to that minute's end."""
    in_flight = asyncio.Semaphore(in_flight_at_once)
    # Idle connections are dropped before the server's 5 s keep-alive ends (as concurrency.py).
    limits = httpx.Limits(
        max_connections=in_flight_at_once,
        max_keepalive_connections=in_flight_at_once,
        keepalive_expiry=2.0,
    )
    headers: dict[str, dict[str, str]] = {}
    lines = []
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=300) as http:

        async def post(tally: Tally, url: str, **kwargs: object) -> httpx.Response | None:
            async with in_flight:
                return await request(http, tally, "POST", url, **kwargs)

        async def sign_in(ven: VenCredentials, tally: Tally) -> None:
            credentials = {
                "grant_type": "client_credentials",
                "client_id": ven.client_id,
                "client_secret": ven.client_secret,
            }
            answer = await post(tally, f"{OA3}/auth/token", data=credentials)
            if answer is not None and answer.status_code == 200:
                headers[ven.ven_id] = {"Authorization": f"Bearer {answer.json()['access_token']}"}

        tokens = Tally()
        started = time.perf_counter()
        await asyncio.gather(*(sign_in(ven, tokens) for ven in vens))
        lines.append(tokens.line("tokens", time.perf_counter() - started))
        for k in range(minutes):
            minute = NOTICE + dt.timedelta(minutes=1 + k)
            pipe.send(("minute", minute + dt.timedelta(minutes=1)))
            pipe.recv()
            reports = Tally()
            started = time.perf_counter()
            await asyncio.gather(
                *(
                    post(
                        reports,
                        f"{OA3}/reports",
                        json=demand(events[ven.ven_id], minute, load(i)),
                        headers=headers[ven.ven_id],
                    )
                    for i, ven in enumerate(vens)
                )
            )
            elapsed = time.perf_counter() - started
            lines.append(
                reports.line(f"reports of {minute:%H:%M}", elapsed)
                + f"; first sent to last answered {elapsed:.1f} s"
            )
    return lines


def publish_telemetry(
    vens: list[VenCredentials],
    clients: list[mqtt.Client],
    events: dict[str, str],
    pipe: Connection,
    minutes: int,
    pump: Callable[[float], None],
) -> None:
    """Every VEN publishes its report of each of ``minutes`` minutes after the notice on its
    telemetry topic (QoS 1), the clock set first as over HTTP; the main process is told when
    the first was sent and waits until every reading of the minute is stored."""
    for k in range(minutes):
        minute = NOTICE + dt.timedelta(minutes=1 + k)
        pipe.send(("minute", minute + dt.timedelta(minutes=1)))
        pipe.recv()
        first_sent = time.time()
        for i, (ven, client) in enumerate(zip(vens, clients, strict=True)):
            body = orjson.dumps(demand(events[ven.ven_id], minute, load(i)))
            client.publish(telemetry_topic(ven.ven_id), body, qos=1)
            client.loop_write()
        pipe.send(("published", minute, first_sent, time.time()))
        while not pipe.poll():
            pump(0.05)  # the PUBACKs
        pipe.recv()
    pipe.send(("reported", []))


def vens_process(
    vens: list[VenCredentials],
    pipe: Connection,
    minutes: int,
    in_flight_at_once: int,
    over_mqtt: bool,
) -> None:
    """The VENs: one MQTT client each, all driven by one selector loop; then, with ``minutes``,
    their reports over HTTP, or published on their telemetry topics with ``over_mqtt``."""
    selector = selectors.DefaultSelector()
    clients: list[mqtt.Client] = []
    subscribed: set[str] = set()
    received: dict[str, float] = {}
    events: dict[str, str] = {}

    def on_message(ven_id: str, message: mqtt.MQTTMessage) -> None:
        received.setdefault(ven_id, time.time())
        events[ven_id] = orjson.loads(message.payload)["object"]["id"]

    for ven in vens:
        ven_id = ven.ven_id
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-{ven_id}")
        topic = f"openadr3/vens/{ven_id}/events/+"
        client.on_connect = lambda c, _u, _f, _r, _p, t=topic: c.subscribe(t, qos=1)
        client.on_subscribe = lambda _c, _u, _m, _r, _p, v=ven_id: subscribed.add(v)
        client.on_message = lambda _c, _u, m, v=ven_id: on_message(v, m)
        client.connect(*BROKER, keepalive=300)
        selector.register(client.socket(), selectors.EVENT_READ, client)
        clients.append(client)

    def pump(timeout: float) -> None:
        # Only a client that just read has something to write (its PUBACK, a SUBSCRIBE after
        # the CONNACK): looking at all 10,000 after every read would make this process, not
        # the platform, what the clock measures.
        for key, _ in selector.select(timeout):
            client = key.data
            client.loop_read()
            if client.want_write():
                client.loop_write()

    deadline = time.monotonic() + 120
    while len(subscribed) < len(vens) and time.monotonic() < deadline:
        pump(0.05)
    pipe.send(("ready", len(subscribed)))
    pipe.recv()  # the dispatch is about to go
    last_misc = time.monotonic()
    deadline = time.monotonic() + 300
    while len(received) < len(vens) and time.monotonic() < deadline:
        pump(0.05)
        if time.monotonic() - last_misc > 10:
            for client in clients:
                client.loop_misc()
            last_misc = time.monotonic()
    pipe.send(("done", received))
    if minutes and over_mqtt and len(events) == len(vens):
        publish_telemetry(vens, clients, events, pipe, minutes, pump)
    for client in clients:
        client.disconnect()
    if minutes and not over_mqtt and len(events) == len(vens):
        pipe.send(
            (
                "reported",
                asyncio.run(report(pipe.recv(), vens, events, pipe, minutes, in_flight_at_once)),
            )
        )


def verify(app_state: object, event_id: str, vens: list[VenCredentials]) -> bool:
    """Print what the database holds of the 5-minute check; whether it is as the VENs sent."""
    below = {ven.participant_id for i, ven in enumerate(vens) if short(i)}
    factory = app_state.sessionmaker  # type: ignore[attr-defined]
    with session_scope(factory) as session:
        awards = session.execute(
            select(Award.participant_id, Award.created_at, Award.target_reached_at).where(
                Award.event_id == event_id
            )
        ).all()
        last_received = session.scalar(
            select(func.max(Telemetry.received_at)).where(Telemetry.event_id == event_id)
        )
    reached = [a for a in awards if a.target_reached_at is not None]
    wrong = [a for a in awards if (a.participant_id in below) != (a.target_reached_at is None)]
    late = [a for a in reached if a.target_reached_at > a.created_at + REALTIME_TARGET]
    notice = min(a.created_at for a in awards)
    print(
        f"5-minute check: {len(reached)} of {len(awards)} awards have target_reached_at "
        f"(expected {len(awards) - len(below)}; {len(wrong)} differ from what their VEN sent), "
        f"reached at {min((a.target_reached_at for a in reached), default=None)} – "
        f"{max((a.target_reached_at for a in reached), default=None)}, notice {notice}; "
        f"{len(late)} later than {REALTIME_TARGET} after the notice; last report received "
        f"(simulated clock) {last_received}"
    )
    return not wrong and not late and last_received is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vens", type=int, default=2000)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument(
        "--telemetry",
        type=int,
        default=0,
        metavar="MINUTES",
        help="then every VEN reports this many minutes from the one after the notice",
    )
    parser.add_argument(
        "--in-flight", type=int, default=IN_FLIGHT, help="the VENs' requests at once"
    )
    parser.add_argument(
        "--over-mqtt",
        action="store_true",
        help="the VENs publish their reports on their telemetry topics instead of POSTing them",
    )
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"

    started = time.perf_counter()
    tune_gc()  # as every process of gzvpp serve does
    clock = SimulatedClock(NOTICE)
    app = create_app(database_url=url, clock=clock)
    settings = Settings(
        mqtt_url=f"mqtt://{BROKER[0]}:{BROKER[1]}",
        relay_interval=0.2,
        telemetry_group=f"bench-{uuid.uuid4().hex[:8]}",  # no other process's subscriber
    )
    install(app, settings)
    vens = enrol(app.state, args.vens)
    print(f"setup: {args.vens} participants and VENs in {time.perf_counter() - started:.1f} s")

    here, there = mp.Pipe()
    child = mp.Process(
        target=vens_process,
        args=(vens, there, args.telemetry, args.in_flight, args.over_mqtt),
        daemon=True,
    )
    child.start()
    started = time.perf_counter()
    _, ready = here.recv()
    print(
        f"VENs: {ready} MQTT clients connected and subscribed in "
        f"{time.perf_counter() - started:.1f} s"
    )

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    with session_scope(app.state.sessionmaker) as session:
        from gzvpp.kit.auth import create_user

        _, token = create_user(
            session, name="调度员", role=Role.GRID_OPERATOR, participant_id=None, at=NOTICE
        )

    here.send("go")
    with count_statements(app.state.engine) as statements:
        t0 = time.time()
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/events",
            json={
                "direction": "peak",
                "mode": "realtime",
                "start_at": WINDOW_START.isoformat(),
                "end_at": f"{DAY}T15:00:00",
                "demand_kw": str(100 * args.vens),
                "price_mode": "fixed",
                "fixed_price": "4",
            },
            headers={"Authorization": f"Bearer {token}"},
            timeout=300,
        )
        t_created = time.time()
        assert response.status_code == 201, response.text
        _, received = here.recv()
    times = sorted(t - t0 for t in received.values())
    print(
        f"dispatch: POST /api/events answered 201 in {t_created - t0:.2f} s "
        f"(selection, baselines, {args.vens} awards and notifications); "
        f"{statements[0]} SQL statements until the last VEN was told (the relay's and the "
        "notifier's included; an executemany counts once)"
    )
    if times:
        print(
            f"notified: {len(times)} of {args.vens} VENs; first after {times[0]:.2f} s, "
            f"median {statistics.median(times):.2f} s, "
            f"95th {times[int(0.95 * (len(times) - 1))]:.2f} s, last {times[-1]:.2f} s"
        )
    target = 10.0
    verdict = "within" if len(times) == args.vens and times[-1] <= target else "NOT within"
    print(f"every VEN notified {verdict} the {target:.0f} s target")
    checked = not args.telemetry or (
        len(times) == args.vens
        and telemetry(
            app,
            clock,
            here,
            f"http://127.0.0.1:{port}",
            response.json()["id"],
            vens,
            token,
            args.over_mqtt,
        )
    )
    server.should_exit = True
    thread.join(10)
    child.join(10)
    return 0 if verdict == "within" and checked else 1


def stored_after(
    app: object, event_id: str, expected: int, published: tuple[str, dt.datetime, float, float]
) -> None:
    """Wait until ``expected`` readings of the published minute are stored; print how long
    from the first report published."""
    _, minute, first_sent, last_sent = published
    factory = app.state.read_sessionmaker  # type: ignore[attr-defined]
    count = 0
    deadline = time.time() + 600
    while time.time() < deadline:
        with session_scope(factory) as session:
            count = session.scalar(
                select(func.count())
                .select_from(Telemetry)
                .where(Telemetry.event_id == event_id, Telemetry.at == minute)
            )
        if count >= expected:
            break
        time.sleep(0.1)
    done = time.time()
    print(
        f"reports of {minute:%H:%M} over MQTT: {count} of {expected} stored "
        f"{done - first_sent:.1f} s after the first was published (all published in "
        f"{last_sent - first_sent:.1f} s); {count / (done - first_sent):.0f} reports/s"
    )


def telemetry(
    app: object,
    clock: SimulatedClock,
    here: Connection,
    base: str,
    event_id: str,
    vens: list[VenCredentials],
    token: str,
    over_mqtt: bool,
) -> bool:
    """The VENs' reports, the clock set for each minute; then the check of what was stored and
    of the operator's view. Whether both are as the VENs sent."""
    if not over_mqtt:
        here.send(base)
    cpu = []  # this process's CPU time (the server's threads) at each minute's start and end
    while (message := here.recv())[0] == "minute":
        cpu.append(time.process_time())
        clock.set(message[1])
        here.send("go")
        if over_mqtt:
            stored_after(app, event_id, len(vens), here.recv())
            here.send("next")
    cpu.append(time.process_time())
    for line in message[1]:
        print(line)
    print(
        "server CPU per report (all its threads, by minute): "
        + ", ".join(f"{(end - start) / len(vens) * 1000:.1f} ms" for start, end in pairwise(cpu))
    )
    stored = verify(app.state, event_id, vens)  # type: ignore[attr-defined]
    started = time.perf_counter()
    view = httpx.get(
        f"{base}/api/events/{event_id}/monitoring",
        params={"samples_for": vens[0].participant_id},
        headers={"Authorization": f"Bearer {token}"},
        timeout=300,
    ).json()["total"]
    expected = sum(1 for i in range(len(vens)) if not short(i))
    print(
        f"monitoring view: answered in {time.perf_counter() - started:.2f} s; "
        f"{view['reporting']} reporting, {view['reached_in_time']} reached in time "
        f"(expected {expected}), latest response {view['latest_response_kw']} kW"
    )
    return stored and view["reached_in_time"] == expected


if __name__ == "__main__":
    sys.exit(main())
