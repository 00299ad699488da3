"""Cancelling an event (第八条 (一) 4): at least 4 h ahead, telling everyone it concerned."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gzkit.audit import json_value, snapshot
from gzkit.errors import Conflict
from gzvpp.core.invitation import (
    InvitationError,
    check_cancellation,
)
from gzvpp.events import schemas
from gzvpp.events.common import (
    ENTITY,
    detail,
    found,
)
from gzvpp.events.notify import event_payload
from gzvpp.events.repository import EventRepository
from gzvpp.kit.audit import record
from gzvpp.kit.auth import Actor
from gzvpp.models import (
    EventStatus,
    Notification,
    NotificationKind,
    Role,
)

OPEN_FOR_CANCELLATION = (
    EventStatus.PUBLISHED,
    EventStatus.RANKED,
    EventStatus.NOTIFIED,
    EventStatus.DISPATCHED,
)


def cancel(
    session: Session, actor: Actor, now: dt.datetime, event_id: str, reason: str
) -> schemas.EventDetail:
    """Call the event off, at least 4 h before it starts (第八条 (一) 4), and tell everyone
    invited, bidding or awarded. A cancelled event is nobody's response day (R4).

    Raises
    ------
    Conflict
        Already cancelled or evaluated, or less than 4 h before the window starts.
    """
    actor.require(Role.GRID_OPERATOR)
    repository = EventRepository(session)
    event = found(repository, event_id, for_update=True)
    if event.status not in OPEN_FOR_CANCELLATION:
        raise Conflict(f"event {event.id} is {event.status.value}; it cannot be cancelled")
    try:
        check_cancellation(now, event.start_at)
    except InvitationError as err:
        raise Conflict(str(err)) from err
    before = snapshot(event)
    event.status = EventStatus.CANCELLED
    event.cancelled_at = event.updated_at = now
    event.cancel_reason = reason
    told = repository.involved(event.id)
    session.add_all(
        Notification(
            event_id=event.id,
            participant_id=pid,
            kind=NotificationKind.CANCELLATION,
            payload={
                **event_payload(event),
                "reason": reason,
                "cancelled_at": json_value(now),
            },
            created_at=now,
        )
        for pid in told
    )
    session.flush()
    record(
        session,
        actor.label,
        "event.cancel",
        ENTITY,
        event.id,
        before,
        {**snapshot(event), "notified": told},
        at=now,
    )
    return detail(event)
