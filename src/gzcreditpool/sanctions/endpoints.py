"""Duplicate funding and sanctions (thin: see ``service``)."""

from __future__ import annotations

from fastapi import APIRouter

from gzcreditpool.kit.auth import ActorDep
from gzcreditpool.sanctions import service
from gzcreditpool.sanctions.schemas import FlagOut, SanctionIn, SanctionOut
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery, page_of

router = APIRouter(tags=["处理 sanctions"])


@router.get("/sanctions/flags")
def flags(
    session: SessionDep, actor: ActorDep, pagination: PaginationQuery
) -> ListResource[FlagOut]:
    """Suspected duplicate funding."""
    items, total = page_of(service.flags(session, actor), pagination)
    return ListResource[FlagOut].build(list(items), total, pagination)


@router.get("/sanctions")
def list_sanctions(
    session: SessionDep, actor: ActorDep, pagination: PaginationQuery
) -> ListResource[SanctionOut]:
    """市科技局's findings, in order of decision; a bank sees its own."""
    items, total = service.listing(session, actor, pagination)
    return ListResource[SanctionOut].build(items, total, pagination)


@router.post("/sanctions", status_code=201)
def sanction(
    body: SanctionIn, session: SessionDep, actor: ActorDep, clock: ClockDep
) -> SanctionOut:
    """市科技局's finding on a loan; all its compensation is to be recovered."""
    return service.out(service.sanction(session, actor, body, clock.now()))
