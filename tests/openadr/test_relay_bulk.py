"""The relay writes a real-time dispatch's OpenADR events in bulk: the same statements for 12
participants as for 2, each participant's event once, its 2.0b VENs told once, and the changes
handed to the notifier exactly as the VTN represents the stored objects; an invitation and its
cancellation relayed in one round are created and then cancelled."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from helpers import D, create_event, provision, realtime_user
from service_api import Api
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from gzkit.db import session_scope
from gzvpp.models import (
    Notification,
    ObjectType,
    OpenADRObject,
    RelayedNotification,
    Ven2bMessage,
)
from gzvpp.openadr import mapping
from gzvpp.openadr.notifier import Change
from gzvpp.openadr.wire import object_wire

FINGERPRINTS = ("0A:1B:2C:3D:4E:5F:60:71:82:93", "A0:B1:C2:D3:E4:F5:06:17:28:39")


@contextmanager
def statements_of_this_thread(engine: Engine) -> Iterator[list[int]]:
    """Statements ``engine`` sends from this thread (not the notifier's) inside the block."""
    me, count = threading.get_ident(), [0]

    def one(*_: object) -> None:
        if threading.get_ident() == me:
            count[0] += 1

    event.listen(engine, "before_cursor_execute", one)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", one)


def dispatch(api: Api, start: str, end: str, people: int) -> dict[str, Any]:
    """A real-time event for ``people`` participants of 300 kW each."""
    return create_event(
        api,
        mode="realtime",
        start_at=f"{D}T{start}:00",
        end_at=f"{D}T{end}:00",
        demand_kw=str(300 * people),
        price_mode="fixed",
        fixed_price="4",
    )


def test_a_dispatch_is_relayed_in_bulk_once_per_participant(
    api: Api, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    relay, notifier = app.state.openadr.relay, app.state.openadr.notifier
    submitted: list[Change] = []
    monkeypatch.setattr(notifier, "submit", submitted.extend)
    first = [realtime_user(api)[0] for _ in range(2)]
    provision(api, first[0], protocol="2.0b", ven_name="ven-a", fingerprint=FINGERPRINTS[0])
    api.clock.set(dt.datetime.combine(D, dt.time(14, 2)))
    small = dispatch(api, "14:15", "15:00", 2)
    with statements_of_this_thread(app.state.engine) as few:
        assert relay.run_once() == 2
    later = [realtime_user(api)[0] for _ in range(10)]
    provision(api, later[0], protocol="2.0b", ven_name="ven-b", fingerprint=FINGERPRINTS[1])
    large = dispatch(api, "15:00", "15:45", 12)
    submitted.clear()
    with statements_of_this_thread(app.state.engine) as many:
        assert relay.run_once() == 12
    assert many[0] == few[0], (few, many)
    assert relay.run_once() == 0

    with session_scope(app.state.sessionmaker) as session:
        objects = session.scalars(
            select(OpenADRObject).where(
                OpenADRObject.object_type == ObjectType.EVENT,
                OpenADRObject.gz_event_id == large["id"],
            )
        ).all()
        by_participant = {obj.gz_participant_id: obj for obj in objects}
        assert len(objects) == len(by_participant) == 12
        assert set(by_participant) == set(first + later)
        payloads: dict[str, dict[str, Any]] = dict(
            session.execute(
                select(Notification.participant_id, Notification.payload).where(
                    Notification.event_id == large["id"]
                )
            ).all()
        )
        for participant, obj in by_participant.items():
            assert participant is not None
            assert obj.targets == [mapping.participant_target(participant)]
            assert obj.body == mapping.event_body("dispatch", payloads[participant])
            assert obj.gz is not None and obj.gz["payload"] == payloads[participant]
            assert (obj.modification_number, obj.gz_kind) == (0, "dispatch")
        # The notifier was handed each new event once, as the VTN shows the stored object.
        assert sorted(c.object_id for c in submitted) == sorted(o.id for o in objects)
        stored = {obj.id: obj for obj in objects}
        for change in submitted:
            obj = stored[change.object_id]
            assert change == Change.of("CREATE", obj)
            assert change.representation == object_wire(obj)
        relayed = session.scalar(
            select(func.count())
            .select_from(RelayedNotification)
            .join(Notification, Notification.id == RelayedNotification.notification_id)
            .where(Notification.event_id.in_((small["id"], large["id"])))
        )
        assert relayed == 14
        told = session.execute(
            select(Ven2bMessage.ven_id, func.count())
            .where(Ven2bMessage.kind == "events")
            .group_by(Ven2bMessage.ven_id)
        ).all()
        # ven-a's participant was in both dispatches, ven-b's in the large one only.
        assert sorted(n for _, n in told) == [1, 2]


def test_an_invitation_cancelled_before_the_relay_ran_is_created_then_cancelled(
    api: Api, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted: list[Change] = []
    monkeypatch.setattr(app.state.openadr.notifier, "submit", submitted.extend)
    participant, _ = realtime_user(api)
    api.clock.set(dt.datetime.combine(D - dt.timedelta(days=1), dt.time(8, 0)))
    invitation = create_event(
        api,
        mode="day_ahead",
        start_at=f"{D}T18:00:00",
        end_at=f"{D}T19:00:00",
        price_mode="fixed",
        fixed_price="2",
    )
    cancel = api.client.post(
        f"/api/events/{invitation['id']}/cancel", json={"reason": "负荷预测下调"}, headers=api.grid
    )
    assert cancel.status_code == 200, cancel.text
    assert app.state.openadr.relay.run_once() >= 2  # the invitations and the cancellations

    mine = [c for c in submitted if c.targets == (mapping.participant_target(participant),)]
    assert [c.operation for c in mine] == ["CREATE", "UPDATE"]
    assert mine[0].object_id == mine[1].object_id
    with session_scope(app.state.sessionmaker) as session:
        obj = session.get(OpenADRObject, mine[0].object_id)
        assert obj is not None and obj.modification_number == 1
        assert obj.gz is not None and obj.gz["cancelled"]["reason"] == "负荷预测下调"
        assert obj.body["intervalPeriod"] == {"start": mapping.NEVER, "duration": "PT0S"}
