"""The MQTT notifier against the local Mosquitto (127.0.0.1:1883): topic discovery, a VEN's
private topic, the BL topic, and carrying on when no broker answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
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

from gzvpp.openadr.runtime import install

BROKER = ("127.0.0.1", 1883)
P = "/openadr3/3.1.0"


def _broker_up() -> bool:
    try:
        with socket.create_connection(BROKER, timeout=1):
            return True
    except OSError:
        return False


class Listener:
    """A paho subscriber recording (topic, notification) pairs."""

    def __init__(self, *topics: str) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []
        self.ready = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *_: [c.subscribe(t, qos=1) for t in topics]
        self.client.on_subscribe = lambda *_: self.ready.set()
        self.client.on_message = lambda _c, _u, m: self.messages.append(
            (m.topic, json.loads(m.payload))
        )
        self.client.connect(*BROKER)
        self.client.loop_start()
        assert self.ready.wait(10)

    def on(self, topic: str) -> list[dict[str, Any]]:
        return [n for t, n in self.messages if t == topic]

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@pytest.fixture(scope="module")
def mqtt_app(app: FastAPI) -> Iterator[FastAPI]:
    if not _broker_up():
        pytest.skip("no MQTT broker at 127.0.0.1:1883")
    install(app, dataclasses.replace(LOOPBACK, mqtt_url="mqtt://127.0.0.1:1883"))
    yield app


def test_a_vens_events_go_to_its_own_topic_and_every_event_to_bl(
    api: Api, mqtt_app: FastAPI
) -> None:
    participant, _ = realtime_user(api)
    other, _ = realtime_user(api)
    mine = provision(api, participant)
    theirs = provision(api, other)
    headers = bearer_of(api, mine)
    bindings = api.client.get(f"{P}/notifiers", headers=headers).json()
    assert bindings["MQTT"]["URIS"] == ["mqtt://127.0.0.1:1883"]
    topics = api.client.get(
        f"{P}/notifiers/mqtt/topics/vens/{mine.ven_id}/events", headers=headers
    ).json()["topics"]
    assert topics["CREATE"] == f"openadr3/vens/{mine.ven_id}/events/create"
    assert (
        api.client.get(
            f"{P}/notifiers/mqtt/topics/vens/{theirs.ven_id}/events", headers=headers
        ).status_code
        == 404
    )

    listener = Listener(
        topics["ALL"], f"openadr3/vens/{theirs.ven_id}/events/+", "openadr3/events/+"
    )
    try:
        api.clock.set(dt.datetime.combine(D - dt.timedelta(days=1), dt.time(8, 0)))
        event = create_event(
            api,
            mode="day_ahead",
            start_at=f"{D}T16:00:00",
            end_at=f"{D}T17:00:00",
            price_mode="bidding",
        )
        mqtt_app.state.openadr.relay.run_once()
        (note,) = wait_for(lambda: listener.on(topics["CREATE"]), what="the VEN's topic")
        assert note["objectType"] == "EVENT" and note["operation"] == "CREATE"
        assert note["object"]["targets"] == list(mine.targets)
        values = {p["type"]: p["values"] for p in note["object"]["intervals"][0]["payloads"]}
        assert values["GZ_EVENT_ID"] == [event["id"]]
        everything = wait_for(
            lambda: (
                len(listener.on("openadr3/events/create")) == 2
                and listener.on("openadr3/events/create")
            ),
            what="the BL topic",
        )
        assert {tuple(n["object"]["targets"]) for n in everything} == {
            mine.targets,
            theirs.targets,
        }
        (their_note,) = listener.on(f"openadr3/vens/{theirs.ven_id}/events/create")
        assert their_note["object"]["targets"] == list(theirs.targets)
    finally:
        listener.close()


def test_without_a_broker_the_vtn_logs_and_carries_on(
    api: Api, mqtt_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = f"mqtt://127.0.0.1:{free_port()}"
    runtime = install(mqtt_app, dataclasses.replace(LOOPBACK, mqtt_url=nowhere))
    try:
        participant, _ = realtime_user(api)
        provision(api, participant)
        api.clock.set(dt.datetime.combine(D - dt.timedelta(days=1), dt.time(8, 30)))
        create_event(
            api,
            mode="day_ahead",
            start_at=f"{D}T20:00:00",
            end_at=f"{D}T21:00:00",
            price_mode="bidding",
        )
        assert runtime.relay.run_once() > 0
        assert runtime.notifier.wait_idle()
        assert runtime.notifier.publisher is not None
        assert not runtime.notifier.publisher.connected
        wait_for(lambda: "no MQTT broker answers" in caplog.text, what="the warning")
    finally:
        runtime.stop()
