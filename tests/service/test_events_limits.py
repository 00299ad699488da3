"""Who may take part (R2, 第五条, 第八条, R6): daily limits, suspension, cancellation at 4 h,
and real-time selection up to the capacity."""

from __future__ import annotations

import datetime as dt

from events_support import (
    bid,
    create,
    event_body,
    items,
    notifications,
    past_award,
    power_user,
    substation,
    tick,
)
from service_api import Api
from sqlalchemy import select

from gzvpp.models import AuditLog

T = dt.datetime


def test_third_event_of_a_day_is_not_invitable(api: Api) -> None:
    station = substation()
    member = power_user(api, station)
    api.clock.set(T(2025, 7, 14, 8, 0))
    first, second, third = (
        create(api, event_body(T(2025, 7, 15, h), T(2025, 7, 15, h + 1), station))["id"]
        for h in (9, 13, 16)
    )
    # All three are open at once: the limit is only known when the plans are drawn up.
    for event_id in (first, second, third):
        assert bid(api, event_id, member, "500").status_code == 201
    api.clock.set(T(2025, 7, 14, 11, 0))
    tick(api)
    awarded = [a["event_id"] for a in items(api, "/api/awards", member.headers)]
    assert sorted(awarded) == sorted([first, second])
    excluded = api.client.get(f"/api/events/{third}/ranking", headers=api.grid).json()
    (entry,) = excluded["entries"]
    assert (entry["place"], entry["accepted"]) == (None, False)
    assert "第五条" in entry["reason"]
    assert excluded["shortfall"] is True

    # With two awards that day, a later hours-ahead invitation passes the participant by …
    api.clock.set(T(2025, 7, 15, 8, 0))
    fourth = create(
        api, event_body(T(2025, 7, 15, 19), T(2025, 7, 15, 20), station, mode="hours_ahead")
    )["id"]
    assert not notifications(api, member, event_id=fourth)
    # … and a bid for it is refused.
    refused = bid(api, fourth, member, "500")
    assert refused.status_code == 422
    assert "第五条" in refused.json()["detail"][0]["msg"]


def test_suspended_participant_is_not_invited(api: Api) -> None:
    station = substation()
    suspended, fine = power_user(api, station), power_user(api, station)
    for day in (1, 2, 3):
        past_award(api, suspended, T(2025, 7, day, 10), non_execution=True)
    api.clock.set(T(2025, 7, 9, 8, 0))
    event_id = create(api, event_body(T(2025, 7, 10, 10), T(2025, 7, 10, 11), station))["id"]
    assert not notifications(api, suspended, event_id=event_id)
    assert notifications(api, fine, event_id=event_id)
    refused = bid(api, event_id, suspended, "500")
    assert refused.status_code == 422
    assert "suspended" in refused.json()["detail"][0]["msg"]
    # A new month lifts the suspension.
    api.clock.set(T(2025, 7, 31, 8, 0))
    august = create(api, event_body(T(2025, 8, 1, 10), T(2025, 8, 1, 11), station))["id"]
    assert not notifications(api, suspended, event_id=august)  # still July when published
    api.clock.set(T(2025, 8, 1, 6, 0))
    later = create(
        api, event_body(T(2025, 8, 1, 14), T(2025, 8, 1, 15), station, mode="hours_ahead")
    )["id"]
    assert notifications(api, suspended, event_id=later)


