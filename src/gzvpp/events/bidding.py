"""Bids (申报, 第八条 (一)): every front end records a bid here, after the same checks; a bid
withdrawn before the close; what a bid would earn."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.db import MAX_ROW_ID
from gzkit.errors import Conflict, Invalid, NotFound
from gzvpp.core.evaluation import CAP_RATIO
from gzvpp.core.invitation import (
    InvitationError,
)
from gzvpp.core.model import Mode
from gzvpp.core.rounding import quantize_half_up
from gzvpp.core.subsidy import (
    RESPONSE_COEFFICIENT,
    PriceError,
    expected_subsidy_cny,
    subsidy_price,
)
from gzvpp.events import schemas
from gzvpp.events.common import (
    SCOPED_ROLES,
    check_bid_against,
    found,
    window_of,
)
from gzvpp.events.repository import EventRepository
from gzvpp.kit.audit import record
from gzvpp.kit.auth import Actor
from gzvpp.models import (
    Bid,
    EventStatus,
    ParticipantStatus,
    PriceMode,
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


def withdraw_bid(
    session: Session, actor: Actor, now: dt.datetime, event_id: str, bid_id: int
) -> None:
    """Withdraw a bid before bidding closes (the participant itself, or the grid operator on
    its behalf); audited as ``bid.withdraw``. The participant may bid again until the close.

    Raises
    ------
    NotFound
        No such event, or no such bid of it (or another participant's, for a scoped token).
    Conflict
        Bidding has closed (the deadline passed, or the event was ranked or cancelled).
    """
    actor.require(Role.GRID_OPERATOR, *SCOPED_ROLES)
    repository = EventRepository(session)
    event = found(repository, event_id, for_update=True)
    bid = session.get(Bid, bid_id) if 0 < bid_id <= MAX_ROW_ID else None
    if bid is None or bid.event_id != event.id:
        raise NotFound(f"bid {bid_id} of event {event_id} not found")
    actor.require_participant(bid.participant_id, "bid")
    closed = event.bids_close_at is None or now >= event.bids_close_at
    if event.status is not EventStatus.PUBLISHED or closed:
        raise Conflict(
            f"申报已截止，不能撤回 / bidding for event {event.id} has closed "
            f"({event.status.value}); the bid can no longer be withdrawn"
        )
    before = snapshot(bid)
    session.delete(bid)
    session.flush()
    record(session, actor.label, "bid.withdraw", "bid", str(bid_id), before, None, at=now)


def preview_subsidy(
    session: Session, actor: Actor, event_id: str, kw: Decimal, price: Decimal | None
) -> schemas.SubsidyPreview:
    """What a bid of ``kw`` (at ``price`` in bidding mode) would earn if awarded in full and met
    exactly, and at most (120 % of the award), by the settlement's own rule (R7).

    Raises
    ------
    NotFound
        No such event.
    Conflict
        A real-time event (it takes no bids).
    Invalid
        In bidding mode, no price or one above the cap; in fixed-price mode, a price given.
    """
    actor.require(Role.GRID_OPERATOR, *SCOPED_ROLES)
    event = found(EventRepository(session), event_id)
    if event.mode is Mode.REALTIME:
        raise Conflict(f"event {event.id} is a real-time call; it takes no bids")
    bidding = event.price_mode is PriceMode.BIDDING
    if not bidding and price is not None:
        raise Invalid("定价模式不申报价格 / a fixed-price event takes no bid price", ("price",))
    try:
        paid = subsidy_price(price if bidding else None, event.fixed_price, event.direction)
    except PriceError as err:
        raise Invalid(str(err), ("price",)) from err
    hours = Decimal((event.end_at - event.start_at).total_seconds()) / 3600
    mode = event.mode
    capped = quantize_half_up(kw * Decimal(str(CAP_RATIO)), Decimal("0.001"))  # as R7 caps it
    return schemas.SubsidyPreview(
        kw=kw,
        hours=hours,
        price=paid,
        coefficient=RESPONSE_COEFFICIENT[mode],
        expected_subsidy_cny=expected_subsidy_cny(kw, hours, paid, mode),
        max_subsidy_cny=expected_subsidy_cny(capped, hours, paid, mode),
    )


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
