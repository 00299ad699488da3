"""HTTP routes of the events domain: ``/api/events``, ``/api/bids``, ``/api/awards``,
``/api/notifications`` and the scheduler's ``/api/admin/tick``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationParams, PaginationQuery
from gzkit.sorting import Sorting, sorting_dependency
from gzvpp.core.model import Direction, Mode
from gzvpp.events import schemas
from gzvpp.events.scheduler import tick
from gzvpp.events.schemas import PositiveKw, Price
from gzvpp.events.service import event_service as service
from gzvpp.kit.auth import Actor, ActorDep
from gzvpp.models import EventStatus, NotificationKind

router = APIRouter(prefix="/events", tags=["events"])
records_router = APIRouter(tags=["events"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])

ListSorting = Annotated[
    Sorting[schemas.SortProperty],
    Depends(sorting_dependency(schemas.SortProperty, ["-start_at"])),
]
ParticipantFilter = Annotated[str | None, Query(max_length=36)]


def _bids_page(
    actor: Actor,
    session: Session,
    pagination: PaginationParams,
    event_id: str | None,
    participant_id: str | None,
) -> ListResource[schemas.BidView]:
    """One page of bids, of one event or of all (``/events/{id}/bids`` and ``/bids``)."""
    rows, total = service.list_bids(
        session, actor, pagination, event_id=event_id, participant_id=participant_id
    )
    items = [schemas.BidView.model_validate(b) for b in rows]
    return ListResource[schemas.BidView].build(items, total, pagination)


def _awards_page(
    actor: Actor,
    session: Session,
    pagination: PaginationParams,
    event_id: str | None,
    participant_id: str | None,
) -> ListResource[schemas.AwardView]:
    """One page of awards, of one event or of all (``/events/{id}/awards`` and ``/awards``)."""
    rows, total = service.list_awards(
        session, actor, pagination, event_id=event_id, participant_id=participant_id
    )
    items = [schemas.AwardView.model_validate(a) for a in rows]
    return ListResource[schemas.AwardView].build(items, total, pagination)


@router.post("", status_code=201, summary="Create an event")
def create(
    request: schemas.EventCreate, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.EventDetail:
    """Create an event (grid operator). An invitation is published at once to every in-scope
    active participant that is not suspended or at its daily limit; a real-time event selects
    its participants up to the capacity and dispatches them at once."""
    return service.create(session, actor, clock.now(), request)


@router.get("", summary="List events")
def search(
    actor: ActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    sorting: ListSorting,
    status: Annotated[list[EventStatus] | None, Query()] = None,
    mode: Mode | None = None,
    direction: Direction | None = None,
    day_from: Annotated[dt.date | None, Query(description="Windows starting on or after.")] = None,
    day_to: Annotated[dt.date | None, Query(description="Windows starting on or before.")] = None,
) -> ListResource[schemas.EventSummary]:
    """Events matching every filter given."""
    rows, total = service.search(
        session,
        actor,
        pagination=pagination,
        sorting=sorting,
        statuses=status or (),
        mode=mode,
        direction=direction,
        day_from=day_from,
        day_to=day_to,
    )
    items = [schemas.EventSummary.model_validate(e) for e in rows]
    return ListResource[schemas.EventSummary].build(items, total, pagination)


@router.get("/trigger-check", summary="Check the peak-shaving trigger")
def trigger_check(
    actor: ActorDep,
    session: SessionDep,
    day: dt.date,
    forecast_max_mw: Annotated[Decimal, Query(gt=0, max_digits=12, decimal_places=3)],
) -> schemas.TriggerCheck:
    """第七条 (一) 1 for ``day``: the forecast maximum against 95 % of the previous calendar
    year's maximum system load (grid operator, regulator)."""
    return service.trigger_check(session, actor, day, forecast_max_mw)


@router.get("/{event_id}", summary="Get an event")
def get(event_id: str, actor: ActorDep, session: SessionDep) -> schemas.EventDetail:
    """One event with its timeline and outcome."""
    return service.get(session, actor, event_id)


@router.post("/{event_id}/bids", summary="Bid for an invitation")
def bid(
    event_id: str,
    request: schemas.BidCreate,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
) -> schemas.BidView:
    """A participant bids for itself, or the grid operator for a participant it names. 201 for
    a first bid; 200 when it replaces the participant's earlier bid."""
    view, created = service.submit_bid(
        session,
        actor,
        clock.now(),
        event_id,
        kw=request.kw,
        price=request.price,
        participant_id=request.participant_id,
    )
    response.status_code = 201 if created else 200
    return view


