"""assess_event end to end: aggregators (R4 last point), several awards, every figure by hand.

D = 2024-07-17 (Wednesday), W = 14:00–16:00 (8 intervals, 2 h), so [T-4h, T-1h) = [10:00, 13:00).
The workdays counted back from D-2 are 15, 12, 11, 10, 9, 8, 5 July …
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from builders import (
    SYSTEM,
    aggregator,
    assess,
    award,
    cube,
    d,
    event,
    history,
    put,
    system_cube,
    user,
    window,
)

from gzvpp.core.assessment import EventAssessment, Status
from gzvpp.core.model import Mode
from gzvpp.core.timeseries import IntArray, IntervalCube

D = d("2024-07-17")
FIRST = d("2024-06-01")
W = window(D, "14:00", "16:00")


def days(*texts: str) -> tuple[dt.date, ...]:
    return tuple(d(t) for t in texts)


def member_loads() -> IntervalCube:
    """a: 400 kW, b: 600 kW, c: 500 kW every day before D; on D over W a 300, b 500, c 420.

    a misses 15:00 on 15 Jul (where it otherwise reads 1000), b misses 14:00 on 11 Jul (where it
    otherwise reads 2000): each of those days is skipped for that account only.
    """
    loads = cube(["a", "b", "c"], FIRST, D)
    for name, level in (("a", 400.0), ("b", 600.0), ("c", 500.0)):
        for k in range((D - FIRST).days):
            put(loads, name, FIRST + dt.timedelta(days=k), level)
    put(loads, "a", d("2024-07-15"), 1000.0)
    put(loads, "a", d("2024-07-15"), np.nan, "15:00", "15:15")
    put(loads, "b", d("2024-07-11"), 2000.0)
    put(loads, "b", d("2024-07-11"), np.nan, "14:00", "14:15")
    put(loads, "a", D, 300.0)
    put(loads, "b", D, 500.0)
    put(loads, "c", D, 420.0)
    return loads


def member_system() -> IntervalCube:
    """1000 MW every day, except 1500 on 15 Jul; on D 1100 over [10:00, 13:00), 5000 elsewhere."""
    system = system_cube(d("2024-05-31"), D)
    put(system, SYSTEM, d("2024-07-15"), 1500.0)
    put(system, SYSTEM, D, 5000.0)
    put(system, SYSTEM, D, 1100.0, "10:00", "13:00")
    return system


G = aggregator("g", "a", "b")


def run_g(
    loads: IntervalCube | None = None,
    responded: dict[str, IntArray] | None = None,
    mode: Mode = Mode.DAY_AHEAD,
) -> EventAssessment:
    ev = event(W, award("g", 200), mode=mode)
    return assess(
        ev, [G], member_loads() if loads is None else loads, member_system(), responded=responded
    )


def test_aggregator_members_choose_their_own_days_and_factors() -> None:
    result = run_g()
    assert result.status == (Status.OK,)
    # a skips 15 Jul → 12, 11, 10, 9, 8 Jul; b skips 11 Jul → 15, 12, 10, 9, 8 Jul. Union:
    assert result.baseline_days == (
        days("2024-07-08", "2024-07-09", "2024-07-10", "2024-07-11", "2024-07-12", "2024-07-15"),
    )
    # a: reference (5 × 1000) / 5 = 1000 → factor 1100 / 1000 = 1.1 → 400 × 1.1 = 440
    # b: reference (1500 + 4 × 1000) / 5 = 1100 → factor 1100 / 1100 = 1.0 → 600 × 1.0 = 600
    # unadjusted 400 + 600 = 1000; adjusted 440 + 600 = 1040; reported factor 1040 / 1000 = 1.04
    np.testing.assert_allclose(result.baseline_unadjusted[0], 1000.0, atol=1e-9)
    np.testing.assert_allclose(result.baseline[0], 1040.0, atol=1e-9)
    assert result.adjustment_factor[0] == pytest.approx(1.04, abs=1e-12)
    # actual = 300 + 500 = 800
    np.testing.assert_allclose(result.actual[0], 800.0, atol=1e-9)
    assert result.baseline_stats.avg[0] == pytest.approx(1040.0)
    assert result.actual_stats.avg[0] == pytest.approx(800.0)
    # response 1040 − 800 = 240; 240 / 200 = 1.2 → effective, score 0.8
    assert result.response_kw[0] == pytest.approx(240.0, abs=1e-9)
    assert result.response_ratio[0] == pytest.approx(1.2, abs=1e-12)
    assert result.effective.tolist() == [True]
    assert result.non_execution.tolist() == [False]
    assert result.score.tolist() == [0.8]
    # energy min(240, 1.2 × 200 = 240) × 2 h = 480 kWh; × 3 CNY/kWh × 1 = 1440.00
    assert result.effective_energy_kwh[0] == pytest.approx(480.0, abs=1e-9)
    assert result.subsidy_cny == (Decimal("1440.00"),)


def test_aggregator_equals_its_members_assessed_as_users() -> None:
    loads, system = member_loads(), member_system()
    alone_a = assess(event(W, award("a", 100)), [user("a")], loads, system)
    alone_b = assess(event(W, award("b", 100)), [user("b")], loads, system)
    assert alone_a.baseline_days == (
        days("2024-07-08", "2024-07-09", "2024-07-10", "2024-07-11", "2024-07-12"),
    )
    assert alone_b.baseline_days == (
        days("2024-07-08", "2024-07-09", "2024-07-10", "2024-07-12", "2024-07-15"),
    )
    np.testing.assert_allclose(alone_a.baseline[0], 440.0, atol=1e-9)  # 400 × 1.1
    np.testing.assert_allclose(alone_b.baseline[0], 600.0, atol=1e-9)  # 600 × 1.0
    np.testing.assert_allclose(
        run_g().baseline[0], alone_a.baseline[0] + alone_b.baseline[0], atol=1e-9
    )


def test_aggregator_response_days_apply_to_every_member() -> None:
    result = run_g(responded=history(g=[d("2024-07-12")]))
    # a: 11, 10, 9, 8, 5 Jul; b: 15, 10, 9, 8, 5 Jul (11 Jul missing); union:
    assert result.baseline_days == (
        days("2024-07-05", "2024-07-08", "2024-07-09", "2024-07-10", "2024-07-11", "2024-07-15"),
    )
    # same levels and system loads as before: 400 × 1.1 + 600 × (1500 + 4000) / 5 / 1100 → 1040
    np.testing.assert_allclose(result.baseline[0], 1040.0, atol=1e-9)


def test_a_members_own_response_day_is_not_the_aggregators() -> None:
    # history is by participant: a day on which user "a" (a different participant id) responded
    # does not count for the aggregator.
    result = run_g(responded=history(a=[d("2024-07-12")]))
    assert result.baseline_days == run_g().baseline_days


def test_aggregator_with_one_member_unavailable_is_unavailable() -> None:
    loads = member_loads()
    for k in range((D - FIRST).days):
        put(loads, "b", FIRST + dt.timedelta(days=k), np.nan)  # b has no earlier data at all
    result = run_g(loads)
    assert result.status == (Status.BASELINE_UNAVAILABLE,)
    assert np.isnan(result.baseline[0]).all()
    assert np.isnan(result.response_kw[0])
    assert result.subsidy_cny == (Decimal("0.00"),)


def test_aggregator_with_one_member_missing_actual_is_missing_data() -> None:
    loads = member_loads()
    put(loads, "b", D, np.nan, "15:30", "15:45")
    result = run_g(loads)
    assert result.status == (Status.MISSING_DATA,)
    assert np.isnan(result.actual[0]).all()


def test_aggregator_real_time_sums_members_flat_baselines() -> None:
    loads = member_loads()
    put(loads, "a", D, [400.0, 410.0], "13:30", "14:00")
    put(loads, "b", D, [600.0, 620.0], "13:30", "14:00")
    result = run_g(loads, mode=Mode.REALTIME)
    # a (400 + 410) / 2 = 405; b (600 + 620) / 2 = 610; sum 1015, not adjusted
    np.testing.assert_allclose(result.baseline[0], 1015.0, atol=1e-9)
    assert result.adjustment_factor.tolist() == [1.0]
    # response 1015 − 800 = 215; 215 / 200 = 1.075 → effective; 215 × 2 h = 430 kWh
    # 430 kWh × 3 CNY/kWh × 3 (real time) = 3870.00; no score
    assert result.response_ratio[0] == pytest.approx(1.075, abs=1e-12)
    assert result.effective_energy_kwh[0] == pytest.approx(430.0, abs=1e-9)
    assert result.subsidy_cny == (Decimal("3870.00"),)
    assert np.isnan(result.score[0])


def test_event_with_several_awards_keeps_award_order() -> None:
    loads, system = member_loads(), member_system()
    ev = event(W, award("c", 100, price="2.5"), award("g", 200), mode=Mode.HOURS_AHEAD)
    result = assess(ev, [G, user("c")], loads, system)
    assert result.status == (Status.OK, Status.OK)
    # c: days 15, 12, 11, 10, 9 Jul; reference (1500 + 4 × 1000) / 5 = 1100 → factor 1.0
    assert result.baseline_days[0] == days(
        "2024-07-09", "2024-07-10", "2024-07-11", "2024-07-12", "2024-07-15"
    )
    np.testing.assert_allclose(result.adjustment_factor, [1.0, 1.04], atol=1e-12)
    # c: response 500 − 420 = 80; 80 / 100 = 0.8 → effective; 160 kWh × 2.5 × 1.5 = 600.00
    # g: as in the first test, 480 kWh × 3 (event price) × 1.5 = 2160.00
    np.testing.assert_allclose(result.response_kw, [80.0, 240.0], atol=1e-9)
    np.testing.assert_allclose(result.response_ratio, [0.8, 1.2], atol=1e-12)
    assert result.effective.tolist() == [True, True]
    assert result.score.tolist() == [0.8, 0.8]
    assert result.price == (Decimal("2.5"), Decimal("3"))
    assert result.coefficient == Decimal("1.5")
    assert result.subsidy_cny == (Decimal("600.00"), Decimal("2160.00"))


def test_one_award_unavailable_does_not_touch_the_other() -> None:
    loads, system = member_loads(), member_system()
    for k in range((D - FIRST).days):
        put(loads, "c", FIRST + dt.timedelta(days=k), np.nan)
    ev = event(W, award("c", 100), award("g", 200))
    result = assess(ev, [G, user("c")], loads, system)
    assert result.status == (Status.BASELINE_UNAVAILABLE, Status.OK)
    assert result.subsidy_cny == (Decimal("0.00"), Decimal("1440.00"))


def test_aggregator_members_fall_back_to_two_years_on_their_own() -> None:
    day = d("2025-01-01")  # New Year's Day
    loads = cube(["a", "b"], d("2022-11-01"), day, 5000.0)  # 5000 on every day not to be picked
    levels = {
        ("a", "2023-12-30"): 100.0,
        ("a", "2023-12-31"): 200.0,
        ("a", "2024-01-01"): 300.0,
        ("b", "2022-12-31"): 400.0,
        ("b", "2023-01-01"): 500.0,
        ("b", "2023-01-02"): 600.0,
    }
    for (name, text), level in levels.items():
        put(loads, name, d(text), level)
    for text in ("2023-12-30", "2023-12-31", "2024-01-01"):
        put(loads, "b", d(text), np.nan, "14:45", "15:00")  # b has no usable day last year
    put(loads, "a", day, 100.0)
    put(loads, "b", day, 300.0)
    system = system_cube(d("2022-10-31"), day)
    result = assess(event(window(day, "14:00", "16:00"), award("g", 100)), [G], loads, system)
    assert result.baseline_type == "holiday"
    # a: 30 Dec 2023 – 1 Jan 2024; b: 31 Dec 2022 – 2 Jan 2023; the union of both
    assert result.baseline_days == (
        days("2022-12-31", "2023-01-01", "2023-01-02", "2023-12-30", "2023-12-31", "2024-01-01"),
    )
    # a (100 + 200 + 300) / 3 = 200; b (400 + 500 + 600) / 3 = 500; sum 700; factor 1
    np.testing.assert_allclose(result.baseline[0], 700.0, atol=1e-9)
    # actual 100 + 300 = 400; response 300; ratio 300 / 100 = 3 → effective, capped at 120 kW
    # energy 120 × 2 h = 240 kWh × 3 CNY/kWh = 720.00; score 0.8 (ratio ≥ 1.2)
    assert result.response_kw[0] == pytest.approx(300.0, abs=1e-9)
    assert result.effective_energy_kwh[0] == pytest.approx(240.0, abs=1e-9)
    assert result.subsidy_cny == (Decimal("720.00"),)
    assert result.score.tolist() == [0.8]
