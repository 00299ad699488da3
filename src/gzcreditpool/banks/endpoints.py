"""``/api/banks``: the call for partner banks and their status (thin: see ``service``)."""

from __future__ import annotations

from fastapi import APIRouter

from gzcreditpool.banks import service
from gzcreditpool.banks.schemas import (
    ApplicationIn,
    BankOut,
    CallIn,
    CallOut,
    DecisionIn,
    PublicityIn,
    RevocationIn,
    ScoresIn,
)
from gzcreditpool.kit.auth import ActorDep
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery

router = APIRouter(prefix="/banks", tags=["合作银行 banks"])


@router.get("/calls")
def list_calls(
    session: SessionDep, _actor: ActorDep, pagination: PaginationQuery
) -> ListResource[CallOut]:
    """The calls for partner banks (申报指南), latest first."""
    items, total = service.calls(session, pagination)
    return ListResource[CallOut].build(items, total, pagination)


@router.post("/calls", status_code=201)
def publish_call(body: CallIn, session: SessionDep, actor: ActorDep, clock: ClockDep) -> CallOut:
    """市科技局 publishes a call and its application period."""
    call = service.publish_call(session, actor, body, clock.now())
    return CallOut.model_validate(call, from_attributes=True)


@router.get("")
def list_banks(
    session: SessionDep, _actor: ActorDep, pagination: PaginationQuery
) -> ListResource[BankOut]:
    """Every applicant and partner bank with its status history, by code."""
    items, total = service.listing(session, pagination)
    return ListResource[BankOut].build(items, total, pagination)


@router.post("", status_code=201)
def apply(body: ApplicationIn, session: SessionDep, actor: ActorDep, clock: ClockDep) -> BankOut:
    """Record an application with 第二十条's three conditions and their evidence."""
    return service.out(session, service.apply(session, actor, body, clock.now()))


@router.get("/{code}")
def get_bank(code: str, session: SessionDep, _actor: ActorDep) -> BankOut:
    return service.out(session, service.get(session, code))


@router.post("/{code}/review")
def review(
    code: str, body: ScoresIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> BankOut:
    """The trustee enters the expert committee's scores."""
    return service.out(session, service.review(session, actor, code, body.scores, clock.now()))


@router.post("/{code}/publicity")
def publicise(
    code: str, body: PublicityIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> BankOut:
    """市科技局 publishes the proposed bank until a date."""
    return service.out(session, service.publicise(session, actor, code, body.until, clock.now()))


@router.post("/{code}/decision")
def decide(
    code: str, body: DecisionIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> BankOut:
    """市科技局 selects the bank after publicity, or not."""
    return service.out(session, service.decide(session, actor, code, body.selected, clock.now()))


@router.post("/{code}/revocation")
def revoke(
    code: str, body: RevocationIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> BankOut:
    """第二十五条: the bank loses its status."""
    return service.out(session, service.revoke(session, actor, code, body.reason, clock.now()))
