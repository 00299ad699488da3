"""事件: the list, a new event, an event's page (bids, ranking, plan) and its cancellation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated

from fastapi import (
    APIRouter,
    Form,
    Query,
    Request,
    Response,
)
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from gzkit.clock import ClockDep
from gzkit.console.paging import listing, paging
from gzkit.db import SessionDep
from gzkit.pagination import PaginationParams
from gzvpp import display
from gzvpp.console import labels
from gzvpp.console.filters import EventFilters
from gzvpp.console.pages import (
    Confirmed,
    PageActor,
    PageRoute,
    confirm_page,
    reason_text,
    render,
    require_staff,
)
from gzvpp.core.grid import INTERVAL_MINUTES, MIN_WINDOW_MINUTES
from gzvpp.core.invitation import (
    MIN_LEAD,
    PRICE_CAP_CNY_PER_KWH,
    day_ahead_timeline,
)
from gzvpp.core.model import Direction, Mode
from gzvpp.events.creation import grid_names
from gzvpp.events.service import event_service
from gzvpp.models import (
    EventStatus,
    NotificationKind,
    PriceMode,
    Role,
)
from gzvpp.settlement import repository as settlement_repository

_SOME_DAY = dt.date(2025, 7, 1)  # day-ahead deadlines are the same for every day
router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


@router.get("/events")
def events(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    filters: Annotated[EventFilters, Query()],
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Every event, filtered, sorted and paged on the server."""
    require_staff(actor)
    rows, total = filters.search(session, actor, paging(page))
    return render(
        request,
        actor,
        "events.html",
        clock.now(),
        **listing(rows, total, page),
        sort=filters.sort,
        filters=filters.form(),
        statuses=list(EventStatus),
        modes=list(Mode),
        directions=list(Direction),
    )


@router.get("/events/new")
def new_event(request: Request, actor: PageActor, session: SessionDep, clock: ClockDep) -> Response:
    """The create form; it checks the rules as one types and shows the server's answer. The
    scope is chosen from the substations and feeders of enrolled accounts."""
    actor.require(Role.GRID_OPERATOR)
    substations, feeders = grid_names(session)
    return render(
        request,
        actor,
        "event_new.html",
        clock.now(),
        rules={
            "interval_minutes": INTERVAL_MINUTES,
            "min_window_minutes": MIN_WINDOW_MINUTES,
            "min_lead_minutes": MIN_LEAD // dt.timedelta(minutes=1),
            "caps": {d.value: str(c) for d, c in PRICE_CAP_CNY_PER_KWH.items()},
            # Day-ahead deadlines as minutes from the response day's midnight (negative: D-1).
            "day_ahead": {
                name: (moment - dt.datetime.combine(_SOME_DAY, dt.time()))
                // dt.timedelta(minutes=1)
                for name, moment in asdict(day_ahead_timeline(_SOME_DAY)).items()
            },
        },
        directions=list(Direction),
        modes=list(Mode),
        price_modes=list(PriceMode),
        substations=substations,
        feeders=feeders,
    )


@router.get("/events/{event_id}")
def event(
    event_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    plan_page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """The live invitation: bids as they arrive, the ranking, the plan (paged) and the
    cancellation."""
    require_staff(actor)
    now = clock.now()
    detail = event_service.get(session, actor, event_id)
    awards, awards_total = event_service.list_awards(
        session, actor, paging(plan_page), event_id=event_id, participant_id=None
    )
    return render(
        request,
        actor,
        "event.html",
        now,
        e=detail,
        plan=listing(awards, awards_total, plan_page),
        names=_names(session, [a.participant_id for a in awards]),
        cancel_by=detail.start_at - MIN_LEAD,
        coverage_layout=display.layout(
            xaxis=display.value_axis("申报量", "kW"), hovermode="closest", showlegend=False
        ),
        min_lead_hours=int(MIN_LEAD.total_seconds() // 3600),
    )


def _names(session: Session, participant_ids: Sequence[str]) -> dict[str, str]:
    return {
        p: row.name
        for p, row in settlement_repository.participants(session, participant_ids).items()
    }


@router.post("/events/{event_id}/cancel")
def cancel(
    event_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    reason: Annotated[str, Form(min_length=1, max_length=500)],
    confirmed: Confirmed = "",
) -> Response:
    """Cancel (grid operator, ≥ 4 h before the start) after a confirmation step that says whom
    it tells; a refusal explains the rule."""
    text = reason_text(reason)
    if not confirmed:
        actor.require(Role.GRID_OPERATOR)
        detail = event_service.get(session, actor, event_id)
        _, invited = event_service.list_notifications(
            session,
            actor,
            PaginationParams(1, 1),
            participant_id=None,
            event_id=event_id,
            kind=NotificationKind.INVITATION,
            unread=None,
        )
        _, bids = event_service.list_bids(
            session, actor, PaginationParams(1, 1), event_id=event_id, participant_id=None
        )
        return confirm_page(
            request,
            actor,
            clock.now(),
            title=f"取消事件 {event_id}？",
            consequence=(
                f"取消后，{display.local_time(detail.start_at)} 起的{labels.label(detail.mode)}"
                f"（{labels.label(detail.direction)}）不再执行：平台通知已受邀的 {invited} 位"
                f"参与者（其中 {bids} 位已申报），已有的申报与中标作废，该日不计为其响应日。"
                "此操作不可撤销。"
            ),
            action=f"/console/events/{event_id}/cancel",
            button="确认取消事件",
            back=f"/console/events/{event_id}",
            fields={"reason": text},
        )
    event_service.cancel(session, actor, clock.now(), event_id, text)
    return RedirectResponse(f"/console/events/{event_id}", status_code=303)
