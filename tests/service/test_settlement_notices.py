"""Result notices: one per participant per result, none for an evaluation that ran before the
event's own meter data arrived (issue 10, Also), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from meter_scenario import (
    add_event,
    cut,
    days_between,
    enrol_aggregator,
    enrol_user,
    flat_loads,
    load_frame,
    store_system_load,
    upload_ok,
    write,
)
from service_api import Api
from sqlalchemy import select

from gzvpp.models import AwardResult, Notification, NotificationKind

D = dt.date(2025, 7, 15)
HISTORY = days_between(dt.date(2025, 6, 10), D - dt.timedelta(days=1))
ALL_DAYS = days_between(dt.date(2025, 6, 10), D + dt.timedelta(days=1))


def result_notices(api: Api, event_id: str) -> list[str]:
    """The participants told a result of ``event_id``, one entry per notice."""
    with api.session() as session:
        return list(
            session.scalars(
                select(Notification.participant_id).where(
                    Notification.event_id == event_id,
                    Notification.kind == NotificationKind.RESULT,
                )
            )
        )


def statuses(api: Api, event_id: str) -> set[str]:
    with api.session() as session:
        return set(
            session.scalars(select(AwardResult.status).where(AwardResult.event_id == event_id))
        )


def test_one_evaluated_event_tells_each_participant_once(api: Api, tmp_path: Path) -> None:
    user, aggregator = enrol_user(api), enrol_aggregator(api)
    store_system_load(api, ALL_DAYS)
    # An early-morning event: it has ended when the day before's meter data arrives at 07:00.
    event = add_event(api, D, "03:00", "05:00", [(user, "500", None), (aggregator, "900", None)])
    own = cut(flat_loads(ALL_DAYS, 1000), ALL_DAYS, D, event.window, 400)
    loads = {account: own for account in (*user.accounts, *aggregator.accounts)}
    api.clock.set(dt.datetime.combine(D, dt.time(7)))
    rows = slice(0, len(HISTORY))
    before = write(load_frame({a: v[rows] for a, v in loads.items()}, HISTORY), tmp_path)
    summary = upload_ok(api, before)
    # Evaluated already, but without the event day's data: nothing to tell anyone yet.
    assert [r["outcome"] for r in summary["evaluations"]] == ["evaluated"]
    assert statuses(api, event.id) == {"missing_data"}
    assert result_notices(api, event.id) == []

    api.clock.set(dt.datetime.combine(D + dt.timedelta(days=1), dt.time(7)))
    day = days_between(D, D)
    row = slice(len(HISTORY), len(HISTORY) + 1)
    upload_ok(api, write(load_frame({a: v[row] for a, v in loads.items()}, day), tmp_path))
    assert statuses(api, event.id) == {"ok"}
    assert sorted(result_notices(api, event.id)) == sorted([user.id, aggregator.id])

    # The same data again changes nothing and tells nobody anything.
    upload_ok(api, write(load_frame({a: v[row] for a, v in loads.items()}, day), tmp_path))
    assert sorted(result_notices(api, event.id)) == sorted([user.id, aggregator.id])
