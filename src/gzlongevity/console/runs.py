"""The runs for everyone (the 25th deadline shown to whoever has not finished): the city
computes, streets review their exceptions, districts approve and download the bank file; and
the recovery cases with their orders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from gzkit.clock import ClockDep
from gzkit.console.paging import paged_slice
from gzkit.db import SessionDep
from gzkit.pagination import MAX_PAGE
from gzlongevity.console.pages import PageActor, PageRoute, render
from gzlongevity.models import CaseStatus, PaymentRun, Role
from gzlongevity.recovery import service as recovery
from gzlongevity.runs import service

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


@router.get("/runs")
def runs(request: Request, actor: PageActor, session: SessionDep, clock: ClockDep) -> Response:
    """Every run, newest first, with the actor's part still to do."""
    today = clock.now().date()
    found = session.scalars(select(PaymentRun).order_by(PaymentRun.month.desc())).all()
    return render(
        request, actor, "runs.html", runs=[service.progress(session, run, today) for run in found]
    )


@router.post("/runs")
def compute(
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    month: Annotated[str, Form(max_length=7)],
) -> Response:
    """Compute or recompute a month (city)."""
    service.compute(session, actor, clock.now(), service.month_of_text(month))
    return RedirectResponse(f"/console/runs/{month}", status_code=303)


@router.get("/runs/{month}")
def run_page(
    request: Request, month: str, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    """One run: each district's progress, the actor's exceptions, the actions open to it."""
    number = service.month_of_text(month)
    progress = service.progress(session, service.get_run(session, number), clock.now().date())
    mine = next((d for d in progress.districts if d.district == actor.district), None)
    return render(
        request,
        actor,
        "run.html",
        run=progress,
        month=month,
        mine=mine,
        exceptions=service.exceptions(session, actor, number),
        can_review=actor.role is Role.STREET
        and mine is not None
        and actor.street in mine.streets_to_review,
        can_approve=actor.role is Role.DISTRICT
        and mine is not None
        and not mine.approved
        and not mine.streets_to_review,
        can_download=progress.status.value == "approved"
        and actor.role in (Role.DISTRICT, Role.CITY, Role.FINANCE, Role.MILITARY),
    )


@router.post("/runs/{month}/{step}")
def sign(month: str, step: str, actor: PageActor, session: SessionDep, clock: ClockDep) -> Response:
    """A street's review or a district's approval."""
    number = service.month_of_text(month)
    if step == "approve":
        service.approve(session, actor, clock.now(), number)
    else:
        service.review(session, actor, clock.now(), number)
    return RedirectResponse(f"/console/runs/{month}", status_code=303)


@router.get("/recovery")
def cases(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    """Recovery cases in the actor's jurisdiction, ordered ones first, 20 a page."""
    found = recovery.list_cases(session, actor, None)
    order = {
        CaseStatus.ORDERED: 0,
        CaseStatus.NOTIFIED: 1,
        CaseStatus.CLAWBACK: 2,
        CaseStatus.OPEN: 3,
        CaseStatus.CLOSED: 4,
    }
    found.sort(key=lambda case: (order[case.status], case.opened_on))
    return render(
        request,
        actor,
        "recovery.html",
        **paged_slice(found, page),
        can_repay=actor.role in (Role.STREET, Role.DISTRICT),
    )
