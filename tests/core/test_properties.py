"""Properties of the assessment that must hold for any data (hypothesis, small random cases).

Loads are random 3-decimal kW values with random gaps; the system load is random around 1000 MW;
D is a workday or a restday (ordinary or next to National Day 2025), W anywhere in the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from builders import CALENDAR, SYSTEM, aggregator, assess, award, d, event, history, user
from hypothesis import given, settings
from hypothesis import strategies as st

from gzvpp.core.assessment import EventAssessment
from gzvpp.core.grid import Window
from gzvpp.core.model import Direction, Event, Mode, Participant
from gzvpp.core.timeseries import IntervalCube, day_number

ACCOUNTS = ("a", "b", "c")
SPAN = 70  # days of data before D
DAYS = [d("2024-07-17"), d("2024-07-21"), d("2025-10-12"), d("2025-10-13")]
FAST = settings(deadline=None, max_examples=50)


@dataclass(frozen=True)
class Scenario:
    day: dt.date
    win: Window
    direction: Direction
    mode: Mode
    loads: IntervalCube
    system: IntervalCube
    responded: tuple[dt.date, ...]
    awarded: tuple[int, ...]

    def event(self, awards: Sequence[tuple[str, int | Decimal]]) -> Event:
        return event(
            self.win,
            *(award(pid, kw) for pid, kw in awards),
            direction=self.direction,
            mode=self.mode,
            price="2",
        )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    seed = draw(st.integers(0, 2**32 - 1))
    day = draw(st.sampled_from(DAYS))
    n = draw(st.integers(2, 6))
    first = draw(st.integers(0, 96 - n))
    gap = draw(st.sampled_from([0.0, 0.02, 0.15]))
    rng = np.random.default_rng(seed)
    days = np.arange(day_number(day) - SPAN, day_number(day) + 1, dtype=np.int64)
    shape = (len(ACCOUNTS), len(days), 96)
    level = rng.integers(100_000, 2_000_000, size=shape[:2])[:, :, None]
    values = (level + rng.integers(0, 200_000, size=shape)) / 1000.0
    values[rng.random(shape) < gap] = np.nan
    system = 1000.0 + rng.integers(-100_000, 100_000, size=(1, len(days), 96)) / 1000.0
    system[rng.random(system.shape) < gap / 10] = np.nan
    start = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=15 * first)
    offsets = draw(st.lists(st.integers(2, 61), max_size=6, unique=True))
    return Scenario(
        day=day,
        win=Window.from_times(start, start + dt.timedelta(minutes=15 * n)),
        direction=draw(st.sampled_from(list(Direction))),
        mode=draw(st.sampled_from(list(Mode))),
        loads=IntervalCube(ACCOUNTS, days, values),
        system=IntervalCube((SYSTEM,), days, system),
        responded=tuple(day - dt.timedelta(days=k) for k in offsets),
        awarded=tuple(draw(st.lists(st.integers(1, 800), min_size=3, max_size=3))),
    )


def run(
    s: Scenario,
    participants: Sequence[Participant],
    awards: Sequence[tuple[str, int | Decimal]],
    loads: IntervalCube | None = None,
    responded: dict[str, tuple[dt.date, ...]] | None = None,
) -> EventAssessment:
    return assess(
        s.event(awards),
        participants,
        s.loads if loads is None else loads,
        s.system,
        responded=history(**(responded or {p.id: s.responded for p in participants})),
    )


FIGURES = (
    "adjustment_factor",
    "awarded_kw",
    "response_kw",
    "response_ratio",
    "score",
    "response_energy_kwh",
    "effective_energy_kwh",
)


def assert_same_award(x: EventAssessment, i: int, y: EventAssessment, j: int) -> None:
    """Every figure of award ``i`` of ``x`` equals that of award ``j`` of ``y``."""
    assert x.status[i] == y.status[j]
    assert x.baseline_days[i] == y.baseline_days[j]
    for name in ("baseline_unadjusted", "baseline", "actual"):
        np.testing.assert_allclose(getattr(x, name)[i], getattr(y, name)[j], rtol=1e-12, atol=0)
    for stats in ("baseline_stats", "actual_stats"):
        for part in ("avg", "max", "min"):
            left, right = getattr(getattr(x, stats), part), getattr(getattr(y, stats), part)
            np.testing.assert_array_equal(left[i], right[j])
    for name in FIGURES:
        np.testing.assert_array_equal(getattr(x, name)[i], getattr(y, name)[j])
    assert x.effective[i] == y.effective[j]
    assert x.non_execution[i] == y.non_execution[j]
    assert x.price[i] == y.price[j]
    assert x.subsidy_cny[i] == y.subsidy_cny[j]


@FAST
@given(scenarios())
def test_aggregator_of_one_member_equals_that_user(s: Scenario) -> None:
    alone = run(s, [user("u", "a")], [("u", s.awarded[0])])
    grouped = run(s, [aggregator("g", "a")], [("g", s.awarded[0])])
    assert_same_award(alone, 0, grouped, 0)


@FAST
@given(
    scenarios(),
    st.sampled_from(
        [Decimal("0.5"), Decimal(2), Decimal("2.5"), Decimal(3), Decimal(10), Decimal("12.25")]
    ),
)
def test_scaling_loads_and_award_scales_every_kw_figure(s: Scenario, k: Decimal) -> None:
    parts = [user("u", "a"), aggregator("g", "b", "c")]
    base = run(s, parts, [("u", s.awarded[0]), ("g", s.awarded[1])])
    f = float(k)
    scaled_loads = IntervalCube(ACCOUNTS, s.loads.days, s.loads.values * f)
    scaled = run(s, parts, [("u", s.awarded[0] * k), ("g", s.awarded[1] * k)], loads=scaled_loads)
    assert scaled.status == base.status
    assert scaled.baseline_days == base.baseline_days
    one_rounding = 0.0005 * (f + 1) + 1e-9  # f·round(x) vs round(f·x), each off by ≤ 0.0005
    two_roundings = 0.001 * (f + 1) + 1e-9  # response: a difference of two rounded averages
    for name in ("baseline_unadjusted", "baseline", "actual"):
        np.testing.assert_allclose(getattr(scaled, name), f * getattr(base, name), rtol=1e-9)
    for stats in ("baseline_stats", "actual_stats"):
        for part in ("avg", "max", "min"):
            got, want = (
                getattr(getattr(scaled, stats), part),
                f * getattr(getattr(base, stats), part),
            )
            np.testing.assert_allclose(got, want, rtol=0, atol=one_rounding)
    np.testing.assert_allclose(scaled.response_kw, f * base.response_kw, rtol=0, atol=two_roundings)
    # ratio = response ÷ award: the response error over the scaled award,
    # plus two 6-decimal roundings
    awarded = np.array([s.awarded[0], s.awarded[1]], dtype=float)
    ratio_tolerance = two_roundings / (f * awarded) + 1e-6 + 1e-12
    assert np.all(np.isnan(scaled.response_ratio) == np.isnan(base.response_ratio))
    ok = ~np.isnan(base.response_ratio)
    assert np.all(np.abs(scaled.response_ratio - base.response_ratio)[ok] <= ratio_tolerance[ok])
    # the factor comes from the system load only; loads scale in both means of its report
    np.testing.assert_allclose(
        scaled.adjustment_factor, base.adjustment_factor, rtol=0, atol=1e-6 + 1e-12
    )


@FAST
@given(scenarios(), st.permutations([0, 1, 2]))
def test_permuting_award_order_permutes_results(s: Scenario, order: list[int]) -> None:
    parts = [user("u", "a"), aggregator("g", "b", "c"), user("v", "c")]
    awards = [("u", s.awarded[0]), ("g", s.awarded[1]), ("v", s.awarded[2])]
    straight = run(s, parts, awards)
    shuffled = run(s, parts, [awards[i] for i in order])
    for position, original in enumerate(order):
        assert_same_award(shuffled, position, straight, original)


@FAST
@given(scenarios(), st.integers(2, 61))
def test_adding_a_response_day_never_adds_a_baseline_day(s: Scenario, extra: int) -> None:
    added = s.day - dt.timedelta(days=extra)
    parts = [user("u", "a"), aggregator("g", "b", "c")]
    awards = [("u", s.awarded[0]), ("g", s.awarded[1])]
    before = run(s, parts, awards, responded={"u": s.responded, "g": s.responded})
    more = (*s.responded, added)
    after = run(s, parts, awards, responded={"u": more, "g": more})
    for i in range(2):
        old, new = set(before.baseline_days[i]), set(after.baseline_days[i])
        # The new response day is never a baseline day, and every other day that was chosen
        # stays chosen: only a replacement from further back than it can come in.
        assert added not in new
        assert old - {added} <= new
        assert all(day < added for day in new - old)
    # A single account never ends up with more days than before, and a replacement comes from
    # further back than every day it had.
    old, new = set(before.baseline_days[0]), set(after.baseline_days[0])
    assert len(new) <= len(old)
    assert all(day < min(old) for day in new - old)
    if added not in before.baseline_days[0]:
        assert after.baseline_days[0] == before.baseline_days[0]


@FAST
@given(scenarios())
def test_baseline_days_have_ds_type_and_are_not_response_days(s: Scenario) -> None:
    parts = [user("u", "a"), aggregator("g", "b", "c")]
    result = run(s, parts, [("u", s.awarded[0]), ("g", s.awarded[1])])
    if s.mode is Mode.REALTIME:
        assert result.baseline_days == ((), ())
        return
    want = CALENDAR.day_info(s.day).day_type
    for chosen in result.baseline_days:
        assert len(chosen) <= 5 + 5  # a workday baseline: 5 per member, 2 members at most
        for day in chosen:
            assert day not in s.responded
            assert s.day - dt.timedelta(days=61) <= day <= s.day - dt.timedelta(days=2)
            assert CALENDAR.day_info(day).day_type == want
    single = result.baseline_days[0]
    assert len(single) <= (5 if want.value == "workday" else 3)
