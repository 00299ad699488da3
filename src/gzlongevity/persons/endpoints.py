"""HTTP routes of people, under ``/api/persons``: a person is named by ``ref`` (no personal
data), an ID number only ever travels in a request body (第二十一条)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.errors import Invalid
from gzkit.pagination import ListResource, PaginationQuery
from gzlongevity.kit.auth import ActorDep
from gzlongevity.models import RegisterStatus
from gzlongevity.persons import service
from gzlongevity.persons.schemas import FindIn, PersonOut

router = APIRouter(prefix="/persons", tags=["persons"])
OLD_SEARCH = (
    "不支持查询参数 q：按身份证号查找请用 POST /api/persons/find（身份证号放在请求体中），"
    "按姓名请用 name / use POST /api/persons/find"
)


@router.get("", summary="List people")
def search(
    actor: ActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    name: Annotated[
        str | None,
        Query(max_length=100, description="An exact name (an ID number: POST /persons/find)."),
    ] = None,
    status: RegisterStatus | None = None,
    q: Annotated[str | None, Query(include_in_schema=False)] = None,
) -> ListResource[PersonOut]:
    """People in the actor's jurisdiction, masked. An old client's ``q`` (often an ID number,
    which must not travel in a URL, 第二十一条) is refused, not ignored."""
    if q is not None:
        raise Invalid(OLD_SEARCH, ("query", "q"))
    items, total = service.search(session, actor, pagination, name, status)
    return ListResource[PersonOut].build(items, total, pagination)


@router.post("/find", summary="One person by ID number (masked)")
def find(body: FindIn, actor: ActorDep, session: SessionDep) -> PersonOut:
    """The ID number in the body, never in the URL; the answer's ``ref`` names the person in
    every other route."""
    return service.find(session, actor, body.id_number)


@router.get("/{ref}", summary="One person (masked)")
def view(ref: str, actor: ActorDep, session: SessionDep) -> PersonOut:
    """ID number, phone and bank account masked."""
    return service.view(session, actor, ref)


@router.post("/{ref}/full-view", summary="One person in full (logged)")
def view_full(ref: str, actor: ActorDep, session: SessionDep, clock: ClockDep) -> PersonOut:
    """The full record, for the street acting on the case; the view is written to the audit
    log (a POST: it changes the log)."""
    return service.view_full(session, actor, clock.now(), ref)


@router.put("/{ref}/military", summary="Mark a retired military cadre")
def set_military(
    ref: str, military: bool, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> PersonOut:
    """``military=true``: paid through the military channel (第二十五条). City or military."""
    return service.set_military(session, actor, clock.now(), ref, military)
