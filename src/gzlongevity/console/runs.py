"""The runs for everyone (the 25th deadline shown to each payer that has not finished): the
city computes and follows every payer's progress, streets review their exceptions, each
district (and the military channel) approves its own list and downloads its bank file; the
payers' accounts (the city sets them); and the recovery cases with their orders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from gzkit.clock import ClockDep
from gzkit.console.paging import paged_slice
from gzkit.console.validation import form_model
from gzkit.db import SessionDep
from gzkit.pagination import MAX_PAGE
from gzlongevity.console.pages import PageActor, PageRoute, render
from gzlongevity.core.standards import MILITARY
from gzlongevity.models import CaseStatus, PaymentRun, Role
from gzlongevity.payers import service as payers
from gzlongevity.payers.schemas import PayerAccountIn
from gzlongevity.recovery import service as recovery
from gzlongevity.runs import service
from gzlongevity.runs.schemas import PayerStatus

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
    """One run: each payer's progress, the actor's own list first, the actor's exceptions, the
    actions open to it."""
    number = service.month_of_text(month)
    progress = service.progress(session, service.get_run(session, number), clock.now().date())
    own = MILITARY if actor.role is Role.MILITARY else actor.district
    mine = next((item for item in progress.payers if item.payer == own), None)
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
        can_approve=actor.role in (Role.DISTRICT, Role.MILITARY)
        and mine is not None
        and mine.status is PayerStatus.COMPUTED
        and not mine.streets_to_review,
        downloads=[
            item
            for item in progress.payers
            if item.status is PayerStatus.APPROVED
            and (
                actor.role in (Role.CITY, Role.FINANCE)
                or (actor.role in (Role.DISTRICT, Role.MILITARY) and item is mine)
            )
        ],
    )


@router.post("/runs/{month}/{step}")
def sign(month: str, step: str, actor: PageActor, session: SessionDep, clock: ClockDep) -> Response:
    """A street's review, or a district's (or the military channel's) approval."""
    number = service.month_of_text(month)
    if step == "approve":
        service.approve(session, actor, clock.now(), number)
    else:
        service.review(session, actor, clock.now(), number)
    return RedirectResponse(f"/console/runs/{month}", status_code=303)


@router.get("/payers")
def payer_accounts(request: Request, actor: PageActor, session: SessionDep) -> Response:
    """The payers' accounts (numbers masked): the city sets them here."""
    return render(
        request,
        actor,
        "payers.html",
        payers=payers.list_payers(session, actor),
        can_edit=actor.role is Role.CITY,
    )


@router.post("/payers/{code}")
def set_payer_account(
    code: str,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    account_name: Annotated[str, Form(max_length=200)],
    account_number: Annotated[str, Form(max_length=32)],
    bank: Annotated[str, Form(max_length=100)],
) -> Response:
    """Set a payer's account (city)."""
    body = form_model(
        PayerAccountIn, account_name=account_name, account_number=account_number, bank=bank
    )
    payers.set_account(session, actor, clock.now(), code, body)
    return RedirectResponse(f"/console/payers#payer-{code}", status_code=303)


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
