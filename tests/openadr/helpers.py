"""The platform side of the OpenADR scenarios: participants, meter data, events, a webhook
receiver, and waiting for asynchronous deliveries."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import numpy as np
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from service_api import Api

from gzkit.db import session_scope
from gzkit.testing import free_port as free_port  # the test modules import it here
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.meterdata.repository import encode_day, save_days
from gzvpp.models import MeterDay
from gzvpp.openadr import provisioning
from gzvpp.openadr.runtime import Settings

T = TypeVar("T")
D = dt.date(2025, 6, 3)  # a Tuesday workday; the clock starts on D-1 08:00
BASELINE_KW = 1000.0
# No MQTT unless a test asks; plain-HTTP webhooks on loopback; 2.0b VENs poll every second.
LOOPBACK = Settings(
    mqtt_url=None,
    allow_http_callbacks=True,
    relay_interval=0.2,
    poll_frequency=dt.timedelta(seconds=1),
    telemetry_granularity=dt.timedelta(seconds=1),
)


@contextmanager
def server_process(directory: Path, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``gzvpp serve`` as its own process on a free loopback port, on a SQLite file in
    ``directory``, without MQTT; its base URL and process. Its output goes to
    ``directory/server.log``."""
    port = free_port()
    environment = {**os.environ, "GZVPP_MQTT_URL": "none", **env}
    command = [sys.executable, "-m", "gzvpp", "serve", "--port", str(port)]
    command += ["--db", str(directory / "vtn.sqlite")]
    base = f"http://127.0.0.1:{port}"
    with (directory / "server.log").open("wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
        try:

            def answers() -> bool:
                if process.poll() is not None:
                    raise AssertionError(f"gzvpp serve exited with {process.returncode}")
                try:
                    return httpx.get(f"{base}/openadr3/3.1.0/auth/server").status_code == 200
                except httpx.TransportError:
                    return False

            wait_for(answers, timeout=60, what="gzvpp serve to answer")
            yield base, process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def certificate(directory: Path, name: str) -> tuple[str, str]:
    """A self-signed EC certificate and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


def wait_for(probe: Callable[[], T | None], timeout: float = 20.0, what: str = "it") -> T:
    """Poll ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def realtime_user(api: Api, day: dt.date = D) -> tuple[str, str]:
    """An active, real-time capable power user (800 kW, 300 kW real-time) with a flat load of
    1000 kW on its account over the 20 days up to ``day``; its id and account.

    The days are stored directly: the meter data API takes only intervals that have ended,
    and ``day`` lies ahead of the scenarios' clock.
    """
    detail = api.enrol(
        api.user(realtime_capable=True, minute_monitoring=True, realtime_capability_kw="300")
    )
    api.activate(detail["id"])
    account = detail["accounts"][0]["account_id"]
    values = encode_day(np.full(INTERVALS_PER_DAY, BASELINE_KW))
    rows = [
        {
            "account_id": account,
            "day": day - dt.timedelta(days=n),
            "kw": values,
            "updated_at": api.clock.now(),
        }
        for n in range(20)
    ]
    with session_scope(api.app.state.sessionmaker) as session:
        save_days(session, MeterDay, rows, [])  # adds the months' partitions on PostgreSQL
    return detail["id"], account


def create_event(api: Api, **fields: Any) -> dict[str, Any]:
    """An event created by the grid operator (peak shaving unless said otherwise)."""
    body = {"direction": "peak", "demand_kw": "400", **fields}
    response = api.client.post("/api/events", json=body, headers=api.grid)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def tick(api: Api) -> list[str]:
    """Run the scheduler at the clock's time (close bids, rank, send the plan)."""
    response = api.client.post("/api/admin/tick", headers=api.grid)
    assert response.status_code == 200, response.text
    actions: list[str] = response.json()["actions"]
    return actions


def provision(api: Api, participant_id: str, **options: Any) -> provisioning.VenCredentials:
    """A VEN for the participant, as ``gzvpp openadr add-ven`` would make it."""
    with session_scope(api.app.state.sessionmaker) as session:
        credentials, _ = provisioning.add_ven(
            session, "test", api.clock.now(), participant_id, **options
        )
    return credentials


def bearer_of(api: Api, credentials: Any) -> dict[str, str]:
    """The bearer header of an OpenADR 3 client's token, from its client credentials."""
    answer = api.client.post(
        "/openadr3/3.1.0/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        },
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def ven_headers(api: Api, participant_id: str) -> dict[str, str]:
    """The bearer header of a new VEN of the participant."""
    return bearer_of(api, provision(api, participant_id))


def realtime_dispatch(
    api: Api, people: list[str]
) -> tuple[dict[str, Any], dict[str, dict[str, str]], dict[str, str]]:
    """A real-time event of 300 kW per participant for D 14:15–15:00, dispatched to
    ``people`` at D 14:02 and relayed: the event, each participant's VEN's bearer header and
    the id of its OpenADR event."""
    api.clock.set(dt.datetime.combine(D, dt.time(14, 2)))
    headers = {participant: ven_headers(api, participant) for participant in people}
    event = create_event(
        api,
        mode="realtime",
        start_at=f"{D}T14:15:00",
        end_at=f"{D}T15:00:00",
        demand_kw=str(300 * len(people)),
        price_mode="fixed",
        fixed_price="4",
    )
    api.app.state.openadr.relay.run_once()
    events = {}
    for participant in people:
        (mine,) = api.client.get(
            "/openadr3/3.1.0/events",
            params={"targets": [f"participant:{participant}"]},
            headers=headers[participant],
        ).json()
        events[participant] = mine["id"]
    return event, headers, events


def demand_report(event_id: str, resource: str, minute: dt.datetime, kw: float) -> dict[str, Any]:
    """An OpenADR 3 report of one resource's ``DEMAND`` over one minute (local time)."""
    start = f"{minute.isoformat()}+08:00"
    return {
        "eventID": event_id,
        "clientName": "site",
        "resources": [
            {
                "resourceName": resource,
                "intervals": [
                    {
                        "id": 0,
                        "intervalPeriod": {"start": start, "duration": "PT1M"},
                        "payloads": [{"type": "DEMAND", "values": [kw]}],
                    }
                ],
            }
        ],
    }


class Receiver:
    """A webhook endpoint on loopback: answers the echo challenge, records notifications with
    the bearer token they came with."""

    def __init__(self) -> None:
        self.received: list[tuple[str | None, dict[str, Any]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                echo = parse_qs(urlsplit(self.path).query).get("echo", [""])[0]
                self._answer(200, echo.encode())

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.received.append((self.headers.get("authorization"), json.loads(body)))
                self._answer(200, b"")

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/openadr"

    def notifications(self, object_type: str, operation: str) -> list[dict[str, Any]]:
        """The notifications received so far of that type and operation."""
        return [
            n
            for _, n in self.received
            if n["objectType"] == object_type and n["operation"] == operation
        ]


@contextmanager
def receiver() -> Iterator[Receiver]:
    """A running :class:`Receiver`."""
    instance = Receiver()
    thread = threading.Thread(target=instance.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield instance
    finally:
        instance.server.shutdown()
        instance.server.server_close()
