"""告警 (``/api/alarms``): each kind appears when its rule says and not before, is worded in
Chinese, is counted by ``/api/alarms/counts`` in one query, and only staff read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from events_support import (
    create,
    event_body,
    past_award,
    power_user,
    store_meter_days,
    substation,
    tick,
)
from service_api import Api
from sqlalchemy import delete, update

from gzvpp.models import Event, EventStatus, MeterDay, Role
from gzvpp.openadr.mapping import Reading
from gzvpp.openadr.monitoring import record_readings

D = dt.date(2025, 6, 10)  # a Tuesday


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def alarms(api: Api, kind: str) -> list[dict[str, Any]]:
    answer = api.client.get("/api/alarms", params={"kind": kind, "limit": 100}, headers=api.grid)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["items"]
    return found


def send(api: Api, event_id: str, participant_id: str, minute: dt.datetime, kw: str) -> None:
    with api.session() as session:
        event = session.get(Event, event_id)
        assert event is not None
        reading = Reading(resource="m1", at=minute, kw=Decimal(kw))
        record_readings(session, event, participant_id, [reading], "openadr3", api.clock.now())


def test_each_kind_appears_when_its_rule_says(api: Api) -> None:
    station = substation()
    quick, silent = (
        power_user(
            api,
            station,
            realtime_capable=True,
            minute_monitoring=True,
            realtime_capability_kw="300",
        )
        for _ in range(2)
    )
    history = [D - dt.timedelta(days=n) for n in range(20)]
    for member in (quick, silent):
        store_meter_days(api, member.accounts[0], history, 1000.0)

    # A real-time call at 14:02: non-responders only once the 5 minutes have passed.
    api.clock.set(at(D, 14, 2))
    realtime = create(
        api,
        event_body(
            at(D, 14, 15), at(D, 15), station, mode="realtime", demand_kw="600", fixed_price="4"
        ),
    )["id"]
    send(api, realtime, quick.id, at(D, 14, 5), "650")
    api.clock.set(at(D, 14, 6))
    assert alarms(api, "non_responder") == []
    api.clock.set(at(D, 14, 8))
    (late,) = alarms(api, "non_responder")
    assert late["participant_id"] == silent.id and late["event_id"] == realtime
    assert late["message"] == "调度通知（14:02）后 5 分钟仍无负荷数据（第八条（二））"
    send(api, realtime, silent.id, at(D, 14, 7), "900")
    (late,) = alarms(api, "non_responder")
    assert "仍未达到调度容量 300 kW" in late["message"]

    # An hours-ahead invitation whose bidding closes within 2 hours with nothing offered.
    invited = create(
        api,
        event_body(at(D, 18, 30), at(D, 19, 30), station, mode="hours_ahead"),
    )["id"]
    (short,) = alarms(api, "bidding_shortfall")
    assert short["event_id"] == invited
    assert short["message"] == "申报将于 2025-06-10 15:08 截止，已申报 0 kW，低于需求 2,000 kW"
    assert alarms(api, "ranking_due") == []

    # Bidding closed, nobody ranked it yet (the scheduler is late); the call has ended.
    api.clock.set(at(D, 15, 10))
    assert alarms(api, "non_responder") == [] and alarms(api, "bidding_shortfall") == []
    (due,) = alarms(api, "ranking_due")
    assert due["event_id"] == invited and "出清期限 2025-06-10 15:38" in due["message"]
    tick(api)
    assert alarms(api, "ranking_due") == []
    with api.session() as session:  # ranked, the plan stuck
        session.execute(update(Event).where(Event.id == invited).values(status=EventStatus.RANKED))
    api.clock.set(at(D, 16, 0))
    (plan,) = alarms(api, "plan_due")
    assert plan["event_id"] == invited and plan["message"].endswith("，已逾期")

    # Meter data: due from noon the next day; the silent participant's day is missing.
    with api.session() as session:
        session.execute(
            delete(MeterDay).where(MeterDay.account_id == silent.accounts[0], MeterDay.day == D)
        )
    api.clock.set(at(D + dt.timedelta(days=1), 11))
    assert alarms(api, "missing_meter_data") == []
    api.clock.set(at(D + dt.timedelta(days=1), 12, 30))
    (missing,) = alarms(api, "missing_meter_data")
    assert missing["event_id"] == realtime
    assert (
        missing["message"]
        == "响应日 2025-06-10 有 1 个营销户号缺少计量数据，评估无法完成（第九条）"
    )

    # Three non-executions this month suspend a participant (R6); two do not.
    for day in (3, 4):
        past_award(api, quick, at(dt.date(2025, 6, day), 10), non_execution=True)
    assert alarms(api, "suspended") == []
    past_award(api, quick, at(dt.date(2025, 6, 5), 10), non_execution=True)
    (suspended,) = alarms(api, "suspended")
    assert suspended["participant_id"] == quick.id
    assert suspended["message"] == "本月已 3 次未执行，暂停本月应邀（R6）"

    # The header's figures match the list.
    counts = api.client.get("/api/alarms/counts", headers=api.regulator).json()
    listed = api.client.get("/api/alarms", params={"limit": 100}, headers=api.grid).json()
    assert counts["total"] == listed["pagination"]["total_count"] == len(listed["items"])
    assert counts["by_kind"]["suspended"] >= 1 and counts["by_kind"]["missing_meter_data"] >= 1


def test_only_staff_read_the_alarms(api: Api) -> None:
    member = power_user(api, substation())
    assert api.client.get("/api/alarms", headers=member.headers).status_code == 403
    assert api.client.get("/api/alarms/counts", headers=member.headers).status_code == 403
    metering = api.token(Role.METERING)
    assert api.client.get("/api/alarms", headers=metering).status_code == 403
