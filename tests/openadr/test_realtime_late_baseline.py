"""A real-time dispatch as it happens in operation: the two intervals of its baseline (R4) end
after the notice and their meter data arrive later still, so the 5-minute check (第八条（二）)
is decided when they do, from the minutes reported since the notice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helpers import D, demand_report, realtime_dispatch, realtime_user
from service_api import Api
from sqlalchemy import select

from gzvpp.models import AuditLog, Award

P = "/openadr3/3.1.0"


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(D, dt.time(hour, minute))


def report(
    api: Api, headers: dict[str, str], event_id: str, minute: dt.datetime, kw: float
) -> None:
    answer = api.client.post(
        f"{P}/reports", json=demand_report(event_id, "m1", minute, kw), headers=headers
    )
    assert answer.status_code == 201, answer.text


def view(api: Api, event_id: str) -> dict[str, Any]:
    answer = api.client.get(f"/api/events/{event_id}/monitoring", headers=api.grid)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def non_responders(api: Api) -> dict[str, str]:
    answer = api.client.get(
        "/api/alarms", params={"kind": "non_responder"}, headers=api.grid
    ).json()
    return {a["participant_id"]: a["message"] for a in answer["items"]}


def upload(api: Api, accounts: list[str], kw: float) -> dict[str, Any]:
    """The metering system's readings of 13:45 and 14:00, the two intervals before 14:15."""
    readings = [
        {"account_id": account, "ts": f"{minute.isoformat()}+08:00", "kw": kw}
        for account in accounts
        for minute in (at(13, 45), at(14, 0))
    ]
    answer = api.client.post(
        "/api/meterdata/loads", json={"readings": readings}, headers=api.metering
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_the_target_check_waits_for_the_baselines_meter_data(api: Api) -> None:
    # Meter data up to the day before: D's arrive from the metering system after the fact.
    (quick, quick_account), (slow, slow_account) = (
        realtime_user(api, D - dt.timedelta(days=1)) for _ in range(2)
    )
    event, headers, ven_event = realtime_dispatch(api, [quick, slow])
    parts = {p["participant_id"]: p for p in view(api, event["id"])["participants"]}
    assert parts[quick]["baseline_kw"] is None and parts[quick]["baseline_pending"] is True
    assert parts[quick]["reached_in_time"] is None

    # 1000 kW before: the quick one sheds 320 kW at 14:05, the slow one only at 14:10.
    report(api, headers[quick], ven_event[quick], at(14, 5), 680.0)
    report(api, headers[slow], ven_event[slow], at(14, 4), 900.0)
    report(api, headers[slow], ven_event[slow], at(14, 10), 650.0)
    api.clock.set(at(14, 12))
    pending = view(api, event["id"])
    assert pending["total"]["baseline_pending"] == 2 and pending["total"]["reached_in_time"] == 0
    assert all(p["target_reached_at"] is None for p in pending["participants"])
    # Reported, but nothing to judge the load by yet: the alarm says so rather than "not reached".
    alarms = non_responders(api)
    assert "实时基线待计量数据到达后判定是否达标" in alarms[quick]
    assert "仍未达到" not in alarms[slow]

    # 14:20: the two intervals have ended and the metering system sends them.
    api.clock.set(at(14, 20))
    upload(api, [quick_account, slow_account], 1000.0)
    judged = view(api, event["id"])
    parts = {p["participant_id"]: p for p in judged["participants"]}
    assert parts[quick]["baseline_kw"] == "1000.0" and parts[quick]["baseline_pending"] is False
    assert parts[quick]["target_reached_at"] == f"{D}T14:05:00"
    assert parts[quick]["reached_in_time"] is True
    assert parts[slow]["target_reached_at"] == f"{D}T14:10:00"
    assert parts[slow]["reached_in_time"] is False
    assert judged["total"]["baseline_pending"] == 0 and judged["total"]["reached_in_time"] == 1
    assert non_responders(api) == {}
    with api.session() as session:
        awards = {
            a.participant_id: a
            for a in session.scalars(select(Award).where(Award.event_id == event["id"]))
        }
        logged = session.scalars(
            select(AuditLog).where(AuditLog.action == "award.baseline").order_by(AuditLog.id)
        ).all()
    assert awards[quick].baseline == [1000.0, 1000.0, 1000.0]
    assert awards[quick].baseline_type == "realtime"
    assert {row.entity_id for row in logged} == {str(a.id) for a in awards.values()}
    after = {row.entity_id: row.after for row in logged}
    assert after[str(awards[slow].id)]["target_reached_at"] == f"{D}T14:10:00"

    # Sending the same readings again changes nothing, and the baselines stay as they are.
    upload(api, [quick_account, slow_account], 1000.0)
    with api.session() as session:
        count = len(
            session.scalars(select(AuditLog).where(AuditLog.action == "award.baseline")).all()
        )
    assert count == 2
