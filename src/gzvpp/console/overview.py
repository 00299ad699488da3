"""总览: today's and coming events, the system-load forecast against the trigger line and the
enrolled capability."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

import numpy as np
from fastapi import (
    APIRouter,
    Query,
    Request,
    Response,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzkit.clock import ClockDep
from gzkit.console.paging import listing, paging
from gzkit.db import SessionDep
from gzkit.pagination import PaginationParams
from gzvpp import display
from gzvpp.console.pages import PageActor, PageRoute, render, require_staff
from gzvpp.core.grid import INTERVAL_MINUTES
from gzvpp.core.invitation import (
    PEAK_TRIGGER_SHARE,
)
from gzvpp.core.timeseries import day_number
from gzvpp.events import schemas as event_schemas
from gzvpp.events.service import event_service
from gzvpp.kit.auth import Actor
from gzvpp.meterdata.repository import load_system_cube, stored_days
from gzvpp.models import (
    Event,
    Participant,
    ParticipantStatus,
)

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


RECENT_EVENTS = 5  # shown on the overview when nothing is due today or later
# How far back the overview looks for the latest stored system-load day.
SYSTEM_LOAD_LOOKBACK = dt.timedelta(days=400)


@router.get("/overview")
def overview(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    events_page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Today's and coming events (paged), the system-load forecast against the trigger line,
    and the enrolled participants' capability."""
    require_staff(actor)
    now = clock.now()
    events, events_total = event_service.search(
        session,
        actor,
        pagination=paging(events_page),
        sorting=[(event_schemas.SortProperty.START_AT, False)],
        statuses=(),
        mode=None,
        direction=None,
        day_from=now.date(),
        day_to=None,
    )
    coming = bool(events_total)
    if not coming:  # nothing due: the latest events, so that the first screen is never empty
        events = _events_around(session, actor, now.date(), coming=False)
        events_total = len(events)
    return render(
        request,
        actor,
        "overview.html",
        now,
        events=listing(events, events_total, events_page),
        coming=coming,
        forecast=_forecast(session, actor, now.date()),
        capability=_capability(session),
    )


def _events_around(session: Session, actor: Actor, today: dt.date, coming: bool) -> Sequence[Event]:
    """Today's and later events in time order, or (``coming`` false) the latest ones before,
    newest first, so that the first screen shows what happened when nothing is due."""
    events, _ = event_service.search(
        session,
        actor,
        pagination=PaginationParams(1, 50 if coming else RECENT_EVENTS),
        sorting=[(event_schemas.SortProperty.START_AT, not coming)],
        statuses=(),
        mode=None,
        direction=None,
        day_from=today if coming else None,
        day_to=None if coming else today,
    )
    return events


def _forecast(session: Session, actor: Actor, today: dt.date) -> dict[str, Any] | None:
    """Today's system-load forecast (the latest stored day's curve) and the 第七条 check."""
    days = stored_days(session, today - SYSTEM_LOAD_LOOKBACK, today)
    if not days:
        return None
    latest = max(days)
    curve = load_system_cube(session, np.array([day_number(latest)])).values[0, 0]
    if np.isnan(curve).all():
        return None
    highest = Decimal(f"{np.nanmax(curve):.3f}")
    check = event_service.trigger_check(session, actor, today, highest)
    step = dt.timedelta(minutes=INTERVAL_MINUTES)
    start = dt.datetime.combine(today, dt.time())
    line = (
        None if check.last_year_max_mw is None else float(check.last_year_max_mw * check.threshold)
    )
    return {
        "source_day": latest,
        "check": check,
        "chart": {
            "x": [f"{start + k * step:%Y-%m-%dT%H:%M}" for k in range(len(curve))],
            "mw": [None if np.isnan(v) else round(float(v), 3) for v in curve],
            "trigger_mw": line,
            "trigger_label": f"{check.last_year} 年最大负荷的 {PEAK_TRIGGER_SHARE:.0%}",
            "layout": display.layout(
                xaxis=display.clock_axis(), yaxis=display.value_axis("统调负荷", "MW")
            ),
        },
    }


def _capability(session: Session) -> dict[str, Any]:
    """Count and registered kW of active participants, in all and real-time capable."""
    active = Participant.status == ParticipantStatus.ACTIVE
    realtime = Participant.realtime_capable.is_(True) & Participant.minute_monitoring.is_(True)
    total = session.execute(
        select(func.count(), func.coalesce(func.sum(Participant.capability_kw), 0)).where(active)
    ).one()
    fast = session.execute(
        select(func.count(), func.coalesce(func.sum(Participant.realtime_capability_kw), 0)).where(
            active, realtime
        )
    ).one()
    return {"count": total[0], "kw": total[1], "realtime_count": fast[0], "realtime_kw": fast[1]}
