"""The street's worklist (and the committee's): intake tasks to notify with their deadlines,
confirmations, pending bank changes, recovery cases, this month's run; and a person's page
(masked; the full record on request, logged) with the forms to confirm on the elder's behalf,
record a check and change data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from gzkit.clock import ClockDep
from gzkit.console.paging import page_count, paging
from gzkit.console.validation import form_model
from gzkit.db import RowId, SessionDep
from gzkit.errors import Invalid
from gzkit.pagination import MAX_PAGE
from gzlongevity.cases import service as cases
from gzlongevity.changes import service as changes
from gzlongevity.changes.schemas import BankChangeIn, PersonalChangeIn
from gzlongevity.checks import service as checks
from gzlongevity.checks.schemas import CheckIn
from gzlongevity.confirmations import service as confirmations
from gzlongevity.confirmations.schemas import StaffConfirmIn
from gzlongevity.console.pages import PageActor, PageRoute, render
from gzlongevity.core.deadlines import month_of, pay_deadline
from gzlongevity.models import (
    CaseStatus,
    ChangeStatus,
    NoticeChannel,
    PaymentRun,
    Role,
    RunStatus,
    TaskStatus,
)
from gzlongevity.persons import service as persons
from gzlongevity.persons.lookup import person_by_ref
from gzlongevity.persons.schemas import PersonOut
from gzlongevity.recovery import service as recovery
from gzlongevity.runs import service as runs

router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]


@router.get("/worklist")
def worklist(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    """The street's day: what to notify (deadlines first), what to approve, what to recover,
    and whether this month's run still needs the street's review."""
    actor.require(Role.STREET, Role.COMMITTEE)
    now = clock.now()
    today = now.date()
    page = max(page, 1)
    tasks, total = cases.list_tasks(session, actor, today, paging(page), TaskStatus.OPEN)
    notified, _ = cases.list_tasks(session, actor, today, paging(1), TaskStatus.NOTIFIED)
    pending = changes.list_changes(session, actor, ChangeStatus.PENDING)
    owed = [
        case
        for case in recovery.list_cases(session, actor, None)
        if case.status is not CaseStatus.CLOSED
    ]
    run = session.scalars(
        select(PaymentRun).where(PaymentRun.month == month_of(today))
    ).one_or_none()
    progress = runs.progress(session, run, today) if run is not None else None
    to_review = progress is not None and any(
        actor.street in item.streets_to_review
        for item in progress.payers
        if item.payer == actor.district
    )
    return render(
        request,
        actor,
        "worklist.html",
        tasks=tasks,
        total=total,
        page=page,
        pages=page_count(total),
        notified=notified,
        pending=pending,
        owed=owed,
        run=progress,
        to_review=to_review,
        run_open=run is not None and run.status is not RunStatus.APPROVED,
        pay_by=pay_deadline(month_of(today)),
        today=today,
        channels=list(NoticeChannel),
    )


@router.post("/find")
def find(
    actor: PageActor,
    session: SessionDep,
    id_number: Annotated[str, Form(min_length=18, max_length=18)],
) -> Response:
    """A person by ID number (posted: never in a URL), in the actor's jurisdiction (else the
    404 page)."""
    return _to_person(persons.find(session, actor, id_number).ref)


def _to_person(ref: str) -> Response:
    """Back to the person's page, named by reference."""
    return RedirectResponse(f"/console/persons/{ref}", status_code=303)


