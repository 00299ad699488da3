"""Telemetry over MQTT (gzvpp.openadr.mqtt_telemetry) through the local Mosquitto
(127.0.0.1:1883): a VEN publishes its report on its own topic and the platform records it as
``POST /reports`` would, 5-minute check included; a report sent twice is one reading; what
cannot be taken is answered on the VEN's problems topic and stores nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from fastapi import FastAPI
from helpers import LOOPBACK, D, demand_report, realtime_dispatch, realtime_user, wait_for
from paho.mqtt.enums import CallbackAPIVersion
from prometheus_client import REGISTRY
from service_api import Api
from sqlalchemy import select
from test_mqtt import BROKER, _broker_up

from gzkit.db import session_scope
from gzvpp.models import Award, Telemetry
from gzvpp.openadr import monitoring
from gzvpp.openadr.mqtt_telemetry import problems_topic, telemetry_topic
from gzvpp.openadr.runtime import install

P = "/openadr3/3.1.0"
REFUSED = "gzvpp_mqtt_telemetry_reports_total"
AT = dt.datetime.combine(D, dt.time(14, 0))


class Ven:
    """A VEN's MQTT client: publishes on topics, records what it is told on its problems."""

    def __init__(self, ven_id: str) -> None:
        self.ven_id = ven_id
        self.problems: list[dict[str, Any]] = []
        ready = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.on_connect = lambda c, *_: c.subscribe(problems_topic(ven_id), qos=1)
        self.client.on_subscribe = lambda *_: ready.set()
        self.client.on_message = lambda _c, _u, m: self.problems.append(json.loads(m.payload))
        self.client.connect(*BROKER)
        self.client.loop_start()
        assert ready.wait(10)

    def send(self, body: dict[str, Any] | bytes, ven_id: str | None = None) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        info = self.client.publish(telemetry_topic(ven_id or self.ven_id), payload, qos=1)
        info.wait_for_publish(10)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@pytest.fixture(scope="module")
def dispatched(api: Api, app: FastAPI) -> Iterator[dict[str, Any]]:
    """Two participants dispatched 300 kW each at D 14:02, each with a VEN on MQTT; the
    platform subscribed to telemetry in a group of its own."""
    if not _broker_up():
        pytest.skip("no MQTT broker at 127.0.0.1:1883")
    people = [realtime_user(api)[0] for _ in range(2)]
    _, headers, events = realtime_dispatch(api, people)
    runtime = install(
        app,
        dataclasses.replace(
            LOOPBACK,
            mqtt_url=f"mqtt://{BROKER[0]}:{BROKER[1]}",
            telemetry_group=f"test-{uuid.uuid4().hex[:8]}",
            telemetry_interval=0.1,
        ),
    )
    assert runtime.telemetry is not None
    runtime.telemetry.start()
    vens = {}
    for participant in people:
        (ven,) = api.client.get(f"{P}/vens", headers=headers[participant]).json()
        vens[participant] = Ven(ven["id"])
    wait_for(lambda: runtime.telemetry._client.is_connected(), what="the platform's login")
    yield {"people": people, "events": events, "vens": vens, "runtime": runtime}
    for ven in vens.values():
        ven.close()
    runtime.stop()


def _telemetry(api: Api, participant: str) -> list[tuple[dt.datetime, str, str]]:
    with session_scope(api.app.state.read_sessionmaker) as session:
        rows = session.scalars(
            select(Telemetry).where(Telemetry.participant_id == participant)
        ).all()
        return sorted((r.at, str(r.kw), r.source) for r in rows)


def _award(api: Api, participant: str) -> Award:
    with session_scope(api.app.state.read_sessionmaker) as session:
        return session.scalars(select(Award).where(Award.participant_id == participant)).one()