@router.delete("/{event_id}/bids/{bid_id}", status_code=204, summary="Withdraw a bid")
def withdraw_bid(
    event_id: str, bid_id: int, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> None:
    """The participant withdraws its bid (or the grid operator on its behalf) before bidding
    closes; 409 after the close."""
    service.withdraw_bid(session, actor, clock.now(), event_id, bid_id)


@router.get("/{event_id}/subsidy-preview", summary="What a bid would earn")
def subsidy_preview(
    event_id: str,
    actor: ActorDep,
    session: SessionDep,
    kw: Annotated[PositiveKw, Query(description="The bid's kW.")],
    price: Annotated[Price | None, Query(description="The bid's price (bidding mode).")] = None,
) -> schemas.SubsidyPreview:
    """The subsidy of a bid awarded in full and met exactly, and the most it can earn (120 %
    of the award), by the settlement's rule (R7, 表 2); the evaluation decides the real one."""
    return service.preview_subsidy(session, actor, event_id, kw, price)


@router.get("/{event_id}/bids", summary="An event's bids")
def event_bids(
    event_id: str,
    actor: ActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    participant_id: ParticipantFilter = None,
) -> ListResource[schemas.BidView]:
    """Every bid, live (grid operator, regulator); a participant's own only for its token."""
    return _bids_page(actor, session, pagination, event_id, participant_id)


@router.get("/{event_id}/ranking", summary="An event's ranking")
def ranking(
    event_id: str, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.Ranking:
    """Every bid with its place, acceptance and reason, and the totals against 100 % and 150 %
    of demand (grid operator, regulator); provisional while bids are open."""
    return service.ranking(session, actor, clock.now(), event_id)


@router.get("/{event_id}/awards", summary="An event's plan")
def event_awards(
    event_id: str,
    actor: ActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    participant_id: ParticipantFilter = None,
) -> ListResource[schemas.AwardView]:
    """The awards with their baselines; a participant's own only for its token."""
    return _awards_page(actor, session, pagination, event_id, participant_id)


@router.post("/{event_id}/cancel", summary="Cancel an event")
def cancel(
    event_id: str,
    cancellation: schemas.Cancellation,
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
) -> schemas.EventDetail:
    """Call the event off (grid operator), at least 4 h before its window starts (第八条 (一) 4);
    everyone invited, bidding or awarded is told."""
    return service.cancel(session, actor, clock.now(), event_id, cancellation.reason)


@records_router.get("/bids", summary="List bids")
def bids(
    actor: ActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    event_id: Annotated[str | None, Query(max_length=40)] = None,
    participant_id: ParticipantFilter = None,
) -> ListResource[schemas.BidView]:
    """Bids across events; a participant's token sees its own."""
    return _bids_page(actor, session, pagination, event_id, participant_id)


@records_router.get("/awards", summary="List awards")
def awards(
    actor: ActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    event_id: Annotated[str | None, Query(max_length=40)] = None,
    participant_id: ParticipantFilter = None,
) -> ListResource[schemas.AwardView]:
    """Awards across events; a participant's token sees its own."""
    return _awards_page(actor, session, pagination, event_id, participant_id)


@records_router.get("/notifications", summary="List notifications")
def notifications(
    actor: ActorDep,
    session: SessionDep,
    pagination: PaginationQuery,
    participant_id: ParticipantFilter = None,
    event_id: Annotated[str | None, Query(max_length=40)] = None,
    kind: NotificationKind | None = None,
    unread: bool | None = None,
) -> ListResource[schemas.NotificationView]:
    """Invitations, plans, dispatches and cancellations, newest first; a participant's token
    sees its own."""
    rows, total = service.list_notifications(
        session,
        actor,
        pagination,
        participant_id=participant_id,
        event_id=event_id,
        kind=kind,
        unread=unread,
    )
    items = [schemas.NotificationView.model_validate(n) for n in rows]
    return ListResource[schemas.NotificationView].build(items, total, pagination)


@records_router.post("/notifications/{notification_id}/read", summary="Mark a notification read")
def read(
    notification_id: int, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.NotificationView:
    """The participant acknowledges its notification (its own token only)."""
    return service.mark_read(session, actor, clock.now(), notification_id)


@admin_router.post("/tick", summary="Run the scheduler now")
def run_tick(
    request: Request, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.TickResult:
    """Close bidding, rank and notify every invitation that is due (grid operator); the demo and
    tests call it after moving a simulated clock."""
    now = clock.now()
    # The scheduler works in transactions of its own: end the request's (it only read the
    # token) so that on SQLite it does not hold the write lock they wait for.
    session.commit()
    return schemas.TickResult(at=now, actions=tick(actor, request.app.state.sessionmaker, now))
