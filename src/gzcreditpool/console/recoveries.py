"""清收退回: a bank records recoveries, refunds and write-offs; the trustee and 市科技局 see the
refunds due and the overdue ones flagged; the trustee reviews write-offs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request, Response

from gzcreditpool.console.pages import (
    PageActor,
    bank_filter,
    done,
    page_router,
    parse,
    render,
)
from gzcreditpool.kit.params import RowId, RowIdForm
from gzcreditpool.models import Role
from gzcreditpool.recoveries import service
from gzcreditpool.recoveries.schemas import RecoveryIn, RefundedIn, ReviewIn, WriteOffIn
from gzkit.console.paging import page_count, paging
from gzkit.db import SessionDep

router = page_router()
PAGE = "/console/recoveries"
NOTICES = {
    "recovered": "清收已登记，应退回金额和期限已计算。",
    "refunded": "退回已登记。",
    "topped_up": "补退已登记。",
    "written_off": "核销已报受托管理机构审核。",
    "reviewed": "核销已审核。",
}


@router.get("/recoveries")
def recoveries_page(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    write_offs_page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    overdue: Annotated[bool, Query()] = False,
    bank: Annotated[str, Query(max_length=20)] = "",
    notice: Annotated[str, Query(alias="done", max_length=20)] = "",
) -> Response:
    """Recoveries with their refunds (only the overdue ones with ``overdue``; the staff's of
    one bank with ``bank``) and write-offs, page by page."""
    today = request.app.state.clock.now().date()
    calendar = request.app.state.calendar
    rows, total = service.listing(
        session, actor, today, calendar, paging(page), overdue_only=overdue, bank=bank or None
    )
    write_offs, write_offs_total = service.write_offs(session, actor, paging(write_offs_page))
    late, late_sum = service.overdue(session, actor, today)
    return render(
        request,
        actor,
        "recoveries.html",
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total),
        overdue_only=overdue,
        overdue=late,
        overdue_sum=late_sum,
        write_offs=write_offs,
        write_offs_total=write_offs_total,
        write_offs_page=write_offs_page,
        write_offs_pages=page_count(write_offs_total),
        notice=NOTICES.get(notice, ""),
        **bank_filter(session, actor, bank),
    )


@router.post("/recoveries")
def recover(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    loan_id: Annotated[str, Form(max_length=12)],
    received_on: Annotated[str, Form(max_length=10)],
    gross: Annotated[str, Form(max_length=20)],
    fees: Annotated[str, Form(max_length=20)],
) -> Response:
    body = parse(
        RecoveryIn,
        {"loan_id": loan_id, "received_on": received_on, "gross": gross, "fees": fees},
    )
    now = request.app.state.clock.now()
    service.recover(session, actor, body, now, request.app.state.calendar)
    return done(PAGE, "recovered")


@router.post("/recoveries/{recovery_id}/refunded")
def refunded(
    recovery_id: RowId,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    refunded_on: Annotated[str, Form(max_length=10)],
) -> Response:
    body = parse(RefundedIn, {"refunded_on": refunded_on})
    service.mark_refunded(
        session, actor, recovery_id, body.refunded_on, request.app.state.clock.now()
    )
    return done(PAGE, "refunded")


@router.post("/recoveries/{recovery_id}/top-ups/{top_up_id}/refunded")
def top_up_refunded(
    recovery_id: RowId,
    top_up_id: RowId,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    refunded_on: Annotated[str, Form(max_length=10)],
) -> Response:
    body = parse(RefundedIn, {"refunded_on": refunded_on})
    service.mark_top_up_refunded(
        session, actor, recovery_id, top_up_id, body.refunded_on, request.app.state.clock.now()
    )
    return done(PAGE, "topped_up")


@router.post("/write-offs")
def write_off(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    loan_id: RowIdForm,
    written_off_on: Annotated[str, Form(max_length=10)],
    amount: Annotated[str, Form(max_length=20)],
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    body = parse(WriteOffIn, {"written_off_on": written_off_on, "amount": amount, "reason": reason})
    service.write_off(session, actor, loan_id, body, request.app.state.clock.now())
    return done(PAGE, "written_off")


@router.post("/write-offs/{write_off_id}/review")
def review(
    write_off_id: RowId,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    note: Annotated[str, Form(max_length=500)],
) -> Response:
    actor.require(Role.TRUSTEE)
    body = parse(ReviewIn, {"note": note})
    service.review_write_off(session, actor, write_off_id, body.note, request.app.state.clock.now())
    return done(PAGE, "reviewed")
