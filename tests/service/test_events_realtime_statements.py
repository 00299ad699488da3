"""A real-time dispatch sends a bounded number of SQL statements, however many it calls.

The awards, their audit rows and the dispatch notifications are written in bulk (第八条 (二):
every participant is told at once, issue #11 §4 asks it of 10,000 VENs), so calling 200 of
the same 200 candidates takes (within a small constant) the statements of calling 10. Counted
statements do not depend on the machine's load, unlike a time.
"""

from __future__ import annotations

import datetime as dt

from events_support import create, event_body, substation
from service_api import Api
from sqlalchemy import select

from gzkit.audit import snapshot
from gzkit.db import count_statements
from gzvpp.models import AuditLog, Award, Notification, NotificationKind

T = dt.datetime
CANDIDATES = 200
#: Statements that may differ between the two dispatches (none expected).
SLACK = 2


def test_realtime_dispatch_statements_do_not_grow_with_the_awards(api: Api) -> None:
    station = substation()
    api.clock.set(T(2025, 8, 1, 8))
    for _ in range(CANDIDATES):
        body = api.enrol(
            api.user(
                substation=station,
                realtime_capable=True,
                minute_monitoring=True,
                realtime_capability_kw="100",
            )
        )
        api.activate(body["id"])

    engine = api.app.state.engine
    counts: dict[int, int] = {}
    events: dict[int, str] = {}
    # 100 kW each: 1000 kW calls 10 of the 200, 20000 kW all of them (on another day, so the
    # first dispatch does not count against the daily limit).
    for day, called in ((5, 10), (6, CANDIDATES)):
        api.clock.set(T(2025, 8, day, 14, 3))
        body = event_body(
            T(2025, 8, day, 14, 15),
            T(2025, 8, day, 15),
            station,
            mode="realtime",
            demand_kw=str(100 * called),
        )
        with count_statements(engine) as statements:
            event = create(api, body)
        assert event["accepted_kw"] == f"{100 * called}.000"
        counts[called] = statements[0]
        events[called] = event["id"]
    assert counts[CANDIDATES] - counts[10] <= SLACK, counts

    # What is stored is what the ORM stored award by award: the audit row's ``after`` is the
    # award's snapshot, and each one called has its dispatch notification.
    with api.session() as session:
        stored = session.scalars(
            select(Award).where(Award.event_id == events[CANDIDATES]).order_by(Award.id)
        ).all()
        assert [a.place for a in stored] == list(range(1, CANDIDATES + 1))
        after = {str(a.id): snapshot(a) for a in stored}
        logged = session.execute(
            select(AuditLog.entity_id, AuditLog.before, AuditLog.after).where(
                AuditLog.action == "award.create", AuditLog.entity_id.in_(list(after))
            )
        )
        assert {entity_id: (before, row) for entity_id, before, row in logged} == {
            award_id: (None, row) for award_id, row in after.items()
        }
        told = session.execute(
            select(Notification.participant_id, Notification.kind, Notification.payload).where(
                Notification.event_id == events[CANDIDATES]
            )
        )
        assert {(pid, kind, payload["assigned_kw"]) for pid, kind, payload in told} == {
            (a.participant_id, NotificationKind.DISPATCH, "100.000") for a in stored
        }
