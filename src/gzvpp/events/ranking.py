"""Closing, ranking and the plan (第八条 C, 第九条): the scheduler's work when bidding closes,
and the ranking as the grid operator and regulator read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from gzkit.audit import json_value, snapshot
from gzkit.db import update_rows
from gzvpp.core.invitation import (
    InvitationError,
)
from gzvpp.core.model import Mode
from gzvpp.core.model import Participant as CoreParticipant
from gzvpp.core.ranking import (
    RESERVE_FACTOR,
    RankingResult,
    rank_bids,
)
from gzvpp.core.ranking import Bid as CoreBid
from gzvpp.core.rounding import quantize_half_up
from gzvpp.events import schemas
from gzvpp.events.baselines import NO_BASELINE, current_baselines
from gzvpp.events.common import (
    ENTITY,
    RANK_SCORE_STEP,
    REASON_LENGTH,
    SCHEDULER,
    check_bid_against,
    found,
    store_awards,
    table_of,
    window_of,
)
from gzvpp.events.notify import send_plan
from gzvpp.events.repository import Bidder, BidRow, EventRepository, PlanTerms
from gzvpp.kit import metrics
from gzvpp.kit.audit import record
from gzvpp.kit.auth import Actor
from gzvpp.models import (
    Bid,
    Event,
    EventStatus,
    ParticipantStatus,
    PriceMode,
    Role,
)
from gzvpp.settlement.standing import month_counts, rank_scores

KW_STEP = Decimal("0.001")


@dataclass(frozen=True)
class _Decision:
    """The ranking of an invitation's bids as it stands: valid bids ranked, the rest excluded."""

    result: RankingResult
    excluded: dict[int, str]  # bid id → why it cannot be accepted now
    bids: dict[int, BidRow]
    participants: dict[str, Bidder]


def close_bidding(session: Session, now: dt.datetime, event_id: str) -> list[str]:
    """Rank an invitation whose bids have closed and send its plan; what was done.

    Idempotent: an event already notified, cancelled or still open is left alone.
    """
    repository = EventRepository(session)
    event = found(repository, event_id, for_update=True)
    done: list[str] = []
    if event.mode is Mode.REALTIME:
        return done
    close = event.bids_close_at
    terms: list[PlanTerms] | None = None  # read back from the awards if ranked before
    if event.status is EventStatus.PUBLISHED and close is not None and close <= now:
        ranked, terms = _rank(session, repository, event, now)
        done.append(ranked)
        metrics.SCHEDULER_LAG_SECONDS.observe((now - close).total_seconds())
    if event.status is EventStatus.RANKED:
        done.append(send_plan(session, repository, event, now, terms))
    return done


def read_ranking(
    session: Session, actor: Actor, now: dt.datetime, event_id: str
) -> schemas.Ranking:
    """Every bid with its place, acceptance and reason, against 100 % and 150 % of demand.

    While bids are open the ranking is provisional: the order if bidding closed now. A
    real-time event lists its assignments. Grid operator and regulator only: it shows
    every participant's bid.
    """
    actor.require(Role.GRID_OPERATOR, Role.REGULATOR)
    repository = EventRepository(session)
    event = found(repository, event_id)
    if event.mode is Mode.REALTIME:
        awards = repository.awards(event.id)
        names = _names(repository, (a.participant_id for a in awards))
        entries = [
            schemas.RankingEntry(
                place=a.place,
                bid_id=None,
                participant_id=a.participant_id,
                participant_name=names[a.participant_id],
                kw=a.kw,
                price=None,
                received_at=None,
                rank_score=None,
                accepted=True,
                reason=a.reason,
            )
            for a in awards
        ]
        offered = sum((a.kw for a in awards), Decimal(0))
        return _ranking_view(event, False, entries, offered)
    if event.status is EventStatus.PUBLISHED:
        decision = _decide(session, repository, event, now)
        return _provisional_view(event, decision)
    bids = sorted(repository.bids(event.id), key=lambda b: (b.place is None, b.place, b.id))
    names = _names(repository, (b.participant_id for b in bids))
    entries = [
        schemas.RankingEntry(
            place=b.place,
            bid_id=b.id,
            participant_id=b.participant_id,
            participant_name=names[b.participant_id],
            kw=b.kw,
            price=b.price,
            received_at=b.received_at,
            rank_score=b.rank_score,
            accepted=bool(b.accepted),
            reason=b.rank_reason or "未排序：事件在申报截止前取消 / not ranked: cancelled",
        )
        for b in bids
    ]
    return _ranking_view(event, False, entries, sum((b.kw for b in bids), Decimal(0)))


