"""HTTP routes of recovery cases, under ``/api/recovery``."""

from __future__ import annotations

from fastapi import APIRouter

from gzkit.clock import ClockDep
from gzkit.db import RowId, SessionDep
from gzlongevity.kit.auth import ActorDep
from gzlongevity.models import CaseStatus
from gzlongevity.recovery import service
from gzlongevity.recovery.schemas import CaseOut, FraudIn, RepaymentIn

router = APIRouter(prefix="/recovery", tags=["recovery"])


@router.get("", summary="List recovery cases")
def list_cases(
    actor: ActorDep, session: SessionDep, status: CaseStatus | None = None
) -> list[CaseOut]:
    """Cases in the actor's jurisdiction, with the date a 责令退回 falls due."""
    return service.list_cases(session, actor, status)


@router.post("/{case_id}/repayments", summary="Record a repayment")
def repay(
    case_id: RowId, body: RepaymentIn, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> CaseOut:
    """Money returned by the family; the case closes when all is back. Street or district."""
    return service.repay(session, actor, clock.now(), case_id, body.amount_cny)


@router.post("/fraud", status_code=201, summary="Open a fraud case")
def open_fraud(body: FraudIn, actor: ActorDep, session: SessionDep, clock: ClockDep) -> CaseOut:
    """虚报、冒领 … with the evidence (第二十四条). Street only."""
    return service.open_fraud(
        session, actor, clock.now(), body.person_ref, body.amount_cny, body.evidence
    )
