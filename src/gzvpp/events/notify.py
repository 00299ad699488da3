"""Notifications (通知): what every notice says about its event, the plan sent after ranking
(执行方案), and a participant's inbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from gzkit.audit import json_value, snapshot
from gzkit.db import insert_rows
from gzkit.errors import NotFound
from gzkit.pagination import PaginationParams
from gzvpp.events import schemas
from gzvpp.events.baselines import Baseline
from gzvpp.events.common import (
    ENTITY,
    SCHEDULER,
    SCOPED_ROLES,
    table_of,
    whose,
)
from gzvpp.events.repository import EventRepository, PlanTerms
from gzvpp.kit.audit import record
from gzvpp.kit.auth import Actor
from gzvpp.models import (
    Event,
    EventStatus,
    Notification,
    NotificationKind,
)


def list_notifications(
    session: Session,
    actor: Actor,
    pagination: PaginationParams,
    *,
    participant_id: str | None,
    event_id: str | None,
    kind: NotificationKind | None,
    unread: bool | None,
) -> tuple[Sequence[Notification], int]:
    """Notifications: a participant's own for it, all for the grid operator and regulator."""
    return EventRepository(session).search_notifications(
        pagination,
        participant_id=whose(actor, participant_id),
        event_id=event_id,
        kind=kind,
        unread=unread,
    )


def mark_read(
    session: Session, actor: Actor, now: dt.datetime, notification_id: int
) -> schemas.NotificationView:
    """A participant acknowledges one of its notifications (the first time counts)."""
    actor.require(*SCOPED_ROLES)
    notification = EventRepository(session).notification(notification_id)
    if notification is None or notification.participant_id != actor.participant_id:
        raise NotFound(f"notification {notification_id} not found")
    if notification.read_at is None:
        before = snapshot(notification)
        notification.read_at = now
        session.flush()
        record(
            session,
            actor.label,
            "notification.read",
            "notification",
            str(notification.id),
            before,
            snapshot(notification),
            at=now,
        )
    return schemas.NotificationView.model_validate(notification)


def send_plan(
    session: Session,
    repository: EventRepository,
    event: Event,
    now: dt.datetime,
    terms: Sequence[PlanTerms] | None = None,
) -> str:
    """ranked → notified: send each accepted participant its plan (执行方案), in one INSERT.

    ``terms``: the awards' terms in ranking order, as the ranking just stored them; read from
    the stored awards when not given.
    """
    before = snapshot(event)
    if terms is None:
        terms = repository.plan_terms(event.id)
    told = event_payload(event)
    send_notifications(
        session,
        event.id,
        NotificationKind.PLAN,
        (
            (
                pid,
                {
                    **told,
                    "demand_kw": json_value(event.demand_kw),
                    "awarded_kw": json_value(kw),
                    "price": json_value(price if price is not None else event.fixed_price),
                    "place": place,
                    "baseline": Baseline(baseline_type, baseline).payload(),
                },
            )
            for pid, kw, price, place, baseline_type, baseline in terms
        ),
        now,
    )
    event.status = EventStatus.NOTIFIED
    event.notified_at = event.updated_at = now
    session.flush()
    record(
        session,
        SCHEDULER,
        "event.notify",
        ENTITY,
        event.id,
        before,
        {**snapshot(event), "notified": [t.participant_id for t in terms]},
        at=now,
    )
    return f"{event.id}: plan sent to {len(terms)} participants"


def send_notifications(
    session: Session,
    event_id: str,
    kind: NotificationKind,
    payloads: Iterable[tuple[str, dict[str, Any]]],
    now: dt.datetime,
) -> None:
    """One notification of ``kind`` about the event to each participant with its payload
    (participant id, payload), in one statement (:func:`gzkit.db.insert_rows`): no ids are
    needed back."""
    rows = [
        {
            "event_id": event_id,
            "participant_id": pid,
            "kind": kind,
            "payload": payload,
            "created_at": now,
        }
        for pid, payload in payloads
    ]
    if rows:
        insert_rows(session, table_of(Notification), rows)


def event_payload(event: Event) -> dict[str, Any]:
    """What every notification about ``event`` says about it."""
    return {
        "event_id": event.id,
        "direction": event.direction.value,
        "mode": event.mode.value,
        "window": {"start": json_value(event.start_at), "end": json_value(event.end_at)},
        "price_mode": event.price_mode.value,
        "fixed_price": json_value(event.fixed_price),
        "price_cap": json_value(event.price_cap),
    }