def _decide(
    session: Session, repository: EventRepository, event: Event, now: dt.datetime
) -> _Decision:
    """Rank the bids that still pass every check (第八条 C); a bid from a participant that
    has since become inactive, suspended or reached its daily limit (another event's plan
    may have come first) is excluded with the reason."""
    bids = {b.id: b for b in repository.bid_rows(event.id)}
    people = {p.id: p for p in repository.bidders({b.participant_id for b in bids.values()})}
    ids = sorted(people)
    scores = rank_scores(session, ids, event.start_at)
    suspended = dict(zip(ids, month_counts(session, ids, now)[1], strict=True))
    window = window_of(event.start_at, event.end_at)
    taken = repository.awarded_windows(window.day, realtime=False, exclude_event_id=event.id)
    valid: list[CoreBid] = []
    excluded: dict[int, str] = {}
    for bid in bids.values():
        p = people[bid.participant_id]
        try:
            if p.status is not ParticipantStatus.ACTIVE:
                raise InvitationError(f"participant {p.id} is {p.status.value}")
            check_bid_against(
                event,
                window,
                p,
                bid.kw,
                bid.price,
                bid.received_at,
                suspended[p.id],
                taken,
            )
        except InvitationError as err:
            excluded[bid.id] = str(err)
            continue
        valid.append(
            CoreBid(
                bid_id=_bid_key(bid.id),
                participant_id=p.id,
                kw=bid.kw,
                price=bid.price,
                realtime_capable=p.realtime_capable,
                rank_score=scores[p.id],
                received_at=bid.received_at,
            )
        )
    result = rank_bids(valid, event.demand_kw, event.price_mode is PriceMode.BIDDING)
    return _Decision(result, excluded, bids, people)


def _rank(
    session: Session, repository: EventRepository, event: Event, now: dt.datetime
) -> tuple[str, list[PlanTerms]]:
    """published → ranked: store the ranking on the bids and an award per accepted bid; what
    was done, and each award's plan terms as stored.

    Written in bulk (one UPDATE of the bids, one INSERT of the awards and one of their audit
    rows), so the statements sent do not grow with the number of bids.
    """
    before = snapshot(event)
    decision = _decide(session, repository, event, now)
    result = decision.result
    standing: dict[int, dict[str, Any]] = {}
    for ranked in result.ranked:
        standing[int(ranked.bid.bid_id)] = {
            "place": ranked.place,
            "accepted": ranked.accepted,
            "rank_score": quantize_half_up(ranked.bid.rank_score, RANK_SCORE_STEP),
            "rank_reason": ranked.reason[:REASON_LENGTH],
        }
    for bid_id, why in decision.excluded.items():
        standing[bid_id] = {
            "place": None,
            "accepted": False,
            "rank_score": None,
            "rank_reason": f"排除 / excluded：{why}"[:REASON_LENGTH],
        }
    if standing:
        # One executemany by the driver, without the ORM's bookkeeping per row (the bids were
        # read as columns, so no object in the session goes stale).
        update_rows(
            session, table_of(Bid), "id", [{**columns, "id": i} for i, columns in standing.items()]
        )
    accepted = [r for r in result.ranked if r.accepted]
    window = window_of(event.start_at, event.end_at)
    baselines = current_baselines(
        session,
        repository,
        event,
        window,
        [
            CoreParticipant(p.id, p.kind, p.accounts)
            for p in (decision.participants[r.bid.participant_id] for r in accepted)
        ],
    )
    bidding = event.price_mode is PriceMode.BIDDING
    awards: list[dict[str, Any]] = []
    for r in accepted:
        baseline = baselines.get(r.bid.participant_id, NO_BASELINE)
        awards.append(
            {
                "event_id": event.id,
                "participant_id": r.bid.participant_id,
                "bid_id": int(r.bid.bid_id),
                "kw": r.bid.kw,
                "price": r.bid.price if bidding else None,
                "place": r.place,
                "reason": r.reason[:REASON_LENGTH],
                "baseline_type": baseline.baseline_type,
                "baseline": baseline.kw,
                "created_at": now,
            }
        )
    event.accepted_kw = result.accepted_kw
    event.shortfall = result.shortfall
    event.shortfall_kw = result.shortfall_kw
    event.status = EventStatus.RANKED
    event.ranked_at = event.updated_at = now
    store_awards(session, repository, SCHEDULER, event.id, awards, now)
    ranking = [
        {
            "bid_id": bid.id,
            "participant_id": bid.participant_id,
            "kw": json_value(bid.kw),
            "price": json_value(bid.price),
            "place": standing[bid.id]["place"],
            "accepted": standing[bid.id]["accepted"],
            "reason": standing[bid.id]["rank_reason"],
        }
        for bid in decision.bids.values()
    ]
    record(
        session,
        SCHEDULER,
        "event.rank",
        ENTITY,
        event.id,
        before,
        {**snapshot(event), "ranking": ranking},
        at=now,
    )
    shortfall = f"; shortfall {result.shortfall_kw} kW (有序用电)" if result.shortfall else ""
    terms = [
        PlanTerms(
            a["participant_id"], a["kw"], a["price"], a["place"], a["baseline_type"], a["baseline"]
        )
        for a in awards  # in ranking order, as the awards are read back
    ]
    return (
        f"{event.id}: ranked {len(result.ranked)} bids ({len(decision.excluded)} excluded), "
        f"accepted {len(accepted)} for {result.accepted_kw} kW of {event.demand_kw} kW "
        f"demand{shortfall}"
    ), terms


