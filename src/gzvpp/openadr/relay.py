"""The relay: the platform's notifications become OpenADR events, exactly once.

The events service writes a ``notifications`` row for every invitation, plan, dispatch and
cancellation (the transactional outbox). The relay reads the ones it has not relayed yet, makes
(unless the window is already over, e.g. history from before OpenADR was switched on)
or updates the participant's OpenADR objects in one transaction with a ``openadr_relayed`` row
each, and after the commit hands the changes to the notifier. 2.0b VENs of the participant get
an ``events`` message waiting for their next poll. A round's new events are written with a few
multi-row INSERTs, not object by object (a dispatch to 10,000 VENs, docs/scale.md).

It runs every ``interval`` seconds on a thread (the app's lifespan), or when
:meth:`Relay.run_once` is called (tests, the benchmark). It looks back ``LOOKBACK`` ids below
the newest relayed one, so a notification whose transaction committed after a later one's is
still found; ``openadr_relayed``'s primary key keeps two relays from relaying one twice.
When several processes serve one PostgreSQL database, each runs a relay; a transaction-level
advisory lock lets one of them work at a time and the others skip the round, so they neither
collide on that key nor send a change twice (the notifier runs after the relaying commit, in
the process that relayed).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table, func, select
from sqlalchemy.orm import Session, sessionmaker

from gzkit.advisory import try_transaction_lock
from gzkit.clock import Clock
from gzkit.db import session_scope
from gzvpp.kit.db import Base
from gzvpp.kit.locks import Lock
from gzvpp.models import (
    Notification,
    NotificationKind,
    ObjectType,
    OpenADRObject,
    OpenADRTarget,
    RelayedNotification,
    Ven2b,
    Ven2bMessage,
)
from gzvpp.openadr import mapping
from gzvpp.openadr.notifier import Change, Notifier, after_commit
from gzvpp.openadr.wire import representation

LOOKBACK = 10_000
BATCH = 5_000

log = logging.getLogger(__name__)


def ensure_program(session: Session, now: dt.datetime) -> OpenADRObject:
    """The ``GZ-VPP`` program object, created on first use."""
    program = session.get(OpenADRObject, mapping.PROGRAM_ID)
    if program is None:
        program = OpenADRObject(
            id=mapping.PROGRAM_ID,
            object_type=ObjectType.PROGRAM,
            name=mapping.PROGRAM_NAME,
            body=mapping.program_body(),
            created_at=now,
            modified_at=now,
            gz_kind="program",
        )
        program.targets = []
        session.add(program)
        session.flush()
    return program


#: A notification as the relay reads it: id, event_id, participant_id, kind, payload.
Pending = Row[tuple[int, str, str, NotificationKind, dict[str, Any]]]


def relay_notifications(
    session: Session, notifications: Sequence[Pending], now: dt.datetime
) -> list[Change]:
    """Turn ``notifications`` into OpenADR objects; the changes to notify once committed.

    New events go in as a few multi-row INSERTs (objects, targets, relayed marks, 2.0b
    messages) whatever their number: the ORM's unit of work cost ~0.5 ms per notification,
    the time a real-time dispatch to 10,000 VENs cannot spare.
    """
    changes: list[Change] = []
    if not notifications:
        return changes
    if session.get(OpenADRObject, mapping.PROGRAM_ID) is None:
        changes.append(Change.of("CREATE", ensure_program(session, now)))
    ids = iter(_object_ids(len(notifications)))
    created: list[dict[str, Any]] = []  # events not yet written
    changed_participants: list[str] = []
    for notification in notifications:
        kind = mapping.EVENT_KINDS.get(notification.kind)
        if kind is not None and mapping.window(notification.payload)[1] > now:
            row = _event_row(next(ids), notification, kind, now)
            created.append(row)
            changes.append(_created(row))
            changed_participants.append(notification.participant_id)
        elif notification.kind is NotificationKind.CANCELLATION:
            _write_events(session, created)  # the cancellation may be of one of them
            created = []
            cancelled = _cancel(session, notification, now)
            changes.extend(Change.of("UPDATE", obj) for obj in cancelled)
            if cancelled:
                changed_participants.append(notification.participant_id)
        # else: results are the console's, not OpenADR's; a past window is history
    _write_events(session, created)
    _insert(
        session,
        RelayedNotification,
        [{"notification_id": n.id, "relayed_at": now} for n in notifications],
    )
    _insert(session, Ven2bMessage, _ven2b_messages(session, changed_participants, now))
    return changes


def _write_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """The events of ``rows`` (see :func:`_event_row`) and their targets."""
    _insert(session, OpenADRObject, rows)
    _insert(
        session,
        OpenADRTarget,
        [
            {
                "object_id": row["id"],
                "target": mapping.participant_target(row["gz_participant_id"]),
                "position": 0,
            }
            for row in rows
        ],
    )


def _insert(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """``rows`` into ``model``'s table as one Core INSERT (an executemany; nothing if none)."""
    table = model.__table__
    assert isinstance(table, Table)
    if rows:
        session.execute(table.insert(), rows)


