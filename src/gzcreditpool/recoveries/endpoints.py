"""Recoveries, refunds and write-offs (thin: see ``service``)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gzcreditpool.kit.auth import ActorDep
from gzcreditpool.kit.params import BankCode, RowId
from gzcreditpool.recoveries import service
from gzcreditpool.recoveries.schemas import (
    RecoveryIn,
    RecoveryOut,
    RefundedIn,
    ReviewIn,
    WriteOffIn,
    WriteOffOut,
)
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery

router = APIRouter(tags=["清收与核销 recoveries"])


@router.get("/recoveries")
def list_recoveries(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    clock: ClockDep,
    pagination: PaginationQuery,
    overdue: bool = False,
    bank: BankCode = None,
) -> ListResource[RecoveryOut]:
    """Recoveries with the refund due; ``overdue=true``: only refunds past their due day;
    the staff one bank's with ``bank`` (its code)."""
    items, total = service.listing(
        session, actor, clock.now().date(), request.app.state.calendar, pagination,
        overdue_only=overdue, bank=bank,
    )  # fmt: skip
    return ListResource[RecoveryOut].build(items, total, pagination)


@router.post("/recoveries", status_code=201)
def recover(
    body: RecoveryIn, request: Request, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> RecoveryOut:
    """The bank records a recovery and its fees; the refund and due day are computed."""
    now, calendar = clock.now(), request.app.state.calendar
    recovery = service.recover(session, actor, body, now, calendar)
    return service.recovery_out(recovery, now.date(), calendar)


@router.post("/recoveries/{recovery_id}/refunded")
def refunded(
    recovery_id: RowId,
    body: RefundedIn,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    clock: ClockDep,
) -> RecoveryOut:
    """The bank records the refund paid to the treasury."""
    now, calendar = clock.now(), request.app.state.calendar
    recovery = service.mark_refunded(session, actor, recovery_id, body.refunded_on, now)
    return service.recovery_out(recovery, now.date(), calendar)


@router.post("/recoveries/{recovery_id}/top-ups/{top_up_id}/refunded")
def top_up_refunded(
    recovery_id: RowId,
    top_up_id: RowId,
    body: RefundedIn,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    clock: ClockDep,
) -> RecoveryOut:
    """The bank records a top-up paid to the treasury."""
    now, calendar = clock.now(), request.app.state.calendar
    recovery = service.mark_top_up_refunded(
        session, actor, recovery_id, top_up_id, body.refunded_on, now
    )
    return service.recovery_out(recovery, now.date(), calendar)


@router.get("/write-offs")
def list_write_offs(
    session: SessionDep, actor: ActorDep, pagination: PaginationQuery
) -> ListResource[WriteOffOut]:
    """Write-offs (the trustee's periodic report to 市科技局)."""
    items, total = service.write_offs(session, actor, pagination)
    return ListResource[WriteOffOut].build(items, total, pagination)


@router.post("/loans/{loan_id}/write-offs", status_code=201)
def write_off(
    loan_id: RowId, body: WriteOffIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> WriteOffOut:
    """The bank reports the loan written off."""
    row = service.write_off(session, actor, loan_id, body, clock.now())
    return service.write_off_out(row)


@router.post("/write-offs/{write_off_id}/review")
def review_write_off(
    write_off_id: RowId, body: ReviewIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> WriteOffOut:
    """The trustee reviews a write-off."""
    row = service.review_write_off(session, actor, write_off_id, body.note, clock.now())
    return service.write_off_out(row)
