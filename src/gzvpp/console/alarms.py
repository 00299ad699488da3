"""告警: the alarms standing now, by kind, paged; their count is the header's badge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from gzkit.clock import ClockDep
from gzkit.console.paging import listing, paging
from gzkit.db import SessionDep
from gzvpp.alarms.schemas import AlarmKind
from gzvpp.alarms.service import alarm_service
from gzvpp.console.pages import PageActor, PageRoute, render, require_staff

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


@router.get("/alarms")
def alarms(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    kind: AlarmKind | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Every alarm (or one kind's), most urgent kind first, with each kind's count."""
    require_staff(actor)
    now = clock.now()
    rows, total = alarm_service.search(session, actor, now, paging(page), kind)
    return render(
        request,
        actor,
        "alarms.html",
        now,
        **listing(rows, total, page),
        kind=kind,
        counts=alarm_service.counts(session, actor, now),
        kinds=list(AlarmKind),
    )
