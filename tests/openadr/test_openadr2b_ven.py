"""End to end with openleadr's ``OpenADRClient`` (OpenADR 2.0b) as the VEN, over HTTP on
loopback, signing its messages with a certificate whose fingerprint the grid operator
provisioned.

The VEN registers and registers its reports (telemetry, and the deltaDemand/price data points
it bids with), receives the invitation, opts in, is asked for its bid and sends it, receives
the plan, the real-time dispatch and a cancellation, and sends minute telemetry. An unknown or
wrongly signed VEN gets nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from helpers import BASELINE_KW, certificate, create_event, provision, realtime_user, tick
from openleadr import OpenADRClient
from openleadr.messaging import create_message
from openleadr.utils import certificate_fingerprint
from service_api import Api

from gzkit.timezone import SHANGHAI

T = TypeVar("T")


def upcoming_weekday() -> dt.date:
    """A weekday two days or more ahead of the wall clock: openleadr's VEN judges events by
    its own clock, and does not answer one it thinks is over. (The platform's clock is
    simulated and follows the scenario.)"""
    day = dt.date.today() + dt.timedelta(days=2)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


D = upcoming_weekday()


@dataclass
class Ven2bSite:
    """A site running an openleadr VEN: what it offers, measures, and has been told."""

    api: Api
    load_kw: float = BASELINE_KW
    offer_kw: float = 450.0
    offer_price: float = 3.2
    events: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def on_event(self, event: dict[str, Any]) -> str:
        self.events[event["event_descriptor"]["event_id"]] = event
        return "optIn"

    async def on_update_event(self, event: dict[str, Any]) -> str:
        return await self.on_event(event)

    def telemetry(self) -> list[tuple[dt.datetime, float]]:
        # Stamped with the platform's (simulated) time, as a site clock would be.
        return [(self.api.clock.now().replace(tzinfo=SHANGHAI), self.load_kw)]

    def client(self, vtn_url: str, name: str, cert: str, key: str) -> OpenADRClient:
        ven = OpenADRClient(
            ven_name=name,
            vtn_url=vtn_url,
            cert=cert,
            key=key,
            ca_file=cert,
            show_fingerprint=False,
            check_hostname=False,
        )
        ven.add_handler("on_event", self.on_event)
        ven.add_handler("on_update_event", self.on_update_event)
        ven.add_report(
            callback=self.telemetry,
            resource_id="meter-1",
            measurement="power_real",
            unit="W",
            scale="k",
            sampling_rate=dt.timedelta(seconds=1),
            report_duration=dt.timedelta(seconds=1),
        )
        ven.add_report(
            callback=lambda: self.offer_kw,
            resource_id="site",
            measurement="power_real",
            unit="W",
            scale="k",
            report_type="deltaDemand",
            reading_type="Projected",
            report_duration=dt.timedelta(seconds=1),
        )
        ven.add_report(
            callback=lambda: self.offer_price,
            resource_id="site",
            measurement="currencyPerKWh",
            unit="CNY",
            report_type="price",
            reading_type="Projected",
            report_duration=dt.timedelta(seconds=1),
        )
        return ven

    def of_kind(self, kind: str) -> dict[str, Any] | None:
        for event in self.events.values():
            if f" {kind} " in event["event_descriptor"].get("vtn_comment", ""):
                return event
        return None


async def until(probe: Callable[[], T | Awaitable[T | None] | None], what: str) -> T:
    """Wait (letting the VEN run) until ``probe`` gives something truthy."""
    for _ in range(300):
        found = probe()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found  # type: ignore[return-value]
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def signals(event: dict[str, Any]) -> dict[str, float]:
    found = event["event_signals"]
    found = found["event_signals"] if isinstance(found, dict) else found
    return {s["signal_name"]: s["intervals"][0]["signal_payload"] for s in found}


@pytest.fixture(scope="module")
def site(api: Api, server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    participant, _ = realtime_user(api, D)
    directory = tmp_path_factory.mktemp("pki")
    cert, key = certificate(directory, "ven-plant")
    fingerprint = certificate_fingerprint(Path(cert).read_text())
    provision(api, participant, protocol="2.0b", ven_name="ven-plant", fingerprint=fingerprint)
    yield participant, Ven2bSite(api), f"{server}/OpenADR2/Simple/2.0b", (cert, key), directory


def bids_of(api: Api, event_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.client.get(
        f"/api/events/{event_id}/bids", headers=api.grid
    ).json()["items"]
    return items


def test_openleadr_ven_bids_receives_the_plan_a_dispatch_a_cancellation_and_reports(
    site: Any, app: FastAPI
) -> None:
    participant, plant, vtn_url, (cert, key), _ = site
    api: Api = plant.api

    api.clock.set(dt.datetime.combine(D - dt.timedelta(days=1), dt.time(8, 0)))

    async def scenario() -> None:
        ven = plant.client(vtn_url, "ven-plant", cert, key)
        await ven.run()
        try:
            assert ven.registration_id and ven.ven_id.startswith("ven2b-")

            # Invitation → optIn → the VTN asks for the bid → the bid, as openadr2b.
            event = create_event(
                api,
                mode="day_ahead",
                start_at=f"{D}T12:00:00",
                end_at=f"{D}T13:00:00",
                price_mode="bidding",
            )
            invitation = await until(lambda: plant.of_kind("invitation"), "the invitation")
            assert signals(invitation) == {"SIMPLE": 0, "BID_LOAD": 400.0, "BID_PRICE": 5.0}
            # The baseline the platform computed (unavailable if the built-in holiday calendar
            # does not cover D's year yet) travels as eiEventBaseline.
            told = _invitation_baseline(api, event["id"])
            if told["available"]:
                baseline = invitation["event_signals"]["event_baseline"]
                assert [i["signal_payload"] for i in baseline["intervals"]] == told["kw"]
                assert told["kw"] == [BASELINE_KW] * 4
            else:
                assert isinstance(invitation["event_signals"], list)
            bid = await until(lambda: bids_of(api, event["id"]), "the bid")
            assert [(b["participant_id"], b["kw"], b["price"], b["source"]) for b in bid] == [
                (participant, "450.000", "3.2000", "openadr2b")
            ]

            # The plan.
            api.clock.set(dt.datetime.combine(D - dt.timedelta(days=1), dt.time(11, 0)))
            tick(api)
            plan = await until(lambda: plant.of_kind("plan"), "the plan")
            assert signals(plan) == {
                "SIMPLE": 1,
                "BID_LOAD": 450.0,
                "BID_PRICE": 3.2,
                "LOAD_DISPATCH": -450.0,
            }

            # Telemetry in the window feeds the monitoring.
            api.clock.set(dt.datetime.combine(D, dt.time(12, 1)))
            plant.load_kw = 560.0

            async def sampled() -> list[dict[str, Any]] | None:
                view = api.client.get(
                    f"/api/events/{event['id']}/monitoring", headers=api.grid
                ).json()
                return view["participants"][0]["samples"] or None

            samples = await until(sampled, "telemetry of the plan")
            assert samples[0]["at"] == f"{D}T12:01:00"
            assert samples[0]["response_kw"] == "440.000"

            # A real-time dispatch: reached 2 minutes after the notice.
            api.clock.set(dt.datetime.combine(D, dt.time(14, 2)))
            plant.load_kw = BASELINE_KW
            realtime = create_event(
                api,
                mode="realtime",
                start_at=f"{D}T14:15:00",
                end_at=f"{D}T15:00:00",
                demand_kw="300",
                price_mode="fixed",
                fixed_price="4",
            )
            dispatch = await until(lambda: plant.of_kind("dispatch"), "the dispatch")
            assert signals(dispatch)["LOAD_DISPATCH"] == -300.0
            assert "14:07:00" in dispatch["event_descriptor"]["vtn_comment"]
            api.clock.set(dt.datetime.combine(D, dt.time(14, 4)))
            plant.load_kw = 650.0

            async def reached() -> dict[str, Any] | None:
                view = api.client.get(
                    f"/api/events/{realtime['id']}/monitoring", headers=api.grid
                ).json()
                part: dict[str, Any] = view["participants"][0]
                return part if part["target_reached_at"] else None

            part = await until(reached, "the target reached")
            assert part["target_reached_at"] == f"{D}T14:04:00"
            assert part["reached_in_time"] is True

            # A cancellation reaches the VEN as the event with status cancelled.
            api.clock.set(dt.datetime.combine(D, dt.time(8, 0)))
            tomorrow = D + dt.timedelta(days=1)
            later = create_event(
                api,
                mode="day_ahead",
                start_at=f"{tomorrow}T10:00:00",
                end_at=f"{tomorrow}T11:00:00",
                price_mode="fixed",
                fixed_price="3",
            )

            def invited_tomorrow() -> dict[str, Any] | None:
                for e in plant.events.values():
                    if later["id"] in e["event_descriptor"]["vtn_comment"]:
                        return e
                return None

            first = await until(invited_tomorrow, "the second invitation")
            cancelled = api.client.post(
                f"/api/events/{later['id']}/cancel",
                json={"reason": "负荷预测下调"},
                headers=api.grid,
            )
            assert cancelled.status_code == 200, cancelled.text

            def cancellation() -> dict[str, Any] | None:
                event_ = plant.events.get(first["event_descriptor"]["event_id"])
                status = event_ and event_["event_descriptor"]["event_status"]
                return event_ if status == "cancelled" else None

            gone = await until(cancellation, "the cancellation")
            assert gone["event_descriptor"]["modification_number"] == 1
        finally:
            await ven.stop()

    asyncio.run(scenario())


def test_an_unknown_or_wrongly_signed_ven_gets_nothing(site: Any) -> None:
    _, plant, vtn_url, (cert, key), directory = site
    other_cert, other_key = certificate(directory, "intruder")

    async def register(name: str, cert_: str, key_: str) -> str | None:
        ven = plant.client(vtn_url, name, cert_, key_)
        await ven.create_party_registration()
        if ven.client_session:
            await ven.client_session.close()
        registration: str | None = ven.registration_id
        return registration

    # Another certificate for the provisioned name, and a name nobody provisioned.
    assert asyncio.run(register("ven-plant", other_cert, other_key)) is None
    assert asyncio.run(register("ven-nobody", cert, key)) is None
    # Unsigned, with the right venID: 463, and no events.
    unsigned = create_message("oadrRequestEvent", request_id="r1", ven_id=_ven_id(plant.api))
    answer = httpx.post(f"{vtn_url}/EiEvent", content=unsigned)
    assert answer.status_code == 200
    assert "<ei:responseCode>463</ei:responseCode>" in answer.text
    assert "oadrEvent" not in answer.text
    assert httpx.post(f"{vtn_url}/EiEvent", content=b"<not-xml").status_code == 400


def _invitation_baseline(api: Api, event_id: str) -> dict[str, Any]:
    from gzvpp.models import Notification, NotificationKind

    with api.session() as session:
        notification = (
            session.query(Notification)
            .filter_by(event_id=event_id, kind=NotificationKind.INVITATION)
            .one()
        )
        baseline: dict[str, Any] = notification.payload["baseline"]
    return baseline


def _ven_id(api: Api) -> str:
    from gzvpp.models import Ven2b

    with api.session() as session:
        ven_id: str = session.query(Ven2b.id).filter_by(ven_name="ven-plant").scalar()
    return ven_id
