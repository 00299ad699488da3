"""``/api/alarms``: the alarms standing now, for the grid operator and the regulator."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery
from gzvpp.alarms.schemas import Alarm, AlarmCounts, AlarmKind
from gzvpp.alarms.service import alarm_service
from gzvpp.kit.auth import ActorDep

router = APIRouter(prefix="/alarms", tags=["alarms"])


@router.get("", summary="The alarms standing now")
def alarms(
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
    pagination: PaginationQuery,
    kind: Annotated[AlarmKind | None, Query(description="Only alarms of this kind.")] = None,
) -> ListResource[Alarm]:
    """Non-responders in events in progress, bidding closing soon with a shortfall, rankings
    and plans due, ended events lacking meter data, suspended participants; by kind (most
    urgent first), then by time."""
    items, total = alarm_service.search(session, actor, clock.now(), pagination, kind)
    return ListResource[Alarm].build(items, total, pagination)


@router.get("/counts", summary="How many alarms of each kind stand now")
def counts(actor: ActorDep, session: SessionDep, clock: ClockDep) -> AlarmCounts:
    """The figures of the console header's badge."""
    return alarm_service.counts(session, actor, clock.now())
