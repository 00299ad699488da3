"""``/api/enterprises``: borrowers' registration and eligibility (thin: see ``service``)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gzcreditpool.enterprises import profile, service
from gzcreditpool.enterprises.schemas import (
    DishonestIn,
    EnterpriseBatchIn,
    EnterpriseIn,
    EnterpriseOut,
    EnterpriseProfileOut,
)
from gzcreditpool.kit.auth import ActorDep
from gzcreditpool.kit.params import RowId
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery

router = APIRouter(prefix="/enterprises", tags=["企业 enterprises"])


@router.put("")
def register(
    body: EnterpriseIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> EnterpriseOut:
    """Register or update an enterprise (by its 统一社会信用代码)."""
    now = clock.now()
    return service.out(service.register(session, actor, body, now), now.date())


@router.post("/batch")
def register_many(
    body: EnterpriseBatchIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> dict[str, int]:
    """Register or update many enterprises, all or none (the first bad one is named)."""
    registered = service.register_many(session, actor, body.enterprises, clock.now())
    return {"registered": len(registered)}


@router.get("/dishonest")
def dishonest(
    session: SessionDep, actor: ActorDep, clock: ClockDep, pagination: PaginationQuery
) -> ListResource[EnterpriseOut]:
    """The enterprises flagged 失信 (第三十条), latest first."""
    items, total = service.dishonest(session, actor, clock.now().date(), pagination)
    return ListResource[EnterpriseOut].build(items, total, pagination)


@router.get("/{enterprise_id}/profile")
def enterprise_profile(
    enterprise_id: RowId,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    clock: ClockDep,
    full: bool = False,
) -> EnterpriseProfileOut:
    """The enterprise with its 失信 flag, loans, claims and recoveries (a bank: its own loans
    only); masked unless ``full``, which is logged (never for the auditor)."""
    return profile.profile(
        session, actor, enterprise_id, clock.now(), request.app.state.calendar, full=full
    )


@router.get("/{uscc}")
def get_enterprise(
    uscc: str, session: SessionDep, _actor: ActorDep, clock: ClockDep
) -> EnterpriseOut:
    """The enterprise with its eligibility today (第八条)."""
    return service.out(service.get(session, uscc), clock.now().date())


@router.post("/{uscc}/dishonest")
def flag_dishonest(
    uscc: str, body: DishonestIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> EnterpriseOut:
    """第三十条: flag the enterprise 失信."""
    now = clock.now()
    return service.out(service.flag_dishonest(session, actor, uscc, body.reason, now), now.date())