@router.post("/applications")
def apply(
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    id_number: Annotated[str, Form(min_length=18, max_length=18)],
    name: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    """An application of someone the data missed (第十条): the task joins the worklist."""
    _, person = cases.apply(session, actor, clock.now(), id_number, name)
    return _to_person(person.ref)


@router.post("/persons/{ref}/fraud")
def fraud(
    ref: str,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    amount_cny: Annotated[Decimal, Form(gt=0, max_digits=12, decimal_places=2)],
    evidence: Text,
) -> Response:
    """A fraud case (虚报、冒领 …, 第二十四条) with its evidence."""
    if not evidence.strip():
        raise Invalid("请填写证据", "evidence")
    recovery.open_fraud(session, actor, clock.now(), ref, amount_cny, evidence)
    return RedirectResponse("/console/recovery", status_code=303)


@router.post("/tasks/{task_id}/notify")
def notify(
    request: Request,
    task_id: RowId,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    channel: Annotated[NoticeChannel, Form()],
    recipient: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    """Send the notice; the page shows the one-time code once (the notice carries it)."""
    task, person, notice, code = cases.notify(
        session, actor, clock.now(), task_id, channel, recipient.strip()
    )
    return render(
        request, actor, "notified.html", person=person, notice=notice, code=code, task=task
    )


@router.get("/persons/{ref}")
def person_page(request: Request, ref: str, actor: PageActor, session: SessionDep) -> Response:
    """A person, masked, with the forms the actor may use."""
    shown = persons.view(session, actor, ref)
    return _person(request, actor, session, shown)


def _person(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    shown: PersonOut,
    message: str = "",
) -> Response:
    person = person_by_ref(session, actor, shown.ref)
    return render(
        request,
        actor,
        "person.html",
        person=shown,
        checks=checks.list_checks(session, actor, shown.ref),
        message=message,
        acts=actor.acts_on(person),
        can_confirm=actor.role in (Role.STREET, Role.COMMITTEE),
        today=request.app.state.clock.now().date(),
    )


@router.post("/persons/{ref}/full")
def full_view(
    request: Request, ref: str, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    """The full record (logged)."""
    shown = persons.view_full(session, actor, clock.now(), ref)
    return _person(request, actor, session, shown, "完整信息查看已记录在审计日志中。")


@router.post("/persons/{ref}/confirm")
def confirm(
    request: Request,
    ref: str,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    bank_name: Annotated[str, Form(max_length=100)],
    bank_account: Annotated[str, Form(max_length=30)],
    evidence: Text,
    channel: Annotated[str, Form(max_length=20)] = "street",
    phone: Annotated[str, Form(max_length=11)] = "",
    agreement: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Confirm on the elder's behalf, with the evidence."""
    body = form_model(
        StaffConfirmIn,
        channel=channel,
        evidence=evidence,
        bank_name=bank_name,
        bank_account=bank_account.strip(),
        phone=phone.strip() or None,
        agreement=agreement == "1",
    )
    confirmations.confirm_for(session, actor, clock.now(), ref, body)
    return _to_person(ref)


@router.post("/persons/{ref}/agreement")
def agreement(ref: str, actor: PageActor, session: SessionDep, clock: ClockDep) -> Response:
    """The deduction agreement signed later."""
    confirmations.sign_agreement(session, actor, clock.now(), ref)
    return _to_person(ref)


@router.post("/persons/{ref}/checks")
def record_check(
    ref: str,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    kind: Annotated[str, Form(max_length=20)],
    checked_on: Annotated[dt.date, Form()],
    passed: Annotated[str, Form(max_length=1)],
    note: Text = "",
) -> Response:
    """Record a check; a failed one holds payment from the next month."""
    body = form_model(CheckIn, kind=kind, checked_on=checked_on, passed=passed == "1", note=note)
    checks.record_check(session, actor, clock.now(), ref, body)
    return _to_person(ref)


@router.post("/persons/{ref}/bank")
def bank_change(
    ref: str,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    told_on: Annotated[dt.date, Form()],
    bank_name: Annotated[str, Form(max_length=100)],
    bank_account: Annotated[str, Form(max_length=30)],
) -> Response:
    """Ask for a bank account change (a second officer approves it)."""
    body = form_model(
        BankChangeIn, told_on=told_on, bank_name=bank_name, bank_account=bank_account.strip()
    )
    changes.request_bank_change(session, actor, clock.now(), ref, body)
    return RedirectResponse("/console/worklist", status_code=303)


@router.post("/persons/{ref}/personal")
def personal_change(
    ref: str,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    told_on: Annotated[dt.date, Form()],
    phone: Annotated[str, Form(max_length=11)] = "",
    address: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Change the phone or address at once."""
    body = form_model(
        PersonalChangeIn,
        told_on=told_on,
        phone=phone.strip() or None,
        address=address.strip() or None,
    )
    changes.change_personal(session, actor, clock.now(), ref, body)
    return _to_person(ref)


@router.post("/changes/{change_id}/{decision}")
def decide(
    change_id: RowId, decision: str, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    """A second officer approves or rejects a bank change."""
    if decision not in ("approve", "reject"):
        raise Invalid("未知操作", "decision")
    changes.decide(session, actor, clock.now(), change_id, decision == "approve")
    return RedirectResponse("/console/worklist", status_code=303)


@router.post("/recovery/{case_id}/repay")
def repay(
    case_id: RowId,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    amount_cny: Annotated[Decimal, Form(gt=0, max_digits=12, decimal_places=2)],
) -> Response:
    """Record money returned."""
    recovery.repay(session, actor, clock.now(), case_id, amount_cny)
    return RedirectResponse("/console/recovery", status_code=303)
