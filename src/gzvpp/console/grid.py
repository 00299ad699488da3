"""电网单线图: a schematic of the substations and their feeders, drawn on the server as SVG
(no map tiles, no network)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzvpp.console.pages import PageActor, PageRoute, render, require_staff
from gzvpp.core.evaluation import EFFECTIVE_RATIO
from gzvpp.gridmap.service import grid_map

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)

#: The drawing's geometry (SVG user units): the bus bar's top, one feeder's row height.
BUS_TOP, ROW = 56, 58


@router.get("/grid")
def grid(request: Request, actor: PageActor, session: SessionDep, clock: ClockDep) -> Response:
    """Each substation's bus with its feeders, the capability enrolled on each and the latest
    evaluated response there."""
    require_staff(actor)
    return render(
        request,
        actor,
        "grid.html",
        clock.now(),
        stations=grid_map(session, actor),
        bus_top=BUS_TOP,
        row=ROW,
        effective_ratio=EFFECTIVE_RATIO,
    )
