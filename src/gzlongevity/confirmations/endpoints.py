"""HTTP routes of confirmations: the elder's own (no token: the notice's code proves it) and the
staff's on their behalf."""

from __future__ import annotations

from fastapi import APIRouter

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzlongevity.confirmations import service
from gzlongevity.confirmations.schemas import (
    BatchIn,
    BatchOut,
    ConfirmationOut,
    SelfConfirmIn,
    StaffConfirmIn,
)
from gzlongevity.kit.auth import ActorDep

router = APIRouter(tags=["confirmations"])
BATCH_MAX_BYTES = 32 << 20  # 100,000 items of about 200 bytes, with room


@router.post("/confirmations/self", summary="The elder confirms")
def confirm_self(body: SelfConfirmIn, session: SessionDep, clock: ClockDep) -> ConfirmationOut:
    """With the one-time code of the street's notice, the name and the ID number: personal
    data, bank account and (optionally) the deduction agreement."""
    return service.confirm_self(session, clock.now(), body)


@router.post("/persons/{ref}/confirmation", summary="Confirm on the elder's behalf")
def confirm_for(
    ref: str, body: StaffConfirmIn, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> ConfirmationOut:
    """Committee or street, with the evidence (e.g. the signed form)."""
    return service.confirm_for(session, actor, clock.now(), ref, body)


@router.post("/persons/{ref}/agreement", summary="Sign the deduction agreement")
def sign_agreement(
    ref: str, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> ConfirmationOut:
    """The 发放扣款协议 signed after the confirmation. Street only."""
    return service.sign_agreement(session, actor, clock.now(), ref)


@router.post("/confirmations/batch", summary="Confirmations from 穗好办 (bulk)")
def confirm_batch(body: BatchIn, actor: ActorDep, session: SessionDep, clock: ClockDep) -> BatchOut:
    """Confirmations made on a government self-service platform, which authenticated each
    person; already confirmed people are ignored, people not registered or dead refused.
    Exchange platform or city."""
    return service.confirm_batch(session, actor, clock.now(), body.items)
