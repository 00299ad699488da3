"""HTTP routes of changes."""

from __future__ import annotations

from fastapi import APIRouter

from gzkit.clock import ClockDep
from gzkit.db import RowId, SessionDep
from gzlongevity.changes import service
from gzlongevity.changes.schemas import BankChangeIn, ChangeOut, PersonalChangeIn
from gzlongevity.kit.auth import ActorDep
from gzlongevity.models import ChangeStatus

router = APIRouter(tags=["changes"])


@router.post("/persons/{ref}/changes/personal", status_code=201, summary="Change personal data")
def change_personal(
    ref: str, body: PersonalChangeIn, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> ChangeOut:
    """Name, phone, address: applied at once. Street only."""
    return service.change_personal(session, actor, clock.now(), ref, body)


@router.post("/persons/{ref}/changes/bank", status_code=201, summary="Change the bank account")
def request_bank_change(
    ref: str, body: BankChangeIn, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> ChangeOut:
    """Pending until a second officer approves. Street only."""
    return service.request_bank_change(session, actor, clock.now(), ref, body)


@router.post("/changes/{change_id}/approve", summary="Approve a bank change")
def approve(change_id: RowId, actor: ActorDep, session: SessionDep, clock: ClockDep) -> ChangeOut:
    """A second officer (not the one who asked) of the street or district."""
    return service.decide(session, actor, clock.now(), change_id, True)


@router.post("/changes/{change_id}/reject", summary="Reject a bank change")
def reject(change_id: RowId, actor: ActorDep, session: SessionDep, clock: ClockDep) -> ChangeOut:
    """A second officer of the street or district."""
    return service.decide(session, actor, clock.now(), change_id, False)


@router.get("/changes", summary="List changes")
def list_changes(
    actor: ActorDep, session: SessionDep, status: ChangeStatus | None = None
) -> list[ChangeOut]:
    """Changes in the actor's jurisdiction, newest first."""
    return service.list_changes(session, actor, status)
