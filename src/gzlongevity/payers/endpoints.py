"""HTTP routes of the payers' accounts, under ``/api/payers``."""

from __future__ import annotations

from fastapi import APIRouter

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzlongevity.kit.auth import ActorDep
from gzlongevity.payers import service
from gzlongevity.payers.schemas import PayerAccountIn, PayerOut

router = APIRouter(prefix="/payers", tags=["payers"])


@router.get("", summary="The payers and their accounts")
def list_payers(actor: ActorDep, session: SessionDep) -> list[PayerOut]:
    """Each district and the military channel with its account (masked), or ``configured``
    false. Every payer for the city, finance and audit; its own for a district or the military
    channel."""
    return service.list_payers(session, actor)


@router.put("/{code}", summary="Set a payer's account")
def set_account(
    code: str, body: PayerAccountIn, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> PayerOut:
    """The account the payer's bank files pay from (audit-logged). City only."""
    return service.set_account(session, actor, clock.now(), code, body)