def _bid_key(bid_id: int) -> str:
    # Zero-padded so that the ranking's last tie-break (bid id as text) follows arrival order.
    return f"{bid_id:012d}"


def _names(repository: EventRepository, participant_ids: Iterable[str]) -> dict[str, str]:
    return {pid: p.name for pid, p in repository.participants(set(participant_ids)).items()}


def _provisional_view(event: Event, decision: _Decision) -> schemas.Ranking:
    """The ranking while bids are open: the order if bidding closed now."""
    people = decision.participants
    entries = [
        schemas.RankingEntry(
            place=r.place,
            bid_id=int(r.bid.bid_id),
            participant_id=r.bid.participant_id,
            participant_name=people[r.bid.participant_id].name,
            kw=r.bid.kw,
            price=r.bid.price,
            received_at=r.bid.received_at,
            rank_score=quantize_half_up(r.bid.rank_score, RANK_SCORE_STEP),
            accepted=r.accepted,
            reason=r.reason,
        )
        for r in decision.result.ranked
    ]
    for bid_id, why in decision.excluded.items():
        bid = decision.bids[bid_id]
        entries.append(
            schemas.RankingEntry(
                place=None,
                bid_id=bid.id,
                participant_id=bid.participant_id,
                participant_name=people[bid.participant_id].name,
                kw=bid.kw,
                price=bid.price,
                received_at=bid.received_at,
                rank_score=None,
                accepted=False,
                reason=f"排除 / excluded：{why}",
            )
        )
    result = decision.result
    return _ranking_view(
        event,
        True,
        entries,
        sum((b.kw for b in decision.bids.values()), Decimal(0)),
        (result.accepted_kw, result.shortfall, result.shortfall_kw),
    )


def _ranking_view(
    event: Event,
    provisional: bool,
    entries: list[schemas.RankingEntry],
    offered: Decimal,
    outcome: tuple[Decimal, bool, Decimal] | None = None,
) -> schemas.Ranking:
    """The totals against 100 % and 150 % of demand; ``outcome`` (accepted kW, shortfall,
    shortfall kW) of a provisional ranking, else the event's stored one."""
    accepted, shortfall, shortfall_kw = outcome or (
        event.accepted_kw or Decimal(0),
        event.shortfall,
        event.shortfall_kw or Decimal(0),
    )
    reserve = (event.demand_kw * RESERVE_FACTOR).quantize(KW_STEP)
    return schemas.Ranking(
        event_id=event.id,
        status=event.status,
        provisional=provisional,
        bidding=event.price_mode is PriceMode.BIDDING,
        demand_kw=event.demand_kw,
        reserve_kw=reserve,
        offered_kw=offered,
        accepted_kw=accepted,
        covers_demand=accepted >= event.demand_kw,
        covers_reserve=accepted >= reserve,
        shortfall=shortfall,
        shortfall_kw=shortfall_kw,
        entries=entries,
    )