def test_a_report_published_is_recorded_and_checked(api: Api, dispatched: dict[str, Any]) -> None:
    first, _ = dispatched["people"]
    ven = dispatched["vens"][first]
    event = dispatched["events"][first]
    api.clock.set(AT + dt.timedelta(minutes=4))
    ven.send(demand_report(event, "m1", AT + dt.timedelta(minutes=3), 750.0))  # 250 kW: short
    ven.send(demand_report(event, "m1", AT + dt.timedelta(minutes=4), 690.0))  # 310 kW: reached
    ven.send(demand_report(event, "m1", AT + dt.timedelta(minutes=4), 690.0))  # the same again
    wait_for(lambda: len(_telemetry(api, first)) == 2 or None, what="the readings")
    assert _telemetry(api, first) == [
        (AT + dt.timedelta(minutes=3), "750.000", "openadr3-mqtt"),
        (AT + dt.timedelta(minutes=4), "690.000", "openadr3-mqtt"),
    ]
    wait_for(lambda: _award(api, first).target_reached_at, what="the check")
    assert _award(api, first).target_reached_at == AT + dt.timedelta(minutes=4)
    view = api.client.get(
        f"/api/events/{_award(api, first).event_id}/monitoring", headers=api.grid
    ).json()
    (part,) = [p for p in view["participants"] if p["participant_id"] == first]
    assert part["reached_in_time"] is True and part["latest"]["kw"] == "690.000"
    assert ven.problems == []


def test_what_cannot_be_taken_is_told_and_stores_nothing(
    api: Api, dispatched: dict[str, Any]
) -> None:
    first, second = dispatched["people"]
    ven = dispatched["vens"][second]
    before = _telemetry(api, first), _telemetry(api, second)
    refused = REGISTRY.get_sample_value(REFUSED, {"outcome": "refused"}) or 0.0
    minute = AT + dt.timedelta(minutes=5)
    ven.send(b"{not json")
    ven.send({"eventID": dispatched["events"][second], "clientName": "site"})  # no resources
    # Another participant's event, and a report published on another VEN's topic (a broker
    # without the ACLs of gzvpp openadr mqtt-acl lets it through; the event is not that
    # VEN's either way, so nothing is stored for anyone).
    ven.send(demand_report(dispatched["events"][first], "m1", minute, 100.0))
    ven.send(demand_report(dispatched["events"][second], "m1", minute, 100.0), "no-such-ven")
    bad_value = demand_report(dispatched["events"][second], "m1", minute, 100.0)
    bad_value["resources"][0]["intervals"][0]["payloads"][0]["values"] = ["many"]
    ven.send(bad_value)
    problems = wait_for(lambda: len(ven.problems) >= 4 and ven.problems, what="the problems")
    details = " | ".join(p["detail"] for p in problems)
    assert all(p["status"] == 400 for p in problems)
    assert "not a report" in details and "resources" in details
    assert f"no real-time event {dispatched['events'][first]} of this ven" in details
    assert "many" in details or "number" in details
    assert (_telemetry(api, first), _telemetry(api, second)) == before
    # The operator counts them in /metrics (the report on no-such-ven's topic too).
    assert REGISTRY.get_sample_value(REFUSED, {"outcome": "refused"}) == refused + 5


def test_a_report_that_fails_costs_the_others_of_its_batch_nothing(
    api: Api, dispatched: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = dispatched["people"]
    telemetry = dispatched["runtime"].telemetry
    record = monitoring.record_readings

    def failing(session: Any, event: Any, participant: str, *args: Any) -> int:
        if participant == second:
            raise RuntimeError("the database refused it")
        return record(session, event, participant, *args)

    monkeypatch.setattr(monitoring, "record_readings", failing)
    minute = AT + dt.timedelta(minutes=7)
    batch = [
        (ven.ven_id, json.dumps(demand_report(dispatched["events"][p], "m1", minute, 500.0)))
        for p, ven in dispatched["vens"].items()
    ]
    before = _telemetry(api, second)
    refused = telemetry.refused
    telemetry._record([(ven_id, body.encode()) for ven_id, body in batch])
    assert (minute, "500.000", "openadr3-mqtt") in _telemetry(api, first)
    assert _telemetry(api, second) == before and telemetry.refused == refused + 1
    ven = dispatched["vens"][second]
    wait_for(lambda: any("could not be recorded" in p["detail"] for p in ven.problems))
