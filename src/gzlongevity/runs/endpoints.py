"""HTTP routes of the monthly runs, under ``/api/runs``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from sqlalchemy import select

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.errors import Conflict, Forbidden
from gzlongevity.core.calendar import month_text
from gzlongevity.core.standards import MILITARY, PAYERS
from gzlongevity.kit.audit import record
from gzlongevity.kit.auth import ActorDep
from gzlongevity.models import PaymentRun, Role
from gzlongevity.runs import bankfile, service
from gzlongevity.runs.schemas import ExceptionLine, RunIn, RunOut

router = APIRouter(prefix="/runs", tags=["runs"])


@router.get("", summary="List runs")
def list_runs(actor: ActorDep, session: SessionDep, clock: ClockDep) -> list[RunOut]:
    """Every run, newest first, with each payer's progress and the 25th deadline."""
    today = clock.now().date()
    runs = session.scalars(select(PaymentRun).order_by(PaymentRun.month.desc())).all()
    return [service.progress(session, run, today) for run in runs]


@router.post("", summary="Compute (or recompute) a run")
def compute(body: RunIn, actor: ActorDep, session: SessionDep, clock: ClockDep) -> RunOut:
    """The run of a month, by the rules engine of ``gzlongevity payroll``, from the data known
    on its run day (the 20th): the lists of the payers that have not approved it (and that
    approved the previous month); refused once every payer has approved. City only."""
    now = clock.now()
    run = service.compute(session, actor, now, service.month_of_text(body.month))
    return service.progress(session, run, now.date())


@router.get("/{month}", summary="One run")
def view(month: str, actor: ActorDep, session: SessionDep, clock: ClockDep) -> RunOut:
    """A run's totals and each payer's progress."""
    return service.progress(
        session, service.get_run(session, service.month_of_text(month)), clock.now().date()
    )


@router.get("/{month}/exceptions", summary="What streets review")
def exceptions(month: str, actor: ActorDep, session: SessionDep) -> list[ExceptionLine]:
    """Arrears, 100+ payments, overpayments, held people and death-date conflicts in the
    actor's jurisdiction."""
    return service.exceptions(session, actor, service.month_of_text(month))


@router.post("/{month}/review", summary="A street has reviewed")
def review(month: str, actor: ActorDep, session: SessionDep, clock: ClockDep) -> RunOut:
    """The street's sign-off of its exceptions. Street only."""
    return service.review(session, actor, clock.now(), service.month_of_text(month))


@router.post("/{month}/approve", summary="A payer approves its list")
def approve(month: str, actor: ActorDep, session: SessionDep, clock: ClockDep) -> RunOut:
    """A district's approval of its list (第十三条), or the military channel's of its cadres'
    (第二十五条): that list is locked and its bank file can be written; the last payer's
    finishes the run."""
    return service.approve(session, actor, clock.now(), service.month_of_text(month))


@router.get("/{month}/bank-file.{fmt}", summary="The bank batch file")
def bank_file(
    month: str,
    fmt: Literal["csv", "xlsx"],
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
    payer: str | None = None,
) -> Response:
    """The bank file of a payer's approved list: the actor's own (a district, the military
    channel), or ``payer``'s (the city, finance: a district code or ``military``). Full account
    numbers: the download is logged."""
    run = service.get_run(session, service.month_of_text(month))
    if actor.role in (Role.CITY, Role.FINANCE):
        chosen = payer or ""
        if chosen not in PAYERS:
            raise Forbidden(f"请指定付款方（区划代码或 {MILITARY}） / name the payer")
    elif actor.role in (Role.DISTRICT, Role.MILITARY):
        chosen = service.payer_of(actor)
    else:
        raise Forbidden("无权下载银行文件 / may not download bank files")
    if chosen not in service.approved_payers(session, run.id):
        raise Conflict(
            f"{PAYERS[chosen]}尚未审批本月发放名单，不能生成银行文件 / the list is not approved"
        )
    rows = bankfile.bank_rows(session, run, chosen)
    now = clock.now()
    record(
        session,
        actor.label,
        "bank_file.download",
        "payment_run",
        month_text(run.month),
        None,
        {"payer": chosen, "rows": len(rows), "format": fmt},
        at=now,
    )
    name = f"bank-{month_text(run.month)}-{chosen}.{fmt}"
    if fmt == "csv":
        content, media = bankfile.as_csv(rows), "text/csv; charset=utf-8"
    else:
        content = bankfile.as_xlsx(rows, name)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