def _object_ids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs in hex, from one read of the system's randomness: a
    read per id would give up the GIL 10,000 times while the notifier's threads are busy."""
    random = os.urandom(16 * count)
    return [uuid.UUID(bytes=random[i : i + 16], version=4).hex for i in range(0, 16 * count, 16)]


def _event_row(
    object_id: str, notification: Pending, kind: str, now: dt.datetime
) -> dict[str, Any]:
    """The ``openadr_objects`` row of the event a notification becomes."""
    return {
        "id": object_id,
        "object_type": ObjectType.EVENT,
        "client_id": None,
        "name": None,
        "program_id": mapping.PROGRAM_ID,
        "body": mapping.event_body(kind, notification.payload),
        "created_at": now,
        "modified_at": now,
        "modification_number": 0,
        "gz_kind": kind,
        "gz_event_id": notification.event_id,
        "gz_participant_id": notification.participant_id,
        "gz": {"notification_id": notification.id, "payload": notification.payload},
    }


def _created(row: dict[str, Any]) -> Change:
    """The CREATE change of an event written as ``row`` (see :meth:`Change.of`)."""
    targets = [mapping.participant_target(row["gz_participant_id"])]
    return Change(
        operation="CREATE",
        object_type=ObjectType.EVENT,
        object_id=row["id"],
        representation=representation(
            row["body"],
            object_id=row["id"],
            object_type=ObjectType.EVENT,
            created_at=row["created_at"],
            modified_at=row["modified_at"],
            targets=targets,
            client_id=None,
        ),
        targets=tuple(targets),
        client_id=None,
        program_id=mapping.PROGRAM_ID,
        ven_id=None,
    )


def _cancel(session: Session, notification: Pending, now: dt.datetime) -> list[OpenADRObject]:
    """Call off the participant's events of the notification's platform event."""
    events = session.scalars(
        select(OpenADRObject)
        .where(
            OpenADRObject.gz_event_id == notification.event_id,
            OpenADRObject.gz_participant_id == notification.participant_id,
            OpenADRObject.object_type == ObjectType.EVENT,
        )
        .with_for_update()
    ).all()
    for obj in events:
        obj.body = mapping.cancelled_body(obj.body, notification.payload)
        obj.gz = {**(obj.gz or {}), "cancelled": notification.payload}
        obj.modified_at = now
        obj.modification_number += 1
    session.flush()
    return list(events)


def _ven2b_messages(
    session: Session, participants: list[str], now: dt.datetime
) -> list[dict[str, Any]]:
    """An ``events`` message for every 2.0b VEN of the participants, once per change."""
    if not participants:
        return []
    vens_of: dict[str, list[str]] = {}
    for ven_id, participant_id in session.execute(
        select(Ven2b.id, Ven2b.participant_id).where(Ven2b.participant_id.in_(set(participants)))
    ):
        vens_of.setdefault(participant_id, []).append(ven_id)
    return [
        {"ven_id": ven_id, "kind": "events", "created_at": now}
        for participant_id in participants
        for ven_id in vens_of.get(participant_id, ())
    ]


class Relay:
    """Relays new notifications every ``interval`` seconds on a thread, or on demand."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        clock: Clock,
        notifier: Notifier,
        interval: float,
    ) -> None:
        self._factory, self._clock, self._notifier = factory, clock, notifier
        self._interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run_once(self) -> int:
        """Relay what is new; how many notifications were relayed (0 while another process
        is relaying)."""
        with self._lock, session_scope(self._factory) as session:
            if not try_transaction_lock(session, Lock.OPENADR_RELAY):
                return 0
            newest = session.scalar(select(func.max(RelayedNotification.notification_id))) or 0
            pending = session.execute(
                select(
                    Notification.id,
                    Notification.event_id,
                    Notification.participant_id,
                    Notification.kind,
                    Notification.payload,
                )
                .outerjoin(
                    RelayedNotification,
                    RelayedNotification.notification_id == Notification.id,
                )
                .where(
                    RelayedNotification.notification_id.is_(None),
                    Notification.id > newest - LOOKBACK,
                )
                .order_by(Notification.id)
                .limit(BATCH)
            ).all()
            changes = relay_notifications(session, pending, self._clock.now())
            after_commit(session, self._notifier, changes)
        return len(pending)

    def start(self) -> None:
        """Relay on a daemon thread until :meth:`stop`."""
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(
                target=self._loop, name="gzvpp-openadr-relay", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread after the run in progress."""
        if self._thread is not None:
            self._stopping.set()
            self._thread.join()
            self._thread = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                while self.run_once() == BATCH:
                    pass
            except Exception:  # e.g. the database away, or a race with another relay
                log.exception("relaying notifications to OpenADR failed")
            self._stopping.wait(self._interval)
