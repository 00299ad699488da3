"""Invitations over HTTP (R2, 第五条, 第七条, 第八条): publication, bids, ranking to 150 %,
plans with baselines, the hours-ahead timeline and the validation of a new event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from events_support import (
    Member,
    aggregator,
    bid,
    create,
    event_body,
    items,
    known_substation,
    notifications,
    past_award,
    power_user,
    store_meter_days,
    substation,
    tick,
)
from service_api import Api
from sqlalchemy import select

from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.meterdata.repository import encode_day
from gzvpp.models import AuditLog, EventStatus, SystemLoadDay

T = dt.datetime


def one(found: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(found) == 1, found
    return found[0]


def test_day_ahead_invitation_end_to_end(api: Api) -> None:
    station = substation()
    api.clock.set(T(2025, 6, 29, 12, 0))
    fast = power_user(
        api,
        station,
        realtime_capable=True,
        minute_monitoring=True,
        realtime_capability_kw="500",
    )
    second, late, greedy, last = (power_user(api, station) for _ in range(4))
    group = aggregator(api, station)
    # Five qualifying workdays before D-2 for the real-time-capable user only.
    workdays = [dt.date(2025, 6, d) for d in (23, 24, 25, 26, 27)]
    store_meter_days(api, fast.accounts[0], workdays, 1000.0)

    api.clock.set(T(2025, 6, 30, 8, 30))
    event = create(api, event_body(T(2025, 7, 1, 10), T(2025, 7, 1, 12), station))
    event_id = event["id"]
    assert event_id.startswith("DR20250701-")
    assert event["status"] == "published"
    assert event["published_at"] == "2025-06-30T08:30:00"
    assert (event["bids_close_at"], event["ranking_due_at"], event["notify_due_at"]) == (
        "2025-06-30T11:00:00",
        "2025-06-30T12:00:00",
        "2025-06-30T12:30:00",
    )
    assert event["price_cap"] == "5.0000"

    invitation = one(notifications(api, fast, event_id=event_id))
    assert invitation["kind"] == "invitation"
    told = invitation["payload"]
    assert told["window"] == {"start": "2025-07-01T10:00:00", "end": "2025-07-01T12:00:00"}
    assert told["demand_kw"] == "2000.000"
    assert told["deadlines"]["bids_close"] == "2025-06-30T11:00:00"
    assert told["baseline"] == {"type": "workday", "kw": [1000.0] * 8, "available": True}
    no_data = one(notifications(api, second, event_id=event_id))["payload"]["baseline"]
    assert no_data == {"type": "workday", "kw": None, "available": False}
    for member in (late, greedy, last, group):
        assert one(notifications(api, member, event_id=event_id))["kind"] == "invitation"

    api.clock.set(T(2025, 6, 30, 9, 30))
    assert bid(api, event_id, fast, "800").status_code == 201
    first = bid(api, event_id, second, "700")
    assert first.status_code == 201
    replaced = bid(api, event_id, second, "600")
    assert replaced.status_code == 200
    assert replaced.json()["id"] == first.json()["id"]
    assert replaced.json()["kw"] == "600.000"
    over = bid(api, event_id, greedy, "900")
    assert over.status_code == 422
    assert "800" in over.json()["detail"][0]["msg"]
    api.clock.set(T(2025, 6, 30, 10, 0))
    assert bid(api, event_id, group, "2000").status_code == 201
    api.clock.set(T(2025, 6, 30, 10, 30))
    assert bid(api, event_id, last, "500").status_code == 201

    api.clock.set(T(2025, 6, 30, 10, 59, 59))
    assert not [a for a in tick(api) if a.startswith(event_id)]
    preview = api.client.get(f"/api/events/{event_id}/ranking", headers=api.grid).json()
    assert preview["provisional"] is True
    assert [e["participant_id"] for e in preview["entries"]] == [
        fast.id,
        second.id,
        group.id,
        last.id,
    ]

    api.clock.set(T(2025, 6, 30, 11, 0))
    refused = bid(api, event_id, late, "100")
    assert refused.status_code == 422
    assert "11:00" in refused.json()["detail"][0]["msg"]
    done = [a for a in tick(api) if a.startswith(event_id)]
    assert len(done) == 2 and "ranked 4 bids" in done[0] and "plan sent to 3" in done[1]

    ranking = api.client.get(f"/api/events/{event_id}/ranking", headers=api.grid).json()
    assert ranking["provisional"] is False
    assert ranking["status"] == "notified"
    assert (ranking["demand_kw"], ranking["reserve_kw"]) == ("2000.000", "3000.000")
    assert (ranking["offered_kw"], ranking["accepted_kw"]) == ("3900.000", "3400.000")
    assert ranking["covers_demand"] and ranking["covers_reserve"]
    assert ranking["shortfall"] is False
    entries = ranking["entries"]
    assert [(e["place"], e["participant_id"], e["accepted"]) for e in entries] == [
        (1, fast.id, True),
        (2, second.id, True),
        (3, group.id, True),
        (4, last.id, False),
    ]
    assert entries[0]["reason"].startswith("具备实时响应能力者优先")  # real-time capable first
    assert entries[1]["reason"].startswith("应邀时间早者优先")  # earlier bid first
    assert entries[3]["reason"] == "末位"

    plan = one(notifications(api, fast, event_id=event_id, kind="plan"))["payload"]
    assert (plan["awarded_kw"], plan["price"], plan["place"]) == ("800.000", "3.0000", 1)
    assert plan["baseline"] == {"type": "workday", "kw": [1000.0] * 8, "available": True}
    assert one(notifications(api, group, event_id=event_id, kind="plan"))
    assert not notifications(api, last, event_id=event_id, kind="plan")

    awards = items(api, f"/api/events/{event_id}/awards", api.grid)
    assert [(a["participant_id"], a["kw"], a["price"]) for a in awards] == [
        (fast.id, "800.000", None),
        (second.id, "600.000", None),
        (group.id, "2000.000", None),
    ]
    assert awards[0]["baseline"] == [1000.0] * 8
    assert (awards[1]["baseline_type"], awards[1]["baseline"]) == ("workday", None)

    detail = api.client.get(f"/api/events/{event_id}", headers=api.grid).json()
    assert (detail["status"], detail["accepted_kw"], detail["shortfall"]) == (
        "notified",
        "3400.000",
        False,
    )
    assert detail["ranked_at"] == detail["notified_at"] == "2025-06-30T11:00:00"

    # Idempotent: nothing more is done or sent.
    assert not [a for a in tick(api) if a.startswith(event_id)]
    assert len(notifications(api, fast, event_id=event_id)) == 2
    assert bid(api, event_id, fast, "700").status_code == 409

    with api.session() as session:
        actions = set(
            session.scalars(
                select(AuditLog.action).where(
                    AuditLog.entity.in_(["event", "bid", "award"]),
                    AuditLog.at >= T(2025, 6, 30, 8, 30),
                )
            )
        )
    assert {
        "event.create",
        "bid.submit",
        "bid.replace",
        "event.rank",
        "event.notify",
        "award.create",
    } <= actions


def test_bidding_ranks_on_price_and_flags_a_shortfall(api: Api) -> None:
    station = substation()
    fast = power_user(
        api, station, realtime_capable=True, minute_monitoring=True, realtime_capability_kw="500"
    )
    cheap, dear = power_user(api, station), aggregator(api, station)
    api.clock.set(T(2025, 7, 1, 8, 0))
    body = event_body(
        T(2025, 7, 2, 14), T(2025, 7, 2, 15), station, price_mode="bidding", demand_kw="5000"
    )
    del body["fixed_price"]
    event_id = create(api, body)["id"]
    assert one(notifications(api, cheap, event_id=event_id))["payload"]["price_mode"] == "bidding"

    missing = bid(api, event_id, cheap, "600")
    assert missing.status_code == 422 and "price" in missing.json()["detail"][0]["msg"]
    capped = bid(api, event_id, cheap, "600", "5.01")
    assert capped.status_code == 422
    assert "between 0 and 5" in capped.json()["detail"][0]["msg"]
    assert bid(api, event_id, fast, "800", "3").status_code == 201
    assert bid(api, event_id, cheap, "600", "2").status_code == 201
    assert bid(api, event_id, dear, "2000", "4.5").status_code == 201

    api.clock.set(T(2025, 7, 1, 11, 0))
    tick(api)
    ranking = api.client.get(f"/api/events/{event_id}/ranking", headers=api.regulator).json()
    assert [(e["participant_id"], e["price"], e["accepted"]) for e in ranking["entries"]] == [
        (cheap.id, "2.0000", True),
        (fast.id, "3.0000", True),
        (dear.id, "4.5000", True),
    ]
    assert ranking["entries"][0]["reason"].startswith("竞价邀约价格低者优先")  # lower price first
    assert ranking["shortfall"] is True
    assert ranking["shortfall_kw"] == "1600.000"
    assert ranking["covers_demand"] is False
    detail = api.client.get(f"/api/events/{event_id}", headers=api.grid).json()
    assert (detail["shortfall"], detail["shortfall_kw"]) == (True, "1600.000")
    plan = one(notifications(api, cheap, event_id=event_id, kind="plan"))["payload"]
    assert plan["price"] == "2.0000"
    awards = items(api, "/api/awards", cheap.headers)
    assert [(a["event_id"], a["price"]) for a in awards] == [(event_id, "2.0000")]


def test_hours_ahead_timeline(api: Api) -> None:
    station = substation()
    early, late = power_user(api, station), power_user(api, station)
    api.clock.set(T(2025, 7, 3, 8, 0))
    short_notice = api.client.post(
        "/api/events",
        json=event_body(T(2025, 7, 3, 11, 45), T(2025, 7, 3, 13), station, mode="hours_ahead"),
        headers=api.grid,
    )
    assert short_notice.status_code == 422
    assert short_notice.json()["detail"][0]["loc"] == ["body", "start_at"]
    assert "4 h" in short_notice.json()["detail"][0]["msg"]

    # Exactly 4 hours ahead is allowed.
    event = create(
        api, event_body(T(2025, 7, 3, 12), T(2025, 7, 3, 13), station, mode="hours_ahead")
    )
    assert (event["bids_close_at"], event["ranking_due_at"], event["notify_due_at"]) == (
        "2025-07-03T09:00:00",
        "2025-07-03T09:30:00",
        "2025-07-03T09:30:00",
    )
    api.clock.set(T(2025, 7, 3, 8, 59, 59))
    assert bid(api, event["id"], early, "500").status_code == 201
    api.clock.set(T(2025, 7, 3, 9, 0))
    assert bid(api, event["id"], late, "500").status_code == 422
    assert [a for a in tick(api) if a.startswith(event["id"])]
    detail = api.client.get(f"/api/events/{event['id']}", headers=api.grid).json()
    assert detail["status"] == "notified"
    assert one(notifications(api, early, event_id=event["id"], kind="plan"))


@pytest.mark.parametrize(
    ("start", "end", "overrides", "field", "words"),
    [
        (T(2025, 7, 10, 10, 5), T(2025, 7, 10, 11), {}, "start_at", "15-minute grid"),
        (T(2025, 7, 10, 10), T(2025, 7, 10, 11, 10), {}, "end_at", "15-minute grid"),
        (T(2025, 7, 10, 10), T(2025, 7, 10, 10, 15), {}, "end_at", "30 min"),
        (T(2025, 7, 10, 10), T(2025, 7, 10, 11), {"fixed_price": "5.01"}, "fixed_price", "cap"),
        (
            T(2025, 7, 10, 10),
            T(2025, 7, 10, 11),
            {"direction": "valley", "fixed_price": "2.01"},
            "fixed_price",
            "cap",
        ),
        (T(2025, 7, 10, 10), T(2025, 7, 10, 11), {"fixed_price": None}, "fixed_price", "needs"),
        (
            T(2025, 7, 10, 10),
            T(2025, 7, 10, 11),
            {"price_mode": "bidding"},
            "fixed_price",
            "bidding",
        ),
        (
            T(2025, 7, 10, 10),
            T(2025, 7, 10, 11),
            {"mode": "realtime", "price_mode": "bidding", "fixed_price": None},
            "price_mode",
            "real-time",
        ),
        (
            T(2025, 7, 10, 10),
            T(2025, 7, 10, 11),
            {"direction": "valley", "fixed_price": "1", "forecast_max_mw": "4000"},
            "forecast_max_mw",
            "peak",
        ),
        # Now is 2025-07-09 09:01: past the day-ahead publication time of D-1 09:00.
        (T(2025, 7, 10, 10), T(2025, 7, 10, 11), {}, "start_at", "09:00"),
        (T(2025, 7, 9, 9), T(2025, 7, 9, 10), {"mode": "realtime"}, "start_at", "before now"),
    ],
)
def test_invalid_events_name_the_field(
    api: Api,
    start: dt.datetime,
    end: dt.datetime,
    overrides: dict[str, Any],
    field: str,
    words: str,
) -> None:
    api.clock.set(T(2025, 7, 9, 9, 1) if field == "start_at" else T(2025, 7, 9, 8, 0))
    response = api.client.post(
        "/api/events", json=event_body(start, end, substation(), **overrides), headers=api.grid
    )
    assert response.status_code == 422, response.text
    error = one(response.json()["detail"])
    assert error["loc"] == ["body", field]
    assert words in error["msg"]


def test_day_ahead_at_nine_is_allowed_and_ids_count_up(api: Api) -> None:
    api.clock.set(T(2025, 8, 14, 9, 0))
    station = known_substation(api)
    first = create(api, event_body(T(2025, 8, 15, 10), T(2025, 8, 15, 11), station))
    second = create(api, event_body(T(2025, 8, 15, 14), T(2025, 8, 15, 15), station))
    assert (first["id"], second["id"]) == ("DR20250815-01", "DR20250815-02")


def test_peak_trigger_check(api: Api) -> None:
    loads = np.full(INTERVALS_PER_DAY, 4000.0)
    loads[60] = 4613.8
    with api.session() as session:
        session.add(
            SystemLoadDay(
                day=dt.date(2024, 7, 15), mw=encode_day(loads), updated_at=api.clock.now()
            )
        )
    check = api.client.get(
        "/api/events/trigger-check",
        params={"day": "2025-08-20", "forecast_max_mw": "4383.11"},
        headers=api.regulator,
    ).json()
    assert (check["last_year"], check["last_year_max_mw"], check["ratio"]) == (
        2024,
        "4613.800",
        "0.950000",
    )
    assert check["triggered"] is True
    below = api.client.get(
        "/api/events/trigger-check",
        params={"day": "2025-08-20", "forecast_max_mw": "4383.1"},
        headers=api.grid,
    ).json()
    assert below["triggered"] is False
    unknown = api.client.get(
        "/api/events/trigger-check",
        params={"day": "2031-08-20", "forecast_max_mw": "4383.1"},
        headers=api.grid,
    ).json()
    assert (unknown["triggered"], unknown["last_year_max_mw"]) == (None, None)

    api.clock.set(T(2025, 8, 19, 8, 0))
    event = create(
        api,
        event_body(
            T(2025, 8, 20, 15), T(2025, 8, 20, 16), known_substation(api), forecast_max_mw="4400"
        ),
    )
    assert event["trigger"]["triggered"] is True
    assert event["trigger"]["forecast_max_mw"] == "4400"


def test_baseline_skips_response_days_but_not_cancelled_events(api: Api) -> None:
    station = substation()
    member: Member = power_user(api, station)
    account = member.accounts[0]
    # D = Tue 2025-07-08; D-2 is a Sunday, so the workdays counted back are 07-04, 07-03 …
    store_meter_days(
        api, account, [dt.date(2025, 7, d) for d in (4, 3, 2, 1)] + [dt.date(2025, 6, 30)], 1000.0
    )
    store_meter_days(api, account, [dt.date(2025, 6, 27)], 1500.0)
    past_award(api, member, T(2025, 7, 3, 10))  # a response day: skipped
    past_award(api, member, T(2025, 7, 2, 10), status=EventStatus.CANCELLED)  # not one
    api.clock.set(T(2025, 7, 7, 8, 0))
    event_id = create(api, event_body(T(2025, 7, 8, 10), T(2025, 7, 8, 11), station))["id"]
    baseline = one(notifications(api, member, event_id=event_id))["payload"]["baseline"]
    # 07-04, 07-02, 07-01, 06-30 at 1000 kW and 06-27 at 1500 kW.
    assert baseline == {"type": "workday", "kw": [1100.0] * 4, "available": True}


def test_baseline_from_days_read_on_a_later_pass(api: Api) -> None:
    station = substation()
    recent, older = power_user(api, station), power_user(api, station)
    # D = Tue 2025-07-08: the first ten workday candidates are 07-04 … 06-23; ``older`` has
    # data only before them, so its days are read on a later pass than ``recent``'s.
    store_meter_days(api, recent.accounts[0], [dt.date(2025, 7, d) for d in (4, 3, 2, 1)], 800.0)
    store_meter_days(api, recent.accounts[0], [dt.date(2025, 6, 30)], 800.0)
    store_meter_days(
        api, older.accounts[0], [dt.date(2025, 6, d) for d in (20, 19, 18, 16)], 1000.0
    )
    store_meter_days(api, older.accounts[0], [dt.date(2025, 6, 17)], 2000.0)
    store_meter_days(api, older.accounts[0], [dt.date(2025, 6, 13)], 5000.0)  # the sixth: unused
    api.clock.set(T(2025, 7, 7, 8, 0))
    event_id = create(api, event_body(T(2025, 7, 8, 10), T(2025, 7, 8, 11), station))["id"]
    told = {
        member.id: one(notifications(api, member, event_id=event_id))["payload"]["baseline"]
        for member in (recent, older)
    }
    assert told[recent.id] == {"type": "workday", "kw": [800.0] * 4, "available": True}
    assert told[older.id] == {"type": "workday", "kw": [1200.0] * 4, "available": True}
