"""补偿申请 / 核算 / 审批: a bank records classifications and legal actions and claims; the
trustee computes the claims with the rules; 市科技局 approves them, or returns one with a
reason for the bank to correct and file again, and sees the budget line."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request, Response

from gzcreditpool.claims import service
from gzcreditpool.claims.schemas import (
    ClaimFixIn,
    ClaimIn,
    ClaimReturnIn,
    ClassificationIn,
    LoanRefIn,
)
from gzcreditpool.console.pages import (
    PageActor,
    bank_filter,
    confirm_step,
    done,
    page_router,
    parse,
    render,
)
from gzcreditpool.fees import service as fees
from gzcreditpool.kit.params import RowId, RowIdForm
from gzcreditpool.models import ClaimStatus, Role
from gzkit.console.paging import page_count, paging
from gzkit.db import SessionDep
from gzkit.received import received_file

router = page_router()
PAGE = "/console/claims"
NOTICES = {
    "classified": "风险分类已登记。",
    "legal": "法律行动及文书已登记。",
    "filed": "补偿申请已提交，待受托管理机构核算。",
    "reviewed": "待核算申请已按规则核算。",
    "approved": "已核算申请已批准。",
    "returned": "申请已退回补正，退回补正理由已告知银行和受托管理机构。"
    "其余已核算、未批准的申请已按规则自动重新核算（退回补正的申请不再占用额度），金额以下表为准。",
    "resubmitted": "申请已重新提交（申请日不变），待受托管理机构核算；其余已核算、未批准的申请"
    "已按申请先后自动重新核算，金额以下表为准。",
}
STATUS_TEXT = {
    ClaimStatus.FILED: "已申请",
    ClaimStatus.REVIEWED: "已核算",
    ClaimStatus.APPROVED: "已批准",
    ClaimStatus.RETURNED: "已退回补正",
}
DECISION_TEXT = {"approved": "全额补偿", "partial": "部分补偿", "refused": "不予补偿"}


@router.get("/claims")
def claims_page(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    bank: Annotated[str, Query(max_length=20)] = "",
    notice: Annotated[str, Query(alias="done", max_length=20)] = "",
) -> Response:
    """Claims with every condition, in order of filing, page by page (the staff's of one
    bank with ``bank``); the role's worklist and forms; the budget line for staff."""
    claims, total = service.listing(session, actor, None, paging(page), bank or None)
    year = request.app.state.clock.now().year
    return render(
        request,
        actor,
        "claims.html",
        claims=claims,
        statuses=STATUS_TEXT,
        decisions=DECISION_TEXT,
        total=total,
        page=page,
        pages=page_count(total),
        filed=service.listing(session, actor, ClaimStatus.FILED, paging(1))[1],
        reviewed=service.listing(session, actor, ClaimStatus.REVIEWED, paging(1))[1],
        budget=fees.budget(session, year + 1) if actor.role is not Role.BANK else None,
        caps=service.caps(session, actor, year),
        year=year,
        notice=NOTICES.get(notice, ""),
        **bank_filter(session, actor, bank),
    )


@router.post("/claims/classify")
def classify(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    loan_id: RowIdForm,
    category: Annotated[str, Form(max_length=4)],
    as_of: Annotated[str, Form(max_length=10)],
) -> Response:
    body = parse(ClassificationIn, {"category": category, "as_of": as_of})
    service.classify(session, actor, loan_id, body, request.app.state.clock.now())
    return done(PAGE, "classified")


@router.post("/claims/legal")
async def legal_action(request: Request, actor: PageActor, session: SessionDep) -> Response:
    """A legal action with its document (multipart: loan_id, kind, case_no, effective_on, file)."""
    async with received_file(
        request, file_field="file", limit=service.MAX_DOCUMENT_BYTES, setting="8 MiB"
    ) as form:
        assert form.path is not None
        loan = parse(LoanRefIn, {"loan_id": form.fields.get("loan_id", "")})
        service.add_legal_action(
            session, actor, loan.loan_id, form.fields, form.path, form.filename or "document",
            request.app.state.clock.now(),
        )  # fmt: skip
    return done(PAGE, "legal")


@router.post("/claims")
def file_claim(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    loan_id: Annotated[str, Form(max_length=12)],
    npl_balance: Annotated[str, Form(max_length=20)],
) -> Response:
    body = parse(ClaimIn, {"loan_id": loan_id, "npl_balance": npl_balance})
    service.file_claim(session, actor, body, request.app.state.clock.now())
    return done(PAGE, "filed")


@router.post("/claims/review")
def review(request: Request, actor: PageActor, session: SessionDep) -> Response:
    service.review(session, actor, None, request.app.state.clock.now())
    return done(PAGE, "reviewed")


@router.post("/claims/approve")
def approve(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    confirmed: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """市科技局 approves every reviewed claim, after a confirmation step."""
    if confirmed != "1":
        actor.require(Role.BUREAU)
        return confirm_step(
            request, actor, title="批准补偿",
            consequence="受托管理机构核算的补偿金额将获批准，列入下一年度预算。此操作不可撤销。",
            action="/console/claims/approve", button="批准",
        )  # fmt: skip
    service.approve(session, actor, None, request.app.state.clock.now(), request.app.state.calendar)
    return done(PAGE, "approved")


@router.post("/claims/{claim_id}/return")
def return_claim(
    claim_id: RowId,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """市科技局 returns one computed claim with its reason."""
    body = parse(ClaimReturnIn, {"reason": reason})
    service.return_claim(session, actor, claim_id, body.reason, request.app.state.clock.now())
    return done(PAGE, "returned")


@router.post("/claims/{claim_id}/resubmit")
def resubmit(
    claim_id: RowId,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    npl_balance: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """The bank files a returned claim again with its corrected balance."""
    body = parse(ClaimFixIn, {"npl_balance": npl_balance})
    service.resubmit(session, actor, claim_id, body, request.app.state.clock.now())
    return done(PAGE, "resubmitted")
