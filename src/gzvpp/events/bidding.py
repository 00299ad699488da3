"""Bids (申报, 第八条 (一)): every front end records a bid here, after the same checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from gzvpp.core.invitation import (
    InvitationError,
)
from gzvpp.core.model import Mode
from gzvpp.events import schemas
from gzvpp.events.common import (
    SCOPED_ROLES,
    check_bid_against,
    found,
    window_of,
)
from gzvpp.events.repository import EventRepository
from gzvpp.kit.audit import record, snapshot
from gzvpp.kit.auth import Actor
from gzvpp.kit.errors import Conflict, Invalid, NotFound
from gzvpp.models import (
    Bid,
    EventStatus,
    ParticipantStatus,
    Role,
)
from gzvpp.settlement.standing import month_counts


def submit_bid(
    session: Session,
    actor: Actor,
    now: dt.datetime,
    event_id: str,
    *,
    kw: Decimal,
    price: Decimal | None = None,
    participant_id: str | None = None,
    source: str = "api",
) -> tuple[schemas.BidView, bool]:
    """Record a bid (申报), replacing the participant's earlier one; True if it is new.

    Every front end (the HTTP API, OpenADR) calls this, naming itself in ``source``, so
    every bid passes the same checks. A participant's token bids for itself; the grid
    operator bids on a participant's behalf and names it.

    Raises
    ------
    NotFound
        No such event or participant (or another participant's, for a scoped token).
    Conflict
        A real-time event, bidding closed or cancelled, the participant not active or not
        in the event's scope.
    Invalid
        A refusal of :func:`gzvpp.core.invitation.check_bid`: late, kW above the registered
        capability, price missing, given or over the cap, suspended, at the daily limit.
    """
    bidder = _bidder(actor, participant_id)
    repository = EventRepository(session)
    event = found(repository, event_id, for_update=True)
    if event.mode is Mode.REALTIME:
        raise Conflict(f"event {event.id} is a real-time call; it takes no bids")
    if event.status is not EventStatus.PUBLISHED:
        raise Conflict(f"event {event.id} is {event.status.value}; bidding is closed")
    participant = repository.participants([bidder]).get(bidder)
    if participant is None:
        raise NotFound(f"participant {bidder} not found")
    if participant.status is not ParticipantStatus.ACTIVE:
        raise Conflict(
            f"participant {bidder} is {participant.status.value}; only an active "
            "participant may bid"
        )
    if not repository.candidates(event, [bidder]):
        raise Conflict(f"participant {bidder} is not in the scope of event {event.id}")
    window = window_of(event.start_at, event.end_at)
    taken = repository.awarded_windows(
        window.day, realtime=False, exclude_event_id=event.id, participant_id=bidder
    )
    suspended = month_counts(session, [bidder], now)[1][0]
    try:
        check_bid_against(event, window, participant, kw, price, now, suspended, taken)
    except InvitationError as err:
        raise Invalid(str(err), ("body",)) from err
    bid = repository.bid_of(event.id, bidder)
    before = snapshot(bid) if bid else None
    if bid is None:
        bid = Bid(event_id=event.id, participant_id=bidder)
        session.add(bid)
    bid.kw, bid.price, bid.received_at, bid.source = kw, price, now, source
    session.flush()
    action = "bid.submit" if before is None else "bid.replace"
    record(session, actor.label, action, "bid", str(bid.id), before, snapshot(bid), at=now)
    return schemas.BidView.model_validate(bid), before is None


def _bidder(actor: Actor, participant_id: str | None) -> str:
    """Whom a bid is for: a scoped token's own participant, or the one the operator names."""
    actor.require(Role.GRID_OPERATOR, *SCOPED_ROLES)
    if actor.role.participant_scoped:
        if participant_id is not None:
            actor.require_participant(participant_id)
        assert actor.participant_id is not None  # a scoped role always has one
        return actor.participant_id
    if participant_id is None:
        raise Invalid(
            "代为申报须指明参与者 / the grid operator bids on a participant's behalf; name the "
            "participant",
            ("body", "participant_id"),
        )
    return participant_id
