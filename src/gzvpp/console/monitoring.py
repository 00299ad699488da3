"""实时监测: an event's minute-level response while it runs, and after (第五条（二）, 第八条).

The page is a shell: ``monitoring.js`` polls ``GET /api/events/{event_id}/monitoring``, which
scopes a participant to its own part, and draws it."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.errors import NotFound
from gzkit.pagination import PaginationParams
from gzvpp import display
from gzvpp.console.pages import PageActor, PageRoute, render
from gzvpp.core.model import Mode
from gzvpp.events.realtime import REALTIME_TARGET
from gzvpp.events.service import event_service
from gzvpp.models import EventStatus

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)

#: How long after the window the page keeps polling: late readings still arrive.
AFTER_WINDOW = dt.timedelta(minutes=15)
POLL_SECONDS = 5


@router.get("/events/{event_id}/monitoring")
def event_monitoring(
    event_id: str, request: Request, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    """The live view of ``event_id`` for staff, and for a participant with a part in it (its
    own part only); anyone else gets the 404 page."""
    detail = event_service.get(session, actor, event_id)
    if actor.role.participant_scoped:
        _, own = event_service.list_awards(
            session, actor, PaginationParams(1, 1), event_id=event_id, participant_id=None
        )
        if not own:
            raise NotFound(f"event {event_id} not found")
    now = clock.now()
    until = detail.end_at + AFTER_WINDOW
    live = detail.status in (EventStatus.NOTIFIED, EventStatus.DISPATCHED) and now < until
    return render(
        request,
        actor,
        "monitoring.html",
        now,
        e=detail,
        live=live,
        until=until,
        in_progress=detail.start_at <= now < detail.end_at,
        realtime=detail.mode is Mode.REALTIME,
        target_minutes=int(REALTIME_TARGET.total_seconds() // 60),
        poll_seconds=POLL_SECONDS,
        layout=display.layout(xaxis=display.clock_axis(), yaxis=display.value_axis("负荷", "kW")),
        total_layout=display.layout(
            xaxis=display.clock_axis(), yaxis=display.value_axis("响应量", "kW")
        ),
    )
