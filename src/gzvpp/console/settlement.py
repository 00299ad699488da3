"""结果 and 结算: an event's results, one participant's result, a quarter's settlement and its
publicity list."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import (
    APIRouter,
    Query,
    Request,
    Response,
)

from gzkit.clock import ClockDep
from gzkit.console.paging import listing, page_count, page_slice, paging
from gzkit.db import SessionDep
from gzkit.errors import Invalid
from gzvpp import display
from gzvpp.console.pages import PageActor, PageRoute, render, require_staff
from gzvpp.core.grid import INTERVAL_MINUTES
from gzvpp.settlement.service import quarter_of, settlement_service

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


@router.get("/results/{event_id}")
def event_results(
    event_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """An event's results, one row per award (a participant sees only its own)."""
    rows, total = settlement_service.event_results(session, actor, event_id, paging(page))
    return render(
        request,
        actor,
        "results.html",
        clock.now(),
        event_id=event_id,
        **listing(rows, total, page),
    )


@router.get("/results/{event_id}/{participant_id}")
def result(
    event_id: str,
    participant_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    """One participant's result: load against the baselines over the day, and the figures."""
    r = settlement_service.participant_result(session, actor, event_id, participant_id)
    step = dt.timedelta(minutes=INTERVAL_MINUTES)
    start = dt.datetime.combine(r.day, dt.time())
    chart = {
        "day": [f"{start + k * step:%Y-%m-%dT%H:%M}" for k in range(len(r.day_load_kw))],
        "day_kw": r.day_load_kw,
        "day_end": f"{start + dt.timedelta(days=1):%Y-%m-%dT%H:%M}",
        "window": [f"{t:%Y-%m-%dT%H:%M}" for t in r.intervals],
        "baseline_kw": r.baseline_kw,
        "baseline_unadjusted_kw": r.baseline_unadjusted_kw,
        "actual_kw": r.actual_kw,
        "window_start": f"{r.intervals[0]:%Y-%m-%dT%H:%M}" if r.intervals else None,
        "window_end": f"{r.intervals[-1] + step:%Y-%m-%dT%H:%M}" if r.intervals else None,
        "layout": display.layout(
            xaxis=display.clock_axis(),
            yaxis=display.value_axis("负荷", "kW", rangemode="tozero"),
        ),
    }
    return render(request, actor, "result.html", clock.now(), r=r, chart=chart)


QUARTER = re.compile(r"(\d{4})\s*-?\s*[Qq]([1-4])")
SETTLEMENT_SORT_KEYS = (
    "name",
    "events",
    "effective_responses",
    "effective_energy_kwh",
    "subsidy_cny",
    "non_executions",
)


@router.get("/settlement")
def settlement(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    quarter: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
    sort: str = "-subsidy_cny",
    publicity_page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """A quarter's settlement per participant, the totals and the publicity list.

    The service answers the quarter as one document; its tables are sorted and paged here,
    before rendering, so a city's participants never reach the browser at once.
    """
    require_staff(actor)
    now = clock.now()
    quarters = settlement_service.quarters(session, actor)
    quarter = _quarter(quarter) if quarter else quarters[0] if quarters else quarter_of(now.date())
    if sort.removeprefix("-") not in SETTLEMENT_SORT_KEYS:
        sort = "-subsidy_cny"
    report = settlement_service.quarter(session, actor, quarter)
    rows = sorted(
        report.participants,
        key=lambda p: getattr(p, sort.removeprefix("-")),
        reverse=sort.startswith("-"),
    )
    publicity = settlement_service.publicity(session, actor, quarter)
    return render(
        request,
        actor,
        "settlement.html",
        now,
        quarter=quarter,
        quarters=quarters,
        report=report,
        sort=sort,
        rows=page_slice(rows, page),
        page=page,
        pages=page_count(len(rows)),
        publicity=publicity,
        entries=page_slice(publicity.entries, publicity_page),
        publicity_page=publicity_page,
        publicity_pages=page_count(len(publicity.entries)),
    )


def _quarter(text: str) -> str:
    """``2025Q3`` from what was asked (``2025Q3``, ``2025-Q3``, ``2025q3``); a 422 page if none."""
    found = QUARTER.fullmatch(text.strip())
    if found is None:
        raise Invalid(f"季度“{text}”无法识别，请按“2025Q3”的格式选择季度。", "quarter")
    return f"{found[1]}Q{found[2]}"
