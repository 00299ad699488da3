"""贷款报送 / 审核 / 确认: a bank reports loans (one by one or by file) and sees each report's
deadline; the trustee checks and forwards; 市科技局 confirms in bulk; 确认书 downloads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Form, Query, Request, Response
from sqlalchemy import select

from gzcreditpool.claims import service as claims
from gzcreditpool.console.pages import (
    PageActor,
    bank_filter,
    confirm_step,
    done,
    page_router,
    parse,
    render,
)
from gzcreditpool.enterprises import service as enterprises
from gzcreditpool.enterprises.schemas import EnterpriseIn
from gzcreditpool.kit.params import RowId
from gzcreditpool.loans import repository, service
from gzcreditpool.loans.schemas import LoanIn
from gzcreditpool.models import Bank, LoanStatus, Role
from gzkit.console.paging import page_count, paging
from gzkit.db import SessionDep
from gzkit.errors import Invalid
from gzkit.received import received_file

router = page_router()
PAGE = "/console/loans"
UPLOAD_MAX_BYTES = 8 << 20
RECENT_CONFIRMATIONS = 20
NOTICES = {
    "reported": "贷款已报送，待受托管理机构审核。",
    "uploaded": "文件中的贷款已全部报送。",
    "enterprise": "企业信息已登记。",
    "forwarded": "待审核贷款已按规则审核并报送市科技局。",
    "confirmed": "已审核贷款已确认，确认书已生成。",
}
# Whose turn each status is, for each role's default list.
WORKLIST = {
    Role.TRUSTEE: LoanStatus.REPORTED,
    Role.BUREAU: LoanStatus.FORWARDED,
}


@router.get("/loans")
def loans_page(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    disbursed_on: Annotated[dt.date | None, Query()] = None,
    bank: Annotated[str, Query(max_length=20)] = "",
    notice: Annotated[str, Query(alias="done", max_length=20)] = "",
) -> Response:
    """The loans list (a bank's own; masked; the staff's of one bank with ``bank``), the
    role's worklist and forms."""
    now = request.app.state.clock.now()
    calendar = request.app.state.calendar
    shown = _status(status) if status is not None else WORKLIST.get(actor.role)
    rows, total = service.listing(session, actor, shown, paging(page), bank or None)
    today = now.date()
    left = {
        row.id: service.deadline(calendar, row.disbursed_on, today).working_days_left
        for row in rows
        if row.status is LoanStatus.REPORTED
    }
    bank_id = actor.bank_id if actor.role is Role.BANK else None
    confirmations = repository.confirmations(session, bank_id, RECENT_CONFIRMATIONS)
    banks = {b.id: b.code for b in session.scalars(select(Bank))}
    return render(
        request,
        actor,
        "loans.html",
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total),
        status=shown,
        statuses=service.STATUS_TEXT,
        left=left,
        confirmations=confirmations,
        banks=banks,
        deadline=service.deadline(calendar, disbursed_on, today) if disbursed_on else None,
        notice=NOTICES.get(notice, ""),
        **bank_filter(session, actor, bank),
        waiting=service.listing(session, actor, WORKLIST[actor.role], paging(1))[1]
        if actor.role in WORKLIST
        else 0,
    )


@router.get("/loans/{loan_id}")
def loan_page(
    loan_id: RowId,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    full: Annotated[bool, Query()] = False,
) -> Response:
    """One loan with its classifications, legal actions and claims; masked unless ``full``
    (which the audit log records; never for the auditor)."""
    now = request.app.state.clock.now()
    loan = service.get(session, actor, loan_id, full=full, at=now)
    return render(
        request,
        actor,
        "loan.html",
        loan=loan,
        tracking=claims.tracking(session, actor, loan_id),
        statuses=service.STATUS_TEXT,
        can_reveal=actor.sees_secrets,
    )


def _status(text: str) -> LoanStatus | None:
    """The list's status filter: "" is every loan."""
    if not text:
        return None
    try:
        return LoanStatus(text)
    except ValueError:
        raise Invalid("没有这种贷款状态 / no such status", ("query", "status")) from None


