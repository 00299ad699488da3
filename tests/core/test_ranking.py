"""R2 第八条 C: rank scores, bid ranking up to 150 % of demand, real-time selection."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzvpp.core.ranking import (
    Bid,
    RankingResult,
    RealtimeCandidate,
    rank_bids,
    rank_score,
    select_realtime,
)

D = Decimal
T = dt.datetime
OPENED = T(2024, 7, 15, 10, 0)


def bid(
    bid_id: str,
    kw: str,
    price: str | None = None,
    realtime: bool = False,
    score: str = "1",
    at: T = OPENED,
) -> Bid:
    return Bid(
        bid_id=bid_id,
        participant_id=f"P-{bid_id}",
        kw=D(kw),
        price=None if price is None else D(price),
        realtime_capable=realtime,
        rank_score=D(score),
        received_at=at,
    )


def ids(result: RankingResult, accepted: bool | None = None) -> list[str]:
    return [r.bid.bid_id for r in result.ranked if accepted is None or r.accepted is accepted]


# --- rank score ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([], "1"),  # 初次响应用户默认为 1
        (["0.5"], "0.5"),
        (["1", "0.5"], "0.75"),
        (["0.8", "0.8", "0.8"], "0.8"),
        (["0", "0.5", "0.8", "1"], "0.7666666666666666666666666667"),  # last 3: 2.3 / 3
        (["1", "1", "1", "0", "0", "0"], "0"),  # the oldest drop out
    ],
)
def test_rank_score(scores: list[str], expected: str) -> None:
    assert rank_score([D(s) for s in scores]) == D(expected)


# --- rank_bids: worked example ---------------------------------------------------------------

EXAMPLE = [
    bid("B1", "600", "2.00", score="1", at=T(2024, 7, 15, 10, 5)),
    bid("B2", "400", "1.50", score="0.8", at=T(2024, 7, 15, 10, 10)),
    bid("B3", "500", "2.00", realtime=True, score="0.5", at=T(2024, 7, 15, 10, 20)),
    bid("B4", "300", "2.00", score="1", at=T(2024, 7, 15, 10, 1)),
    bid("B5", "700", "3.00", realtime=True, score="1", at=T(2024, 7, 15, 9, 30)),
]


def test_bidding_mode_worked_example() -> None:
    # Order by a (price), then b, c, d: B2 1.50 | B3 2.00 rt | B4 2.00 10:01 | B1 2.00 10:05 | B5.
    # Target 1.5 × 1000 = 1500: 400, 900, 1200, 1800 → B1 crosses it and is taken whole.
    result = rank_bids(EXAMPLE, D(1000), bidding=True)
    assert ids(result) == ["B2", "B3", "B4", "B1", "B5"]
    assert ids(result, accepted=True) == ["B2", "B3", "B4", "B1"]
    assert [r.place for r in result.ranked] == [1, 2, 3, 4, 5]
    assert [r.reason[:2] for r in result.ranked[:4]] == ["竞价", "具备", "应邀", "竞价"]
    assert result.ranked[0].reason == "竞价邀约价格低者优先：1.5 低于 2 元/kWh"
    assert result.ranked[2].reason == "应邀时间早者优先：10:01:00 早于 10:05:00"
    assert result.ranked[-1].reason == "末位"
    assert result.accepted_kw == D(1800)
    assert result.target_kw == D(1500)
    assert not result.shortfall
    assert result.shortfall_kw == 0


def test_fixed_price_mode_ignores_price_and_stops_at_150_percent_exactly() -> None:
    # b: B5, B3 real-time (c: 1 > 0.5); then B4, B1 (d), B2 (c: 0.8).
    # 700 + 500 + 300 = 1500 = 150 % exactly: no more bids needed.
    result = rank_bids(EXAMPLE, D(1000), bidding=False)
    assert ids(result) == ["B5", "B3", "B4", "B1", "B2"]
    assert ids(result, accepted=True) == ["B5", "B3", "B4"]
    assert [r.reason[:2] for r in result.ranked[:4]] == ["评价", "具备", "应邀", "评价"]
    assert result.ranked[0].reason == "评价得分高者优先：1.00 高于 0.50"
    assert result.accepted_kw == D(1500)


def test_tie_broken_by_bid_id() -> None:
    result = rank_bids([bid("Z", "100"), bid("A", "100")], D(1000), bidding=False)
    assert ids(result) == ["A", "Z"]
    assert result.ranked[0].reason == "第八条 C 的排序条件均相同，按申报编号：A 先于 Z"


def test_reasons_show_fractions_only_when_they_decide() -> None:
    # A reader sees 10:01:00, not 10:01:00.000000; digits appear only where two bids differ.
    later = OPENED + dt.timedelta(milliseconds=250)
    earlier_first = [bid("B", "100", at=later), bid("A", "100")]
    assert rank_bids(earlier_first, D(1000), bidding=False).ranked[0].reason == (
        "应邀时间早者优先：10:00:00.000 早于 10:00:00.250"
    )
    close_scores = [bid("B", "100", score="0.8100"), bid("A", "100", score="0.8125")]
    assert rank_bids(close_scores, D(1000), bidding=False).ranked[0].reason == (
        "评价得分高者优先：0.8125 高于 0.8100"
    )


def test_shortfall_just_below_demand() -> None:
    result = rank_bids([bid("B1", "600"), bid("B2", "399.99")], D(1000), bidding=False)
    assert ids(result, accepted=True) == ["B1", "B2"]
    assert result.shortfall
    assert result.shortfall_kw == D("0.01")
    assert result.accepted_kw == D("999.99")


def test_demand_met_exactly_is_no_shortfall() -> None:
    result = rank_bids([bid("B1", "600"), bid("B2", "400")], D(1000), bidding=False)
    assert ids(result, accepted=True) == ["B1", "B2"]
    assert not result.shortfall
    assert result.shortfall_kw == 0
    assert result.accepted_kw < result.target_kw  # all accepted, reserve not reached


def test_no_bids_is_a_full_shortfall() -> None:
    result = rank_bids([], D(1000), bidding=True)
    assert result.ranked == ()
    assert result.shortfall_kw == D(1000)


@pytest.mark.parametrize(
    ("bids", "demand", "bidding", "message"),
    [
        ([bid("B1", "100")], "0", False, "demand"),
        ([bid("B1", "0")], "100", False, "positive"),
        ([bid("B1", "100")], "100", True, "no price"),
        ([bid("B1", "100"), bid("B1", "50")], "100", False, "bid id"),
        (
            [bid("B1", "100"), Bid("B2", "P-B1", D(1), None, False, D(1), T(2024, 7, 15))],
            "100",
            False,
            "participant",
        ),
    ],
)
def test_invalid_input(bids: list[Bid], demand: str, bidding: bool, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rank_bids(bids, D(demand), bidding)


def test_aware_and_naive_times_rank_together() -> None:
    aware = Bid("A", "PA", D(1), None, False, D(1), T(2024, 7, 15, 1, 0, tzinfo=dt.UTC))
    naive = bid("B", "1", at=T(2024, 7, 15, 8, 59))  # 08:59 local is before 09:00 local
    assert ids(rank_bids([aware, naive], D(10), bidding=False)) == ["B", "A"]


def test_two_thousand_bids_are_fast() -> None:
    bids = [
        bid(
            f"B{i:04d}",
            str(1 + i % 97),
            f"{(i * 7) % 500 / 100:.2f}",
            realtime=i % 3 == 0,
            score=("0", "0.5", "0.8", "1")[i % 4],
            at=T(2024, 7, 15, 9, 0) + dt.timedelta(seconds=i % 600),
        )
        for i in range(2000)
    ]
    started = time.perf_counter()
    result = rank_bids(bids, D(20_000), bidding=True)
    assert time.perf_counter() - started < 1.0
    assert len(result.ranked) == 2000


# --- rank_bids: properties -------------------------------------------------------------------

SCORES = [D(0), D("0.5"), D("0.8"), D(1), rank_score([D("0.5"), D("0.8"), D(1)])]


@st.composite
def bid_lists(draw: st.DrawFn) -> list[Bid]:
    n = draw(st.integers(0, 25))
    return [
        Bid(
            bid_id=f"B{i:02d}",
            participant_id=f"P{i:02d}",
            kw=draw(st.decimals(min_value=D("0.01"), max_value=D(3000), places=2)),
            # Few distinct values, so that every criterion gets to break ties.
            price=draw(st.sampled_from([D(0), D("1.5"), D(2), D(5)])),
            realtime_capable=draw(st.booleans()),
            rank_score=draw(st.sampled_from(SCORES)),
            received_at=T(2024, 7, 15, 10, draw(st.integers(0, 3))),
        )
        for i in range(n)
    ]


DEMANDS = st.decimals(min_value=D("0.01"), max_value=D(20_000), places=2)


@given(bid_lists(), DEMANDS, st.booleans())
def test_accepted_bids_are_a_prefix_of_the_order(
    bids: list[Bid], demand: Decimal, bidding: bool
) -> None:
    result = rank_bids(bids, demand, bidding)
    flags = [r.accepted for r in result.ranked]
    assert flags == sorted(flags, reverse=True)
    assert [r.place for r in result.ranked] == list(range(1, len(bids) + 1))
    assert result.accepted_kw == sum((r.bid.kw for r in result.ranked if r.accepted), D(0))


@given(bid_lists(), DEMANDS, st.booleans())
def test_accepted_total_reaches_target_unless_all_accepted(
    bids: list[Bid], demand: Decimal, bidding: bool
) -> None:
    result = rank_bids(bids, demand, bidding)
    if not all(r.accepted for r in result.ranked):
        assert result.accepted_kw >= demand * D("1.5")
    total = sum((b.kw for b in bids), D(0))
    assert result.shortfall is (total < demand)
    assert result.shortfall_kw == (demand - total if total < demand else 0)


@given(bid_lists(), DEMANDS, st.booleans())
def test_without_the_last_accepted_bid_the_target_is_missed(
    bids: list[Bid], demand: Decimal, bidding: bool
) -> None:
    result = rank_bids(bids, demand, bidding)
    accepted = [r.bid for r in result.ranked if r.accepted]
    if accepted:
        assert result.accepted_kw - accepted[-1].kw < result.target_kw


@given(bid_lists(), DEMANDS, st.booleans(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(
    bids: list[Bid], demand: Decimal, bidding: bool, rnd: random.Random
) -> None:
    shuffled = list(bids)
    rnd.shuffle(shuffled)
    assert rank_bids(shuffled, demand, bidding) == rank_bids(bids, demand, bidding)


@given(bid_lists(), st.booleans())
def test_order_follows_the_criteria(bids: list[Bid], bidding: bool) -> None:
    ranked = [r.bid for r in rank_bids(bids, D(1), bidding).ranked]
    for a, b in itertools.pairwise(ranked):
        key_a = (a.price if bidding else 0, not a.realtime_capable, -a.rank_score, a.received_at)
        key_b = (b.price if bidding else 0, not b.realtime_capable, -b.rank_score, b.received_at)
        assert key_a <= key_b


# --- select_realtime -------------------------------------------------------------------------


def candidate(
    pid: str,
    kw: str,
    score: str = "1",
    registered: dt.date = dt.date(2024, 1, 1),
    capable: bool = True,
    suspended: bool = False,
    at_limit: bool = False,
) -> RealtimeCandidate:
    return RealtimeCandidate(
        participant_id=pid,
        realtime_kw=D(kw),
        realtime_capable=capable,
        rank_score=D(score),
        registered_at=T.combine(registered, dt.time()),
        suspended=suspended,
        at_daily_limit=at_limit,
    )


CANDIDATES = [
    candidate("R1", "400", registered=dt.date(2024, 1, 10)),
    candidate("R2", "500", registered=dt.date(2024, 1, 5)),
    candidate("R3", "300", score="0.8"),
    candidate("R4", "900", registered=dt.date(2024, 1, 2), capable=False),
    candidate("R5", "800", registered=dt.date(2024, 1, 3), suspended=True),
    candidate("R6", "200", registered=dt.date(2024, 1, 4), at_limit=True),
    candidate("R7", "100", score="0.5"),
]


def test_select_realtime_worked_example() -> None:
    # Callable by c then d: R2 (1, 01-05), R1 (1, 01-10), R3 (0.8), R7 (0.5).
    # 500, 900 < 1000, then R3 taken whole → 1200; R7 not needed.
    decisions = select_realtime(CANDIDATES, D(1000))
    assert [(d.candidate.participant_id, d.selected, d.kw) for d in decisions] == [
        ("R2", True, D(500)),
        ("R1", True, D(400)),
        ("R3", True, D(300)),
        ("R7", False, D(0)),
        ("R4", False, D(0)),
        ("R5", False, D(0)),
        ("R6", False, D(0)),
    ]
    reasons = {d.candidate.participant_id: d.reason for d in decisions}
    assert reasons["R3"] == "入选：第 3 位，累计 1200 kW"
    assert reasons["R7"].startswith("未入选")
    assert "不具备实时响应能力" in reasons["R4"]
    assert "暂停" in reasons["R5"]
    assert "上限" in reasons["R6"]


def test_select_realtime_stops_when_capacity_covered_exactly() -> None:
    decisions = select_realtime(CANDIDATES, D(900))
    assert [d.candidate.participant_id for d in decisions if d.selected] == ["R2", "R1"]


def test_select_realtime_takes_everyone_callable_when_short() -> None:
    decisions = select_realtime(CANDIDATES, D(10_000))
    assert [d.candidate.participant_id for d in decisions if d.selected] == ["R2", "R1", "R3", "R7"]


def test_select_realtime_lists_every_exclusion_reason() -> None:
    (decision,) = select_realtime(
        [candidate("X", "0", capable=False, suspended=True, at_limit=True)], D(1)
    )
    assert decision.reason.count("；") == 3


def test_select_realtime_ties_broken_by_id_and_input_order_irrelevant() -> None:
    pool = [candidate("B", "10"), candidate("A", "10"), candidate("C", "10")]
    first = select_realtime(pool, D(15))
    assert [d.candidate.participant_id for d in first] == ["A", "B", "C"]
    assert select_realtime(reversed(pool), D(15)) == first


@pytest.mark.parametrize(
    ("pool", "capacity", "message"),
    [
        ([candidate("A", "10")], "0", "capacity"),
        ([candidate("A", "10"), candidate("A", "20")], "5", "more than once"),
    ],
)
def test_select_realtime_invalid_input(
    pool: list[RealtimeCandidate], capacity: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        select_realtime(pool, D(capacity))