def test_cancellation_needs_four_hours(api: Api) -> None:
    station = substation()
    invited, bidder = power_user(api, station), power_user(api, station)
    api.clock.set(T(2025, 7, 16, 8, 0))
    on_time = create(
        api, event_body(T(2025, 7, 16, 14), T(2025, 7, 16, 15), station, mode="hours_ahead")
    )["id"]
    too_late = create(
        api, event_body(T(2025, 7, 16, 14), T(2025, 7, 16, 15), station, mode="hours_ahead")
    )["id"]
    assert bid(api, on_time, bidder, "500").status_code == 201
    api.clock.set(T(2025, 7, 16, 9, 0))
    tick(api)

    api.clock.set(T(2025, 7, 16, 10, 0))  # exactly 4 h before
    cancelled = api.client.post(
        f"/api/events/{on_time}/cancel", json={"reason": "负荷预测下调"}, headers=api.grid
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["cancel_reason"]) == (
        "cancelled",
        "负荷预测下调",
    )
    for member in (invited, bidder):
        told = notifications(api, member, event_id=on_time, kind="cancellation")
        assert told and told[0]["payload"]["reason"] == "负荷预测下调"
    again = api.client.post(
        f"/api/events/{on_time}/cancel", json={"reason": "again"}, headers=api.grid
    )
    assert again.status_code == 409

    api.clock.set(T(2025, 7, 16, 10, 1))  # 3 h 59 min before
    refused = api.client.post(
        f"/api/events/{too_late}/cancel", json={"reason": "太晚"}, headers=api.grid
    )
    assert refused.status_code == 409
    assert "4 h" in refused.json()["detail"]
    detail = api.client.get(f"/api/events/{too_late}", headers=api.grid).json()
    assert detail["status"] == "notified"
    with api.session() as session:
        audited = session.scalars(
            select(AuditLog).where(AuditLog.entity_id == on_time, AuditLog.action == "event.cancel")
        ).one()
    assert audited.before is not None and audited.before["status"] == "notified"
    assert audited.after is not None and audited.after["status"] == "cancelled"

    # The cancelled event's award does not count towards the daily limit: with one more award
    # that day, a new invitation is the second of the day, not the third.
    past_award(api, bidder, T(2025, 7, 16, 6))
    api.clock.set(T(2025, 7, 16, 11, 0))
    evening = create(
        api, event_body(T(2025, 7, 16, 18), T(2025, 7, 16, 19), station, mode="hours_ahead")
    )["id"]
    assert notifications(api, bidder, event_id=evening)


def test_realtime_selection_up_to_capacity(api: Api) -> None:
    station = substation()
    members = []
    for hour, kw in ((8, "500"), (9, "300"), (10, "400")):
        api.clock.set(T(2025, 7, 1, hour))  # earlier registration ranks first (criterion d)
        members.append(
            power_user(
                api,
                station,
                realtime_capable=True,
                minute_monitoring=True,
                realtime_capability_kw=kw,
            )
        )
    ordinary = power_user(api, station)
    first, second, third = members

    api.clock.set(T(2025, 7, 17, 14, 3))
    body = event_body(
        T(2025, 7, 17, 14, 15), T(2025, 7, 17, 15), station, mode="realtime", demand_kw="700"
    )
    event = create(api, body)
    assert (event["status"], event["accepted_kw"], event["shortfall"]) == (
        "dispatched",
        "800.000",
        False,
    )
    assert event["bids_close_at"] is None
    awards = items(api, f"/api/events/{event['id']}/awards", api.grid)
    assert [(a["participant_id"], a["kw"], a["place"]) for a in awards] == [
        (first.id, "500.000", 1),
        (second.id, "300.000", 2),
    ]
    dispatch = notifications(api, first, event_id=event["id"])[0]
    assert dispatch["kind"] == "dispatch"
    assert dispatch["payload"]["assigned_kw"] == "500.000"
    assert dispatch["payload"]["notice_at"] == "2025-07-17T14:03:00"
    assert dispatch["payload"]["target_at"] == "2025-07-17T14:08:00"
    assert dispatch["payload"]["baseline"]["type"] == "realtime"
    assert not notifications(api, third, event_id=event["id"])
    assert not notifications(api, ordinary, event_id=event["id"])
    ranking = api.client.get(f"/api/events/{event['id']}/ranking", headers=api.grid).json()
    assert [e["participant_id"] for e in ranking["entries"]] == [first.id, second.id]
    assert bid(api, event["id"], first, "100").status_code == 409

    # Capacity beyond everyone: all three are called and the shortfall is flagged.
    api.clock.set(T(2025, 7, 18, 14, 3))
    body = event_body(
        T(2025, 7, 18, 14, 15), T(2025, 7, 18, 15), station, mode="realtime", demand_kw="5000"
    )
    short = create(api, body)
    assert (short["accepted_kw"], short["shortfall"], short["shortfall_kw"]) == (
        "1200.000",
        True,
        "3800.000",
    )
