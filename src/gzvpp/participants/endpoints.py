"""HTTP routes of the participants domain, under ``/api/participants``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery
from gzkit.sorting import Sorting, sorting_dependency
from gzvpp.core.eligibility import UserCategory
from gzvpp.core.model import ParticipantKind
from gzvpp.kit.auth import ActorDep
from gzvpp.models import ParticipantStatus
from gzvpp.participants import schemas
from gzvpp.participants.service import participant_service as service

router = APIRouter(prefix="/participants", tags=["participants"])

ListSorting = Annotated[
    Sorting[schemas.SortProperty],
    Depends(sorting_dependency(schemas.SortProperty, ["-submitted_at"])),
]
PublicitySorting = Annotated[
    Sorting[schemas.SortProperty],
    Depends(sorting_dependency(schemas.SortProperty, ["-publicity_started_at"])),
]


@router.post("", status_code=201, summary="Enrol a participant")
def enrol(
    application: schemas.ParticipantCreate,
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
) -> schemas.ParticipantDetail:
    """Record a power user's or an aggregator's application (grid operator).

    It is stored as ``submitted`` even when a condition of 第四条 fails; the eligibility list
    says which, and such an application cannot pass review.
    """
    return service.enrol(session, actor, clock.now(), application)


@router.get("", summary="List participants")
def search(
    actor: ActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    sorting: ListSorting,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of the name, or an exact id/account.")
    ] = None,
    kind: ParticipantKind | None = None,
    status: Annotated[list[ParticipantStatus] | None, Query()] = None,
    category: UserCategory | None = None,
    substation: Annotated[str | None, Query(max_length=64)] = None,
    realtime: Annotated[
        bool | None, Query(description="Real-time capable with minute-level monitoring.")
    ] = None,
) -> ListResource[schemas.ParticipantSummary]:
    """Participants matching every filter given; a participant's own token sees only itself."""
    rows, total = service.search(
        session,
        actor,
        pagination=pagination,
        sorting=sorting,
        query=q,
        kind=kind,
        statuses=status or (),
        category=category,
        substation=substation,
        realtime=realtime,
    )
    items = [schemas.ParticipantSummary.model_validate(p) for p in rows]
    return ListResource[schemas.ParticipantSummary].build(items, total, pagination)


@router.get("/publicity", summary="The publicity (公示) list")
def publicity(
    actor: ActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    sorting: PublicitySorting,
) -> ListResource[schemas.PublicityEntry]:
    """Participants in publicity or active (regulator, grid operator)."""
    rows, total = service.publicity_list(session, actor, pagination=pagination, sorting=sorting)
    items = [schemas.PublicityEntry.model_validate(p) for p in rows]
    return ListResource[schemas.PublicityEntry].build(items, total, pagination)


@router.get("/{participant_id}", summary="Get a participant")
def get(participant_id: str, actor: ActorDep, session: SessionDep) -> schemas.ParticipantDetail:
    """One participant, its accounts, and its eligibility checked now."""
    return service.get(session, actor, participant_id)


@router.post("/{participant_id}/start-review", summary="Start the grid review")
def start_review(
    participant_id: str, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.ParticipantDetail:
    """submitted → grid_review (grid operator)."""
    return service.start_review(session, actor, clock.now(), participant_id)


@router.post("/{participant_id}/pass-review", summary="Pass the grid review")
def pass_review(
    participant_id: str, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.ParticipantDetail:
    """grid_review → publicity (grid operator); 409 naming the failed checks if ineligible."""
    return service.pass_review(session, actor, clock.now(), participant_id)


@router.post("/{participant_id}/clear-publicity", summary="Close the publicity")
def clear_publicity(
    participant_id: str, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.ParticipantDetail:
    """The 公示 ended without objection (regulator); the status stays ``publicity``."""
    return service.clear_publicity(session, actor, clock.now(), participant_id)


@router.post("/{participant_id}/activate", summary="Sign the agreement")
def activate(
    participant_id: str, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.ParticipantDetail:
    """publicity (cleared) → active (grid operator)."""
    return service.activate(session, actor, clock.now(), participant_id)


@router.post("/{participant_id}/reject", summary="Reject the application")
def reject(
    participant_id: str,
    rejection: schemas.Rejection,
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
) -> schemas.ParticipantDetail:
    """→ rejected with a reason: by the grid operator before publicity, by the regulator during
    it. The accounts are released."""
    return service.reject(session, actor, clock.now(), participant_id, rejection.reason)
