"""``/api/loans``: reports, the trustee's check, 市科技局's confirmation and the 确认书
(thin: see ``service``)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response

from gzcreditpool.kit.auth import ActorDep
from gzcreditpool.kit.params import BankCode, RowId
from gzcreditpool.loans import service
from gzcreditpool.loans.schemas import (
    ConfirmationOut,
    DeadlineOut,
    LoanIdsIn,
    LoanIn,
    LoanOut,
    UploadOut,
)
from gzcreditpool.models import LoanStatus
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery
from gzkit.received import received_file

router = APIRouter(tags=["贷款 loans"])
UPLOAD_MAX_BYTES = 8 << 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/loans")
def list_loans(
    session: SessionDep,
    actor: ActorDep,
    pagination: PaginationQuery,
    status: LoanStatus | None = None,
    bank: BankCode = None,
) -> ListResource[LoanOut]:
    """Loans, masked, newest disbursement first; a bank sees only its own, the staff one
    bank's with ``bank`` (its code)."""
    items, total = service.listing(session, actor, status, pagination, bank)
    return ListResource[LoanOut].build(items, total, pagination)


@router.post("/loans", status_code=201)
def report(
    body: LoanIn, request: Request, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> LoanOut:
    """A bank reports a loan (today is the report date)."""
    now = clock.now()
    loan = service.report(session, actor, body, now, request.app.state.calendar)
    return service.get(session, actor, loan.id, full=True, at=now)


@router.post("/loans/upload", status_code=201)
async def upload(
    request: Request, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> UploadOut:
    """A bank reports loans from a CSV (UTF-8 / GB18030) or xlsx file (multipart field
    ``file``), all or none."""
    async with received_file(
        request, file_field="file", limit=UPLOAD_MAX_BYTES, setting="8 MiB"
    ) as form:
        assert form.path is not None
        loans = service.upload(
            session, actor, form.path, form.filename or "upload.csv", clock.now(),
            request.app.state.calendar,
        )  # fmt: skip
    return UploadOut(reported=len(loans), loan_ids=[loan.id for loan in loans])


@router.get("/loans/upload-template.xlsx")
def upload_template(_actor: ActorDep) -> Response:
    """A workbook with the upload's columns and an example row."""
    return Response(
        service.upload_template(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="loans-template.xlsx"'},
    )


@router.get("/loans/deadline")
def deadline(
    disbursed_on: dt.date, request: Request, _actor: ActorDep, clock: ClockDep
) -> DeadlineOut:
    """The last day to report a loan disbursed on ``disbursed_on`` (7 working days)."""
    return service.deadline(request.app.state.calendar, disbursed_on, clock.now().date())


@router.post("/loans/forward")
def forward(
    body: LoanIdsIn, request: Request, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> dict[str, int]:
    """The trustee checks the reported loans against the rules and forwards them."""
    loans = service.forward(session, actor, body.loan_ids, clock.now(), request.app.state.calendar)
    return {
        "forwarded": len(loans),
        "registrable": sum(loan.reason is None for loan in loans),
    }


@router.post("/loans/confirm")
def confirm(
    body: LoanIdsIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> list[ConfirmationOut]:
    """市科技局 confirms the forwarded loans in bulk; one 确认书 per bank."""
    confirmations = service.confirm(session, actor, body.loan_ids, clock.now())
    return [service.confirmation_out(session, c) for c in confirmations]


@router.get("/loans/{loan_id}")
def get_loan(
    loan_id: RowId,
    session: SessionDep,
    actor: ActorDep,
    clock: ClockDep,
    full: bool = False,
) -> LoanOut:
    """One loan; ``full=true`` unmasks it and is logged."""
    return service.get(session, actor, loan_id, full=full, at=clock.now())


@router.get("/confirmations/{confirmation_id}.xlsx")
def confirmation_xlsx(
    confirmation_id: RowId, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> Response:
    """The 确认书 as xlsx; the download is logged."""
    name, data = service.confirmation_xlsx(session, actor, confirmation_id, clock.now())
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