def loan_form(
    contract_no: Annotated[str, Form(max_length=60)],
    enterprise_uscc: Annotated[str, Form(max_length=18)],
    disbursed_on: Annotated[str, Form(max_length=10)],
    amount: Annotated[str, Form(max_length=20)],
    term_months: Annotated[str, Form(max_length=4)],
    credit_part: Annotated[str, Form(max_length=20)],
    financing_guarantee: Annotated[str, Form(max_length=5)] = "",
) -> dict[str, Any]:
    """A loan form's facts (C3) as :class:`LoanIn`'s fields (the bank's report, 市科技局's
    carry-in)."""
    return {
        "contract_no": contract_no.strip(),
        "enterprise_uscc": enterprise_uscc.strip(),
        "disbursed_on": disbursed_on,
        "amount": amount,
        "term_months": term_months,
        "credit_part": credit_part,
        "financing_guarantee": financing_guarantee == "true",
    }


LoanForm = Annotated[dict[str, Any], Depends(loan_form)]


@router.post("/loans")
def report(request: Request, actor: PageActor, session: SessionDep, fields: LoanForm) -> Response:
    """A bank reports one loan from the form."""
    body = parse(LoanIn, fields)
    service.report(session, actor, body, request.app.state.clock.now(), request.app.state.calendar)
    return done(PAGE, "reported")


@router.post("/loans/upload")
async def upload(request: Request, actor: PageActor, session: SessionDep) -> Response:
    """A bank reports the loans of a CSV or xlsx file, all or none."""
    async with received_file(
        request, file_field="file", limit=UPLOAD_MAX_BYTES, setting="8 MiB"
    ) as form:
        assert form.path is not None
        service.upload(
            session, actor, form.path, form.filename or "upload.csv",
            request.app.state.clock.now(), request.app.state.calendar,
        )  # fmt: skip
    return done(PAGE, "uploaded")


@router.post("/enterprises")
def register_enterprise(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    uscc: Annotated[str, Form(max_length=40)],
    name: Annotated[str, Form(max_length=200)],
    revenue: Annotated[str, Form(max_length=20)],
    high_tech_certificate_no: Annotated[str, Form(max_length=40)] = "",
    high_tech_valid_until: Annotated[str, Form(max_length=10)] = "",
    science_plan_project: Annotated[str, Form(max_length=200)] = "",
    sme_database_no: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """A bank registers a borrower (registered in Guangzhou, an independent legal person)."""
    body = parse(
        EnterpriseIn,
        {
            "uscc": uscc.strip(),
            "name": name.strip(),
            "registered_in_guangzhou": True,
            "independent_legal_person": True,
            "revenue": revenue,
            "high_tech_certificate_no": high_tech_certificate_no.strip() or None,
            "high_tech_valid_until": high_tech_valid_until or None,
            "science_plan_project": science_plan_project.strip() or None,
            "sme_database_no": sme_database_no.strip() or None,
        },
    )
    enterprises.register(session, actor, body, request.app.state.clock.now())
    return done(PAGE, "enterprise")


@router.post("/loans/forward")
def forward(request: Request, actor: PageActor, session: SessionDep) -> Response:
    """The trustee checks every reported loan with the rules and forwards it."""
    service.forward(session, actor, None, request.app.state.clock.now(), request.app.state.calendar)
    return done(PAGE, "forwarded")


@router.post("/loans/confirm")
def confirm(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    confirmed: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """市科技局 confirms every forwarded loan, after a confirmation step."""
    if confirmed != "1":
        actor.require(Role.BUREAU)
        return confirm_step(
            request, actor, title="确认已审核贷款",
            consequence="受托管理机构审核通过的贷款将纳入资金池，未通过的不予入池；"
            "每家银行生成一份确认书。此操作不可撤销。",
            action="/console/loans/confirm", button="确认",
        )  # fmt: skip
    service.confirm(session, actor, None, request.app.state.clock.now())
    return done(PAGE, "confirmed")
