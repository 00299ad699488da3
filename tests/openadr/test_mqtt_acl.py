"""The broker configuration ``gzvpp openadr mqtt-acl`` writes, run by a private Mosquitto on a
free loopback port: each VEN logs in with its client credentials and reads its own topics only,
BL reads everything, only the VTN publishes (a VEN its own telemetry alone), anonymous and
wrong passwords are refused, and a revoked VEN loses the broker once the files are written
again."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from fastapi import FastAPI
from helpers import (
    LOOPBACK,
    D,
    bearer_of,
    create_event,
    free_port,
    provision,
    realtime_user,
    wait_for,
)
from paho.mqtt.enums import CallbackAPIVersion
from service_api import Api
from typer.testing import CliRunner

from gzkit.db import session_scope
from gzvpp.cli import app as cli
from gzvpp.openadr import provisioning
from gzvpp.openadr.broker import VTN_USER
from gzvpp.openadr.mqtt_telemetry import problems_topic, telemetry_topic
from gzvpp.openadr.runtime import install

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


class Subscriber:
    """A paho client logged in as ``username`` (or anonymous), subscribed to ``openadr3/#``,
    recording what it receives; ``refused`` tells whether the broker turned it away."""

    def __init__(self, port: int, username: str | None, password: str | None) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self.answered = threading.Event()
        self.subscribed = threading.Event()
        self.refused = False
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        if username is not None:
            self.client.username_pw_set(username, password)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.on_message = lambda _c, _u, m: self.messages.append(
            (m.topic, json.loads(m.payload))
        )
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self.answered.wait(10), "the broker did not answer CONNECT"
        if not self.refused:
            assert self.subscribed.wait(10)

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self.refused = reason.is_failure
        if not self.refused:
            client.subscribe("openadr3/#", qos=1)
        self.answered.set()

    def topics(self) -> set[str]:
        return {topic for topic, _ in self.messages}

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def write_config(database_url: str, out: Path, port: int, vtn_url: str | None = None) -> str:
    """Run ``gzvpp openadr mqtt-acl``; its output."""
    env = {"GZVPP_MQTT_URL": vtn_url or ""}
    result = CliRunner().invoke(
        cli,
        [
            "openadr",
            "mqtt-acl",
            "--out",
            str(out),
            "--port",
            str(port),
            "--database-url",
            database_url,
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    return result.output


@dataclasses.dataclass
class Broker:
    port: int
    out: Path
    vtn_url: str
    process: subprocess.Popen[bytes]

    def reload(self) -> None:
        """What an operator does after writing the files again."""
        self.process.send_signal(signal.SIGHUP)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def broker(
    database_url: str, api: Api, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Broker]:
    """A private Mosquitto on the generated configuration."""
    out = tmp_path_factory.mktemp("mosquitto")
    port = free_port()
    output = write_config(database_url, out, port)
    (vtn_url,) = [
        line.split("=", 1)[1] for line in output.splitlines() if "GZVPP_MQTT_URL=" in line
    ]
    # The files are root's, readable by their owner only; keep the broker root in the test.
    run_conf = out / "run.conf"
    run_conf.write_text((out / "mosquitto.conf").read_text() + "user root\n")
    log = (out / "mosquitto.log").open("wb")
    process = subprocess.Popen([MOSQUITTO, "-c", str(run_conf)], stdout=log, stderr=log)
    try:
        wait_for(lambda: process.poll() is None and _listening(port), what="mosquitto")
        yield Broker(port, out, vtn_url, process)
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def test_each_ven_reads_only_its_own_topics(
    api: Api, app: FastAPI, database_url: str, broker: Broker
) -> None:
    port, out, vtn_url = broker.port, broker.out, broker.vtn_url
    mine, theirs = (provision(api, realtime_user(api)[0]) for _ in range(2))
    with session_scope(api.app.state.sessionmaker) as session:
        bl = provisioning.add_bl(session, "test", api.clock.now(), "dispatch system")
    write_config(database_url, out, port, vtn_url)  # the new clients, same VTN login
    broker.reload()

    assert mine.client_id and mine.client_secret and theirs.client_id
    for username, password in ((None, None), (mine.client_id, "wrong"), (VTN_USER, "guess")):
        refused = Subscriber(port, username, password)
        refused.close()
        assert refused.refused, username

    runtime = install(app, dataclasses.replace(LOOPBACK, mqtt_url=vtn_url))
    subscribers = {
        "mine": wait_for(lambda: _logged_in(port, mine.client_id, mine.client_secret)),
        "theirs": wait_for(lambda: _logged_in(port, theirs.client_id, theirs.client_secret)),
        "bl": wait_for(lambda: _logged_in(port, bl.client_id, bl.client_secret)),
    }
    try:
        assert runtime.notifier.publisher is not None
        runtime.notifier.start()
        wait_for(lambda: runtime.notifier.publisher.connected, what="the VTN's login")
        # A VEN cannot publish into another VEN's topic (the broker drops it silently).
        subscribers["mine"].client.publish(
            f"openadr3/vens/{theirs.ven_id}/events/create", b'{"forged": true}', qos=1
        )
        api.clock.set(dt.datetime.combine(D - dt.timedelta(days=1), dt.time(9, 0)))
        create_event(
            api,
            mode="day_ahead",
            start_at=f"{D}T18:00:00",
            end_at=f"{D}T19:00:00",
            price_mode="bidding",
        )
        runtime.relay.run_once()
        assert runtime.notifier.wait_idle()
        own = {
            name: f"openadr3/vens/{creds.ven_id}/events/create"
            for name, creds in (("mine", mine), ("theirs", theirs))
        }
        for name in ("mine", "theirs"):
            wait_for(lambda n=name: own[n] in subscribers[n].topics(), what=f"{name}'s event")
        wait_for(lambda: "openadr3/events/create" in subscribers["bl"].topics(), what="BL")
        # Each event goes to its VEN's topic and the BL topic as it is published: BL may hear
        # of the second event on the BL topic before it has the second VEN's.
        wait_for(lambda: subscribers["bl"].topics() >= set(own.values()), what="BL, every VEN")
        for name, creds in (("mine", mine), ("theirs", theirs)):
            seen = subscribers[name].topics()
            assert all(
                t.startswith(f"openadr3/vens/{creds.ven_id}/") or t.startswith("openadr3/programs/")
                for t in seen
            ), seen
        assert not any(note.get("forged") for _, note in subscribers["theirs"].messages)
    finally:
        for subscriber in subscribers.values():
            subscriber.close()
        runtime.stop()

    # Revoked: gone from the password file, refused once the broker reloads it.
    with session_scope(api.app.state.sessionmaker) as session:
        provisioning.revoke(session, "test", api.clock.now(), mine.client_id)
    write_config(database_url, out, port, vtn_url)
    broker.reload()
    assert wait_for(lambda: _refused(port, mine.client_id, mine.client_secret), what="refusal")


def _logged_in(port: int, username: str | None, password: str | None) -> Subscriber | None:
    subscriber = Subscriber(port, username, password)
    if subscriber.refused:
        subscriber.close()
        return None
    return subscriber


def _refused(port: int, username: str | None, password: str | None) -> bool:
    subscriber = Subscriber(port, username, password)
    subscriber.close()
    return subscriber.refused


def test_a_ven_publishes_telemetry_on_its_own_topic_only(
    api: Api, app: FastAPI, database_url: str, broker: Broker
) -> None:
    mine, theirs = (provision(api, realtime_user(api)[0]) for _ in range(2))
    write_config(database_url, broker.out, broker.port, broker.vtn_url)
    broker.reload()
    runtime = install(app, dataclasses.replace(LOOPBACK, mqtt_url=broker.vtn_url))
    assert runtime.telemetry is not None and mine.client_id and theirs.client_id
    # Every client reads the broker's address; never the VTN's login, which publishes anywhere.
    bindings = api.client.get("/openadr3/3.1.0/notifiers", headers=bearer_of(api, mine)).json()
    assert bindings["MQTT"]["URIS"] == [f"mqtt://127.0.0.1:{broker.port}"]
    assert VTN_USER in broker.vtn_url
    runtime.telemetry.start()
    ven = wait_for(lambda: _logged_in(broker.port, mine.client_id, mine.client_secret))
    other = wait_for(lambda: _logged_in(broker.port, theirs.client_id, theirs.client_secret))
    try:
        wait_for(lambda: runtime.telemetry._client.is_connected(), what="the VTN's login")
        report = b'{"eventID": "none", "clientName": "site", "resources": []}'
        # Into the other VEN's topic: the broker drops it, so nobody is answered.
        ven.client.publish(telemetry_topic(theirs.ven_id), report, qos=1).wait_for_publish(10)
        # Into its own: the platform takes it and answers why it cannot record it.
        ven.client.publish(telemetry_topic(mine.ven_id), report, qos=1).wait_for_publish(10)
        own = problems_topic(mine.ven_id)
        wait_for(lambda: own in ven.topics(), what="the answer on the VEN's problems topic")
        assert problems_topic(theirs.ven_id) not in other.topics() | ven.topics()
        assert runtime.telemetry.refused == 1
    finally:
        ven.close()
        other.close()
        runtime.stop()
