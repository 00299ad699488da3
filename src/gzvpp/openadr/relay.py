"""The relay: the platform's notifications become OpenADR events, exactly once.

The events service writes a ``notifications`` row for every invitation, plan, dispatch and
cancellation (the transactional outbox). The relay reads the ones it has not relayed yet, makes
(unless the window is already over, e.g. history from before OpenADR was switched on)
or updates the participant's OpenADR objects in one transaction with a ``openadr_relayed`` row
each, and after the commit hands the changes to the notifier. 2.0b VENs of the participant get
an ``events`` message waiting for their next poll.

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
import threading
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gzkit.advisory import try_transaction_lock
from gzkit.clock import Clock
from gzkit.db import session_scope
from gzvpp.kit.locks import Lock
from gzvpp.models import (
    Notification,
    NotificationKind,
    ObjectType,
    OpenADRObject,
    RelayedNotification,
    Ven2b,
    Ven2bMessage,
)
from gzvpp.openadr import mapping
from gzvpp.openadr.notifier import Change, Notifier, after_commit

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


def relay_notifications(
    session: Session, notifications: Sequence[Notification], now: dt.datetime
) -> list[Change]:
    """Turn ``notifications`` into OpenADR objects; the changes to notify once committed."""
    changes: list[Change] = []
    if not notifications:
        return changes
    if session.get(OpenADRObject, mapping.PROGRAM_ID) is None:
        changes.append(Change.of("CREATE", ensure_program(session, now)))
    participants = {n.participant_id for n in notifications}
    vens = session.scalars(select(Ven2b).where(Ven2b.participant_id.in_(participants))).all()
    vens_of: dict[str, list[Ven2b]] = {}
    for ven in vens:
        vens_of.setdefault(ven.participant_id, []).append(ven)
    for notification in notifications:
        changed = _relay_one(session, notification, now)
        changes.extend(Change.of(op, obj) for op, obj in changed)
        session.add(RelayedNotification(notification_id=notification.id, relayed_at=now))
        if changed:
            session.add_all(
                Ven2bMessage(ven_id=ven.id, kind="events", created_at=now)
                for ven in vens_of.get(notification.participant_id, ())
            )
    session.flush()
    return changes


def _relay_one(
    session: Session, notification: Notification, now: dt.datetime
) -> list[tuple[str, OpenADRObject]]:
    kind = mapping.EVENT_KINDS.get(notification.kind)
    if kind is not None and mapping.window(notification.payload)[1] > now:
        obj = OpenADRObject(
            id=uuid.uuid4().hex,
            object_type=ObjectType.EVENT,
            program_id=mapping.PROGRAM_ID,
            body=mapping.event_body(kind, notification.payload),
            created_at=now,
            modified_at=now,
            gz_kind=kind,
            gz_event_id=notification.event_id,
            gz_participant_id=notification.participant_id,
            gz={"notification_id": notification.id, "payload": notification.payload},
        )
        obj.targets = [mapping.participant_target(notification.participant_id)]
        session.add(obj)
        return [("CREATE", obj)]
    if notification.kind is NotificationKind.CANCELLATION:
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
        return [("UPDATE", obj) for obj in events]
    return []  # results are the console's, not OpenADR's; a past window is history


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
            pending = session.scalars(
                select(Notification)
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
