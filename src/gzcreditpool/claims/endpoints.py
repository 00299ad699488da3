"""Post-loan tracking and claims (thin: see ``service``)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response

from gzcreditpool.claims import service
from gzcreditpool.claims.schemas import (
    BankCapOut,
    ClaimFixIn,
    ClaimIdsIn,
    ClaimIn,
    ClaimOut,
    ClaimReturnIn,
    ClassificationIn,
    ClassificationOut,
    LegalActionOut,
    TrackingOut,
)
from gzcreditpool.kit.auth import ActorDep
from gzcreditpool.kit.params import BankCode, RowId
from gzcreditpool.models import ClaimStatus
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery, page_of
from gzkit.received import received_file

router = APIRouter(tags=["贷后与补偿 claims"])


@router.post("/loans/{loan_id}/classifications", status_code=201)
def classify(
    loan_id: RowId, body: ClassificationIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> ClassificationOut:
    """The bank records the loan's risk classification."""
    row = service.classify(session, actor, loan_id, body, clock.now())
    return ClassificationOut(category=row.category, as_of=row.as_of, recorded_at=row.recorded_at)


@router.post("/loans/{loan_id}/legal-actions", status_code=201)
async def add_legal_action(
    loan_id: RowId, request: Request, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> LegalActionOut:
    """The bank records a legal action: multipart fields ``kind`` (lawsuit | arbitration |
    notarised), ``case_no``, ``effective_on`` and the document as ``file``."""
    async with received_file(
        request, file_field="file", limit=service.MAX_DOCUMENT_BYTES, setting="8 MiB"
    ) as form:
        assert form.path is not None
        action = service.add_legal_action(
            session, actor, loan_id, form.fields, form.path, form.filename or "document",
            clock.now(),
        )  # fmt: skip
    return LegalActionOut(
        id=action.id,
        kind=action.kind,
        case_no=action.case_no,
        effective_on=action.effective_on,
        document_name=action.document_name,
    )


@router.get("/loans/{loan_id}/legal-actions/{action_id}/document")
def legal_document(
    loan_id: RowId, action_id: RowId, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> Response:
    """A legal action's document; the download is logged."""
    name, data = service.document(session, actor, loan_id, action_id, clock.now())
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get("/loans/{loan_id}/tracking")
def tracking(loan_id: RowId, session: SessionDep, actor: ActorDep) -> TrackingOut:
    """The loan's classifications, legal actions and claims."""
    return service.tracking(session, actor, loan_id)


@router.get("/claims")
def list_claims(
    session: SessionDep,
    actor: ActorDep,
    pagination: PaginationQuery,
    status: ClaimStatus | None = None,
    bank: BankCode = None,
) -> ListResource[ClaimOut]:
    """Claims with every condition checked, in order of filing; a bank sees only its own, the
    staff one bank's with ``bank`` (its code)."""
    items, total = service.listing(session, actor, status, pagination, bank)
    return ListResource[ClaimOut].build(items, total, pagination)


@router.post("/claims", status_code=201)
def file_claim(body: ClaimIn, session: SessionDep, actor: ActorDep, clock: ClockDep) -> ClaimOut:
    """The bank files a claim today."""
    claim = service.file_claim(session, actor, body, clock.now())
    return service.get(session, actor, claim.id)


@router.post("/claims/review")
def review(
    body: ClaimIdsIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> list[ClaimOut]:
    """The trustee computes the filed claims with the rules."""
    claims = service.review(session, actor, body.claim_ids, clock.now())
    return [service.get(session, actor, c.id) for c in claims]


@router.post("/claims/approve")
def approve(
    body: ClaimIdsIn, request: Request, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> list[ClaimOut]:
    """市科技局 approves the reviewed claims; refunds of recoveries already recorded follow."""
    claims = service.approve(
        session, actor, body.claim_ids, clock.now(), request.app.state.calendar
    )
    return [service.get(session, actor, c.id) for c in claims]


@router.post("/claims/{claim_id}/return")
def return_claim(
    claim_id: RowId, body: ClaimReturnIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> ClaimOut:
    """市科技局 returns one computed claim with a reason in Chinese; it goes back to the bank
    and the trustee."""
    claim = service.return_claim(session, actor, claim_id, body.reason, clock.now())
    return service.get(session, actor, claim.id)


@router.post("/claims/{claim_id}/resubmit")
def resubmit(
    claim_id: RowId, body: ClaimFixIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> ClaimOut:
    """The bank files a returned claim again, corrected, for the trustee to compute."""
    claim = service.resubmit(session, actor, claim_id, body, clock.now())
    return service.get(session, actor, claim.id)


@router.get("/claims/caps/{year}")
def caps(
    year: Annotated[int, Path(ge=2000, le=2100)],
    session: SessionDep,
    actor: ActorDep,
    pagination: PaginationQuery,
) -> ListResource[BankCapOut]:
    """Each bank's cap for the claims of ``year`` (第十七条), used and left, a page at a
    time like every list."""
    items, total = page_of(service.caps(session, actor, year), pagination)
    return ListResource[BankCapOut].build(list(items), total, pagination)


@router.get("/claims/{claim_id}")
def get_claim(claim_id: RowId, session: SessionDep, actor: ActorDep) -> ClaimOut:
    return service.get(session, actor, claim_id)
