"""HTTP routes of people, under ``/api/persons``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery
from gzlongevity.kit.auth import ActorDep
from gzlongevity.models import RegisterStatus
from gzlongevity.persons import service
from gzlongevity.persons.schemas import PersonOut

router = APIRouter(prefix="/persons", tags=["persons"])


@router.get("", summary="List people")
def search(
    actor: ActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    q: Annotated[
        str | None, Query(max_length=100, description="An exact ID number or a name.")
    ] = None,
    status: RegisterStatus | None = None,
) -> ListResource[PersonOut]:
    """People in the actor's jurisdiction, masked."""
    items, total = service.search(session, actor, pagination, q, status)
    return ListResource[PersonOut].build(items, total, pagination)


@router.get("/{id_number}", summary="One person (masked)")
def view(id_number: str, actor: ActorDep, session: SessionDep) -> PersonOut:
    """ID number, phone and bank account masked."""
    return service.view(session, actor, id_number)


@router.post("/{id_number}/full-view", summary="One person in full (logged)")
def view_full(id_number: str, actor: ActorDep, session: SessionDep, clock: ClockDep) -> PersonOut:
    """The full record, for the street acting on the case; the view is written to the audit
    log (a POST: it changes the log)."""
    return service.view_full(session, actor, clock.now(), id_number)


@router.put("/{id_number}/military", summary="Mark a retired military cadre")
def set_military(
    id_number: str, military: bool, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> PersonOut:
    """``military=true``: paid through the military channel (第二十五条). City or military."""
    return service.set_military(session, actor, clock.now(), id_number, military)
