"""End to end with the ``openadr3`` package's client as the VEN, over HTTP on loopback.

The app runs under uvicorn (its lifespan runs the relay and the notifier); the VEN fetches a
token, finds its ven object and the GZ-VPP program, subscribes a webhook, receives the
invitation, bids by report, receives the plan, sends telemetry; then a real-time dispatch. The
platform's own API shows the result: the bid with source openadr3, the award, the monitoring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import openadr3
import pytest
from fastapi import FastAPI
from helpers import (
    BASELINE_KW,
    D,
    Receiver,
    create_event,
    provision,
    realtime_user,
    receiver,
    tick,
    wait_for,
)
from service_api import Api

from gzvpp.models import Award
from gzvpp.openadr.provisioning import VenCredentials

PROGRAM = "GZ-VPP"


@dataclass
class Ven:
    """A VEN as its operator would run it: the openadr3 client and what it learnt."""

    credentials: VenCredentials
    client: openadr3.OpenADRClient
    target: str
    program_id: str

    def reauthenticate(self) -> None:
        """A fresh token (they last an hour of platform time, and the tests jump days)."""
        assert self.credentials.client_id and self.credentials.client_secret
        self.client.fetch_token(self.credentials.client_id, self.credentials.client_secret)


def connect(base: str, credentials: VenCredentials) -> Ven:
    assert credentials.client_id and credentials.client_secret
    token = openadr3.fetch_token(
        base,
        credentials.client_id,
        credentials.client_secret,
        scopes=["read_targets", "read_ven_objects", "write_reports", "write_subscriptions"],
    )
    client = openadr3.create_ven_client(base, token)
    (ven,) = client.vens()  # its own ven object only, with the targets granted to it
    program = client.find_program_by_name(PROGRAM)
    assert program is not None and program.id is not None
    assert ven.targets
    return Ven(credentials, client, ven.targets[0], program.id)


def payloads(event: openadr3.Event) -> dict[str, list[Any]]:
    (interval,) = event.intervals or []
    return {p.type: p.values for p in interval.payloads}


@dataclass
class World:
    api: Api
    base: str
    ven: Ven
    participant: str
    other: Ven
    hooks: Receiver


@pytest.fixture(scope="module")
def world(api: Api, server: str, app: FastAPI) -> Iterator[World]:
    participant, _ = realtime_user(api)
    other_participant, _ = realtime_user(api)
    base = f"{server}/openadr3/3.1.0"
    ven = connect(base, provision(api, participant, ven_name="ven-steel-works"))
    other = connect(base, provision(api, other_participant))
    with receiver() as hooks:
        subscription = ven.client.create_subscription(
            {
                "clientName": "ven-steel-works",
                "programID": ven.program_id,
                "objectOperations": [
                    {
                        "objects": ["EVENT"],
                        "operations": ["CREATE", "UPDATE", "DELETE"],
                        "callbackUrl": hooks.url,
                        "bearerToken": "hook-secret",
                    }
                ],
                "targets": [ven.target],
            }
        )
        assert subscription.status_code == 201, subscription.text
        yield World(api, base, ven, participant, other, hooks)
    ven.client.close()
    other.client.close()


def _event_notification(world: World, kind: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        for note in world.hooks.notifications("EVENT", "CREATE"):
            if kind in (note["object"].get("eventName") or ""):
                return note
        return None

    return wait_for(found, what=f"the {kind} notification")


def test_day_ahead_invitation_bid_plan_and_telemetry(world: World) -> None:
    api, ven = world.api, world.ven
    event = create_event(
        api,
        mode="day_ahead",
        start_at=f"{D}T12:00:00",
        end_at=f"{D}T13:00:00",
        price_mode="bidding",
    )

    # The invitation reaches the VEN by webhook, with the bearer token it chose ...
    note = _event_notification(world, "invitation")
    assert ("Bearer hook-secret", note) in world.hooks.received
    invitation = openadr3.coerce_notification(note).object
    assert isinstance(invitation, openadr3.Event)
    # ... and by reading its events through the target it was granted.
    listed = ven.client.events(programID=ven.program_id, targets=[ven.target])
    assert [e.id for e in listed] == [invitation.id]
    values = payloads(invitation)
    assert values["GZ_EVENT_ID"] == [event["id"]]
    assert values["GZ_DEMAND"] == [400.0]
    assert values["GZ_PRICE_MODE"] == ["BIDDING"]
    assert values["BASELINE"] == [BASELINE_KW] * 4
    assert values["GZ_BID_DEADLINE"] == [f"{D - dt.timedelta(days=1)}T11:00:00+08:00"]
    assert invitation.interval_period is not None
    assert invitation.interval_period.start.isoformat() == f"{D}T12:00:00+08:00"
    assert [d["payloadType"] for d in invitation.report_descriptors or []] == [
        "LOAD_SHED_DELTA_AVAILABLE",
        "GZ_BID_PRICE",
    ]

    # The bid: a report on the invitation.
    bid = ven.client.create_report(
        {
            "eventID": invitation.id,
            "clientName": "ven-steel-works",
            "reportName": "bid",
            "resources": [
                {
                    "resourceName": "AGGREGATED_REPORT",
                    "intervals": [
                        {
                            "id": 0,
                            "payloads": [
                                {"type": "LOAD_SHED_DELTA_AVAILABLE", "values": [500]},
                                {"type": "GZ_BID_PRICE", "values": [3.5]},
                            ],
                        }
                    ],
                }
            ],
        }
    )
    assert bid.status_code == 201, bid.text
    bids = api.client.get(f"/api/events/{event['id']}/bids", headers=api.grid).json()
    ours = [b for b in bids["items"] if b["participant_id"] == world.participant]
    assert [(b["kw"], b["price"], b["source"]) for b in ours] == [("500.000", "3.5000", "openadr3")]

    # Bidding closes at 11:00; the plan reaches the VEN as a new event.
    api.clock.set(dt.datetime.combine(D - dt.timedelta(days=1), dt.time(11, 0)))
    assert any("plan sent" in line for line in tick(api))
    plan = openadr3.coerce_notification(_event_notification(world, "plan")).object
    assert isinstance(plan, openadr3.Event)
    values = payloads(plan)
    assert values["DISPATCH_SETPOINT_RELATIVE"] == [-500.0]
    assert values["GZ_PRICE"] == [3.5]
    assert values["BASELINE"] == [BASELINE_KW] * 4
    awards = api.client.get(f"/api/events/{event['id']}/awards", headers=api.grid).json()
    assert [(a["participant_id"], a["kw"]) for a in awards["items"]] == [
        (world.participant, "500.000")
    ]

    # Telemetry during the window: DEMAND every minute. A day later the token has expired.
    api.clock.set(dt.datetime.combine(D, dt.time(12, 3)))
    assert ven.client.get_events().status_code == 401
    ven.reauthenticate()
    telemetry = ven.client.create_report(
        {
            "eventID": plan.id,
            "clientName": "ven-steel-works",
            "payloadDescriptors": [
                {
                    "objectType": "REPORT_PAYLOAD_DESCRIPTOR",
                    "payloadType": "DEMAND",
                    "readingType": "DIRECT_READ",
                    "units": "KW",
                }
            ],
            "resources": [
                {
                    "resourceName": "meter-1",
                    "intervalPeriod": {"start": f"{D}T12:00:00+08:00", "duration": "PT1M"},
                    "intervals": [
                        {"id": i, "payloads": [{"type": "DEMAND", "values": [kw]}]}
                        for i, kw in enumerate([980, 620, 480])
                    ],
                }
            ],
        }
    )
    assert telemetry.status_code == 201, telemetry.text
    view = api.client.get(f"/api/events/{event['id']}/monitoring", headers=api.grid).json()
    (part,) = view["participants"]
    assert [(s["at"][-8:], s["response_kw"]) for s in part["samples"]] == [
        ("12:00:00", "20.000"),
        ("12:01:00", "380.000"),
        ("12:02:00", "520.000"),
    ]
    assert part["reached"] is True


def test_realtime_dispatch_reaches_the_ven_and_monitoring_records_the_target(
    world: World,
) -> None:
    api, ven = world.api, world.ven
    api.clock.set(dt.datetime.combine(D, dt.time(14, 2)))
    ven.reauthenticate()
    event = create_event(
        api,
        mode="realtime",
        start_at=f"{D}T14:15:00",
        end_at=f"{D}T15:00:00",
        demand_kw="600",  # both participants, 300 kW each
        price_mode="fixed",
        fixed_price="4",
    )
    dispatch = openadr3.coerce_notification(_event_notification(world, "dispatch")).object
    assert isinstance(dispatch, openadr3.Event)
    values = payloads(dispatch)
    assert values["DISPATCH_SETPOINT_RELATIVE"] == [-300.0]
    assert values["GZ_NOTICE_AT"] == [f"{D}T14:02:00+08:00"]
    assert values["GZ_TARGET_AT"] == [f"{D}T14:07:00+08:00"]
    assert values["GZ_DEMAND"] == [600.0]
    assert values["BASELINE"] == [BASELINE_KW] * 3  # flat: the two intervals before

    # 14:03 not yet (800 kW: 200 kW shed), 14:05 reached (650 kW: 350 kW shed).
    for minute, kw in ((3, 800), (5, 650)):
        report = ven.client.create_report(
            {
                "eventID": dispatch.id,
                "clientName": "ven-steel-works",
                "resources": [
                    {
                        "resourceName": "meter-1",
                        "intervals": [
                            {
                                "id": 0,
                                "intervalPeriod": {
                                    "start": f"{D}T14:0{minute}:00+08:00",
                                    "duration": "PT1M",
                                },
                                "payloads": [{"type": "DEMAND", "values": [kw]}],
                            }
                        ],
                    }
                ],
            }
        )
        assert report.status_code == 201, report.text
    view = api.client.get(f"/api/events/{event['id']}/monitoring", headers=api.grid).json()
    (part,) = [p for p in view["participants"] if p["participant_id"] == world.participant]
    assert part["target_kw"] == "300.000"
    assert part["target_reached_at"] == f"{D}T14:05:00"
    assert part["reached_in_time"] is True
    assert view["total"]["reached_in_time"] == 1
    with api.session() as session:
        award = (
            session.query(Award)
            .filter_by(event_id=event["id"], participant_id=world.participant)
            .one()
        )
        assert award.target_reached_at == dt.datetime.combine(D, dt.time(14, 5))


def test_a_refused_bid_comes_back_with_the_service_message(world: World) -> None:
    api, ven = world.api, world.ven
    api.clock.set(dt.datetime.combine(D, dt.time(8, 0)))
    ven.reauthenticate()
    tomorrow = D + dt.timedelta(days=1)
    created = create_event(
        api,
        mode="day_ahead",
        start_at=f"{tomorrow}T10:00:00",
        end_at=f"{tomorrow}T11:00:00",
        price_mode="fixed",
        fixed_price="3",
    )

    def invitation() -> openadr3.Event | None:
        for e in ven.client.events(targets=[ven.target]):
            if payloads(e)["GZ_EVENT_ID"] == [created["id"]]:
                return e
        return None

    event = wait_for(invitation, what="the second invitation")

    def bid(kw: int) -> dict[str, Any]:
        offer = {"type": "LOAD_SHED_DELTA_AVAILABLE", "values": [kw]}
        return {
            "eventID": event.id,
            "clientName": "ven-steel-works",
            "resources": [
                {"resourceName": "AGGREGATED_REPORT", "intervals": [{"id": 0, "payloads": [offer]}]}
            ],
        }

    refused = ven.client.create_report(bid(900))
    assert refused.status_code == 400
    assert refused.json()["title"] == "Bad Request"
    assert "900" in refused.json()["detail"] and "800" in refused.json()["detail"]
    api.clock.set(dt.datetime.combine(D, dt.time(11, 0)))
    ven.reauthenticate()
    late = ven.client.create_report(bid(100))
    assert late.status_code == 400
    assert "Bids close before" in late.json()["detail"]
    bids = api.client.get(f"/api/events/{created['id']}/bids", headers=api.grid).json()
    assert bids["items"] == []


def test_another_participants_ven_and_a_ven_without_token_see_nothing(world: World) -> None:
    other = world.other
    other.reauthenticate()
    world.ven.reauthenticate()
    theirs = world.ven.client.events(targets=[world.ven.target])
    assert theirs
    assert other.client.events(targets=[world.ven.target]) == []
    assert other.client.events() == []
    for event in theirs:
        assert other.client.get_event_by_id(event.id).status_code == 404
        stolen = other.client.create_report(
            {"eventID": event.id, "clientName": "x", "resources": []}
        )
        assert stolen.status_code == 409
    assert other.client.get_reports().json() == []
    assert other.client.get_subscriptions().json() == []
    anonymous = httpx.get(f"{world.base}/events")
    assert anonymous.status_code == 401
    assert anonymous.json()["status"] == 401
    forged = httpx.get(f"{world.base}/events", headers={"Authorization": "Bearer nope"})
    assert forged.status_code == 401
    wrong = httpx.post(
        f"{world.base}/auth/token",
        data={"grant_type": "client_credentials", "client_id": "ven-x", "client_secret": "y"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
