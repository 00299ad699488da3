"""Ranking bids and selecting real-time participants (R2, 第八条 (一) 1 ① C and 第八条 (二)).

Bids are ordered by the priorities a > b > c > d of 第八条 (a: lower price, bidding mode only;
b: real-time capable; c: higher rank score; d: earlier bid), then by bid id so the order never
depends on the input order. Whole bids are accepted in that order until the accepted total
reaches 150 % of demand (第五条 (一) 2: 应邀量按照需求量的 150% 进行储备). Times are naive
Guangzhou wall-clock datetimes; an aware datetime is converted first. kW are Decimal.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gzkit.timezone import to_local

#: 第五条 (一) 2: invited responses are reserved at 150 % of demand.
RESERVE_FACTOR = Decimal("1.5")
#: 第八条 C: how many of the latest invited-response scores the rank score averages.
SCORES_AVERAGED = 3
#: 第八条 C: the rank score of a participant with no scored response yet.
FIRST_RANK_SCORE = Decimal(1)


@dataclass(frozen=True)
class Bid:
    """One participant's bid (申报) for one invitation.

    Attributes
    ----------
    bid_id : str
        Unique within the invitation; breaks ties after a–d.
    participant_id : str
        At most one bid per participant per invitation.
    kw : Decimal
        Offered response for the whole window, kW; positive.
    price : Decimal or None
        CNY/kWh; required in bidding mode, ignored otherwise.
    realtime_capable : bool
        Criterion b.
    rank_score : Decimal
        Criterion c, from :func:`rank_score`.
    received_at : datetime
        Criterion d: when the platform received the bid.
    """

    bid_id: str
    participant_id: str
    kw: Decimal
    price: Decimal | None
    realtime_capable: bool
    rank_score: Decimal
    received_at: dt.datetime


@dataclass(frozen=True)
class RankedBid:
    """A bid's place in the ranking.

    Attributes
    ----------
    bid : Bid
    place : int
        1 for the first.
    accepted : bool
    reason : str
        In Chinese: the criterion (a–d, or the bid id) that put it above the next bid.
    """

    bid: Bid
    place: int
    accepted: bool
    reason: str


@dataclass(frozen=True)
class RankingResult:
    """The outcome of :func:`rank_bids`.

    Attributes
    ----------
    ranked : tuple of RankedBid
        All bids in ranking order; the accepted ones come first.
    accepted_kw : Decimal
        Sum of the accepted bids, kW.
    target_kw : Decimal
        1.5 × demand, kW.
    shortfall : bool
        All bids together offer less than demand: every bid is accepted and the operator falls
        back on the orderly-use plan (衔接有序用电方案).
    shortfall_kw : Decimal
        Demand minus the accepted total when ``shortfall``, else 0.
    """

    ranked: tuple[RankedBid, ...]
    accepted_kw: Decimal
    target_kw: Decimal
    shortfall: bool
    shortfall_kw: Decimal


@dataclass(frozen=True)
class RealtimeCandidate:
    """A participant the operator may call for real-time response (第八条 (二)).

    Attributes
    ----------
    participant_id : str
    realtime_kw : Decimal
        Registered real-time capability, kW; assigned whole [reading].
    realtime_capable : bool
        Has minute-level monitoring (第四条 (一) 5).
    rank_score : Decimal
        Criterion c.
    registered_at : datetime
        Criterion d: the earlier first — when its real-time capability was registered, or when
        it answered this call, whichever the operator records.
    suspended : bool
        Invitations suspended for the month (R6).
    at_daily_limit : bool
        One more real-time event would break its daily limits (第五条 (二) 1).
    """

    participant_id: str
    realtime_kw: Decimal
    realtime_capable: bool
    rank_score: Decimal
    registered_at: dt.datetime
    suspended: bool = False
    at_daily_limit: bool = False


@dataclass(frozen=True)
class RealtimeDecision:
    """What :func:`select_realtime` decided for one candidate.

    Attributes
    ----------
    candidate : RealtimeCandidate
    selected : bool
    kw : Decimal
        Assigned kW: the registered real-time capability when selected, else 0.
    reason : str
        In Chinese: selected, not needed, or why excluded.
    """

    candidate: RealtimeCandidate
    selected: bool
    kw: Decimal
    reason: str


def rank_score(previous_scores: Sequence[Decimal]) -> Decimal:
    """Rank score (评价得分, criterion c of 第八条 C).

    Parameters
    ----------
    previous_scores : sequence of Decimal
        The participant's invited-response scores (表 1: 0, 0.5, 0.8 or 1), oldest first.

    Returns
    -------
    Decimal
        Mean of the last 3; of all of them if fewer than 3; 1 if none.
    """
    latest = previous_scores[-SCORES_AVERAGED:]
    if not latest:
        return FIRST_RANK_SCORE
    return sum(latest, Decimal(0)) / len(latest)


@dataclass(frozen=True)
class _Criterion:
    """One ranking criterion: its sort key (smaller first) and the reason it separated two bids."""

    key: Callable[[Bid], Any]
    why: Callable[[Bid, Bid], str]


def _apart(a: Any, b: Any, renderings: Sequence[Callable[[Any], str]]) -> tuple[str, str]:
    """``a`` and ``b`` in the first (shortest) rendering that tells them apart, so a reason reads
    ``09:03:35 早于 09:03:36`` and shows fractions of a second only when they decide."""
    for render in renderings:
        shown = render(a), render(b)
        if shown[0] != shown[1]:
            break
    return shown


_SCORE_DIGITS = (lambda s: f"{s:.2f}", lambda s: f"{s:.4f}", str)
_CLOCK_DIGITS = (
    lambda t: f"{to_local(t):%H:%M:%S}",
    lambda t: f"{to_local(t):%H:%M:%S.%f}"[:-3],
    lambda t: f"{to_local(t):%H:%M:%S.%f}",
)


def _plain(price: Decimal | None) -> str:
    """``2.5`` for a stored ``2.5000``."""
    return "" if price is None else f"{price.normalize():f}"


def _score_reason(a: Bid, b: Bid) -> str:
    higher, lower = _apart(a.rank_score, b.rank_score, _SCORE_DIGITS)
    return f"评价得分高者优先：{higher} 高于 {lower}"


def _received_reason(a: Bid, b: Bid) -> str:
    earlier, later = _apart(a.received_at, b.received_at, _CLOCK_DIGITS)
    return f"应邀时间早者优先：{earlier} 早于 {later}"


# The reasons name each criterion of 第八条 C in words (a 价格, b 实时响应能力, c 评价得分,
# d 应邀时间): the letters alone mean nothing to a reader of the ranking.
_PRICE = _Criterion(
    lambda b: b.price,
    lambda a, b: f"竞价邀约价格低者优先：{_plain(a.price)} 低于 {_plain(b.price)} 元/kWh",
)
_REALTIME = _Criterion(
    lambda b: not b.realtime_capable,
    lambda a, b: "具备实时响应能力者优先",
)
_SCORE = _Criterion(lambda b: -b.rank_score, _score_reason)
_RECEIVED = _Criterion(lambda b: to_local(b.received_at), _received_reason)
_BID_ID = _Criterion(
    lambda b: b.bid_id,
    lambda a, b: f"第八条 C 的排序条件均相同，按申报编号：{a.bid_id} 先于 {b.bid_id}",
)


def _criteria(bidding: bool) -> tuple[_Criterion, ...]:
    """a > b > c > d of 第八条 C, then the bid id; a applies in bidding mode only."""
    rest = (_REALTIME, _SCORE, _RECEIVED, _BID_ID)
    return (_PRICE, *rest) if bidding else rest


def _placement_reason(
    bid: Bid,
    following: Bid | None,
    criteria: Sequence[_Criterion],
    keys: tuple[Any, ...],
    following_keys: tuple[Any, ...],
) -> str:
    """Why ``bid`` ranks before ``following``: the first criterion whose keys (as sorted on)
    tell them apart."""
    if following is None:
        return "末位"
    deciding = next(c for c, a, b in zip(criteria, keys, following_keys, strict=True) if a != b)
    return deciding.why(bid, following)


def _validate(bids: Sequence[Bid], demand_kw: Decimal, bidding: bool) -> None:
    if demand_kw <= 0:
        raise ValueError(f"demand must be positive, got {demand_kw} kW")
    for name, counts in (
        ("bid id", Counter(b.bid_id for b in bids)),
        ("participant", Counter(b.participant_id for b in bids)),
    ):
        repeated = sorted(k for k, n in counts.items() if n > 1)
        if repeated:
            raise ValueError(f"more than one bid per {name}: {', '.join(repeated)}")
    for b in bids:
        if b.kw <= 0:
            raise ValueError(f"bid {b.bid_id} offers {b.kw} kW; a bid must be positive")
        if bidding and b.price is None:
            raise ValueError(f"bid {b.bid_id} has no price in bidding mode")


def rank_bids(bids: Iterable[Bid], demand_kw: Decimal, bidding: bool) -> RankingResult:
    """Rank the bids of one invitation and accept them up to 150 % of demand (第八条 C).

    Parameters
    ----------
    bids : iterable of Bid
        Bids that passed :func:`gzvpp.core.invitation.check_bid`; in any order.
    demand_kw : Decimal
        The invitation's demand (需求量), kW; positive.
    bidding : bool
        Bidding mode (竞价): rank on price first (criterion a).

    Returns
    -------
    RankingResult
        Whole bids are accepted in ranking order until the accepted total is at least
        1.5 × demand; the bid that crosses the target is taken whole [reading]. If all bids
        together are below demand, all are accepted and ``shortfall`` is set. Between demand
        and 1.5 × demand everything is accepted with no shortfall.

    Raises
    ------
    ValueError
        On a non-positive demand or bid, a repeated bid id or participant, or a missing price
        in bidding mode.
    """
    bids = list(bids)
    _validate(bids, demand_kw, bidding)
    criteria = _criteria(bidding)
    # Each bid's keys once: the sort and the reasons compare the same tuples.
    keyed = sorted(((tuple(c.key(b) for c in criteria), b) for b in bids), key=lambda pair: pair[0])
    target = demand_kw * RESERVE_FACTOR
    ranked: list[RankedBid] = []
    accepted_kw = Decimal(0)
    for place, (keys, bid) in enumerate(keyed, 1):
        following_keys, following = keyed[place] if place < len(keyed) else ((), None)
        accepted = accepted_kw < target
        if accepted:
            accepted_kw += bid.kw
        reason = _placement_reason(bid, following, criteria, keys, following_keys)
        ranked.append(RankedBid(bid, place, accepted, reason))
    shortfall = accepted_kw < demand_kw
    return RankingResult(
        ranked=tuple(ranked),
        accepted_kw=accepted_kw,
        target_kw=target,
        shortfall=shortfall,
        shortfall_kw=demand_kw - accepted_kw if shortfall else Decimal(0),
    )


def _exclusion(candidate: RealtimeCandidate) -> str:
    """Why a candidate cannot be called (empty when it can)."""
    reasons = [
        text
        for failed, text in (
            (not candidate.realtime_capable, "不具备实时响应能力（第四条）"),
            (candidate.realtime_kw <= 0, "未登记实时响应能力"),
            (candidate.suspended, "本月暂停应邀权限（第九条（二））"),
            (candidate.at_daily_limit, "已达当日实时响应次数或时长上限（第五条（二）1）"),
        )
        if failed
    ]
    return "；".join(reasons)


def select_realtime(
    candidates: Iterable[RealtimeCandidate], capacity_kw: Decimal
) -> list[RealtimeDecision]:
    """Select real-time participants until the operator's capacity is covered (第八条 (二)).

    Parameters
    ----------
    candidates : iterable of RealtimeCandidate
        In any order; participant ids unique.
    capacity_kw : Decimal
        The capacity the operator calls (响应容量), kW; positive.

    Returns
    -------
    list of RealtimeDecision
        Callable candidates in ranking order (b, c, d of 第八条 C: all are real-time capable, so
        higher rank score first, then earlier ``registered_at``, then participant id), each
        selected with its whole registered real-time capability until the assigned total is
        at least ``capacity_kw`` [reading]; then the excluded ones in the same order, each with
        the reason: not real-time capable, no registered capability, suspended or at its daily
        limit.

    Raises
    ------
    ValueError
        On a non-positive capacity or a repeated participant id.
    """
    if capacity_kw <= 0:
        raise ValueError(f"capacity must be positive, got {capacity_kw} kW")
    pool = list(candidates)
    repeated = sorted(k for k, n in Counter(c.participant_id for c in pool).items() if n > 1)
    if repeated:
        raise ValueError(f"candidate listed more than once: {', '.join(repeated)}")
    pool.sort(key=lambda c: (-c.rank_score, to_local(c.registered_at), c.participant_id))
    decisions: list[RealtimeDecision] = []
    excluded: list[RealtimeDecision] = []
    assigned = Decimal(0)
    for c in pool:
        why_not = _exclusion(c)
        if why_not:
            excluded.append(RealtimeDecision(c, False, Decimal(0), f"排除：{why_not}"))
        elif assigned < capacity_kw:
            assigned += c.realtime_kw
            decisions.append(
                RealtimeDecision(
                    c, True, c.realtime_kw, f"入选：第 {len(decisions) + 1} 位，累计 {assigned} kW"
                )
            )
        else:
            decisions.append(
                RealtimeDecision(c, False, Decimal(0), f"未入选：已覆盖容量 {capacity_kw} kW")
            )
    return decisions + excluded
