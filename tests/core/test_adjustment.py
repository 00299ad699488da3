"""R5 intraday adjustment: factor = mean system load on D over [T-4h, T-1h) ÷ the same on the
chosen baseline days, clamped to [0.8, 1.2]; missing data gives ``missing_data``.

D = 2024-07-17 (Wednesday). Its baseline days are 15, 12, 11, 10 and 9 July. The account's load
is 1000 kW on every earlier day and 800 kW on D over W, so the unadjusted baseline is 1000.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import SYSTEM, assess, award, cube, d, event, put, system_cube, user, window

from gzvpp.core.adjustment import adjustment_factor, adjustment_window
from gzvpp.core.assessment import EventAssessment, Status
from gzvpp.core.model import Mode
from gzvpp.core.timeseries import IntervalCube

D = d("2024-07-17")
FIRST = d("2024-06-01")
BASELINE_DAYS = tuple(
    d(t) for t in ("2024-07-09", "2024-07-10", "2024-07-11", "2024-07-12", "2024-07-15")
)


def account_loads(start: str = "14:00", end: str = "16:00") -> IntervalCube:
    loads = cube(["u"], FIRST, D, 1000.0)
    put(loads, "u", D, 800.0, start, end)
    return loads


def system_with_day(
    values: float | list[float], start: str = "10:00", end: str = "13:00"
) -> IntervalCube:
    """System load 1000 MW on every day before D; on D 5000 except ``values`` over [start, end)."""
    system = system_cube(d("2024-05-31"), D)
    put(system, SYSTEM, D, 5000.0)
    put(system, SYSTEM, D, values, start, end)
    return system


def run(
    system: IntervalCube,
    loads: IntervalCube | None = None,
    start: str = "14:00",
    end: str = "16:00",
    mode: Mode = Mode.DAY_AHEAD,
) -> EventAssessment:
    ev = event(window(D, start, end), award("u", 250), mode=mode)
    return assess(ev, [user("u")], account_loads(start, end) if loads is None else loads, system)


def test_adjustment_window_is_t_minus_4h_to_t_minus_1h() -> None:
    # 14:00 is interval 56: [10:00, 13:00) = intervals 40 … 51, 12 of them.
    assert adjustment_window(window(D, "14:00", "16:00")) == (40, 12)
    # 02:00 is interval 8: [22:00 the day before, 01:00) starts at offset 8 - 16 = -8.
    assert adjustment_window(window(D, "02:00", "03:00")) == (-8, 12)


def test_factor_1_1_scales_the_baseline() -> None:
    # 09:45 and 13:00–13:45 on D are 5000 MW: outside [T-4h, T-1h), so they must not count.
    result = run(system_with_day(1100.0))
    assert result.status == (Status.OK,)
    assert result.baseline_days == (BASELINE_DAYS,)
    assert result.adjustment_factor[0] == pytest.approx(1.1, abs=1e-12)  # 1100 / 1000
    np.testing.assert_allclose(result.baseline_unadjusted[0], 1000.0, atol=1e-9)
    np.testing.assert_allclose(result.baseline[0], 1100.0, atol=1e-9)  # 1000 × 1.1
    assert result.baseline_stats.avg[0] == pytest.approx(1100.0, abs=1e-9)
    assert result.response_kw[0] == pytest.approx(300.0, abs=1e-9)  # 1100 − 800


def test_reference_is_the_mean_over_the_chosen_days_only() -> None:
    system = system_with_day(1100.0)
    levels = {
        "2024-07-15": 900.0,
        "2024-07-12": 950.0,
        "2024-07-11": 1000.0,
        "2024-07-10": 1050.0,
        "2024-07-09": 1100.0,
    }
    for text, level in levels.items():
        put(system, SYSTEM, d(text), level)
    put(system, SYSTEM, d("2024-07-08"), 5000.0)  # 6th workday back: not a baseline day
    put(system, SYSTEM, d("2024-07-13"), 5000.0)  # weekend: not a baseline day
    put(system, SYSTEM, d("2024-07-16"), 5000.0)  # D-1: not a baseline day
    result = run(system)
    # (900 + 950 + 1000 + 1050 + 1100) / 5 = 5000 / 5 = 1000 → factor 1100 / 1000 = 1.1
    assert result.adjustment_factor[0] == pytest.approx(1.1, abs=1e-12)
    np.testing.assert_allclose(result.baseline[0], 1100.0, atol=1e-9)


@pytest.mark.parametrize(
    ("day_values", "factor"),
    [
        ([1300.0] * 12, 1.2),  # raw 1300 / 1000 = 1.3 → clamped to 1.2
        ([700.0] * 12, 0.8),  # raw 0.7 → clamped to 0.8
        ([1150.0, 1250.0] * 6, 1.2),  # (6 × 1150 + 6 × 1250) / 12 = 14400 / 12 = 1200 → exactly 1.2
        ([750.0, 850.0] * 6, 0.8),  # (6 × 750 + 6 × 850) / 12 = 9600 / 12 = 800 → exactly 0.8
        ([1190.0, 1210.0] * 6, 1.2),  # 1200 again
        ([1195.0] * 12, 1.195),  # just inside the clamp
    ],
)
def test_factor_is_clamped_to_0_8_and_1_2(day_values: list[float], factor: float) -> None:
    result = run(system_with_day(day_values))
    assert result.status == (Status.OK,)
    assert result.adjustment_factor[0] == pytest.approx(factor, abs=1e-12)
    np.testing.assert_allclose(result.baseline[0], 1000.0 * factor, atol=1e-9)


def test_window_at_02_00_reaches_into_the_previous_day() -> None:
    system = system_cube(d("2024-05-31"), D)
    put(system, SYSTEM, d("2024-07-16"), 1300.0, "22:00", "24:00")  # 8 intervals of D-1
    put(system, SYSTEM, D, 700.0, "00:00", "01:00")  # 4 intervals of D
    put(system, SYSTEM, D, 5000.0, "01:00", "24:00")  # T-1h onwards: not used
    put(system, SYSTEM, d("2024-07-16"), 5000.0, "21:45", "22:00")  # just before T-4h
    result = run(system, start="02:00", end="03:00")
    assert result.status == (Status.OK,)
    # (8 × 1300 + 4 × 700) / 12 = (10400 + 2800) / 12 = 13200 / 12 = 1100 → 1100 / 1000 = 1.1
    assert result.adjustment_factor[0] == pytest.approx(1.1, abs=1e-12)
    np.testing.assert_allclose(result.baseline[0], 1100.0, atol=1e-9)


def test_window_at_02_00_needs_the_previous_days_system_load_on_baseline_days() -> None:
    system = system_cube(d("2024-05-31"), D)
    put(system, SYSTEM, d("2024-07-14"), np.nan, "23:00", "23:15")  # evening before 15 Jul (D-2)
    result = run(system, start="02:00", end="03:00")
    assert result.status == (Status.MISSING_DATA,)


def test_missing_system_load_on_d_is_missing_data() -> None:
    system = system_with_day(1100.0)
    put(system, SYSTEM, D, np.nan, "11:00", "11:15")
    result = run(system)
    assert result.status == (Status.MISSING_DATA,)
    assert np.isnan(result.adjustment_factor[0])
    assert np.isnan(result.baseline[0]).all()
    assert np.isnan(result.response_kw[0])
    assert not result.effective[0]
    assert str(result.subsidy_cny[0]) == "0.00"


def test_missing_system_load_on_a_chosen_baseline_day_is_missing_data() -> None:
    system = system_with_day(1100.0)
    put(system, SYSTEM, d("2024-07-15"), np.nan, "12:45", "13:00")
    assert run(system).status == (Status.MISSING_DATA,)


def test_missing_system_load_on_days_not_chosen_does_not_matter() -> None:
    system = system_with_day(1100.0)
    put(system, SYSTEM, d("2024-07-08"), np.nan, "11:00", "11:15")  # 6th workday back
    put(system, SYSTEM, d("2024-07-13"), np.nan, "11:00", "11:15")  # Saturday
    put(system, SYSTEM, d("2024-07-16"), np.nan, "11:00", "11:15")  # D-1
    put(system, SYSTEM, d("2024-07-15"), np.nan, "13:00", "13:15")  # chosen, but after T-1h
    result = run(system)
    assert result.status == (Status.OK,)
    assert result.adjustment_factor[0] == pytest.approx(1.1, abs=1e-12)


def test_missing_actual_load_on_d_in_the_window_is_missing_data() -> None:
    loads = account_loads()
    put(loads, "u", D, np.nan, "15:45", "16:00")
    result = run(system_with_day(1100.0), loads)
    assert result.status == (Status.MISSING_DATA,)
    assert np.isnan(result.actual[0]).all()


def test_missing_actual_load_outside_the_window_does_not_matter() -> None:
    loads = account_loads()
    put(loads, "u", D, np.nan, "16:00", "16:15")
    put(loads, "u", D, np.nan, "13:45", "14:00")
    assert run(system_with_day(1100.0), loads).status == (Status.OK,)


def test_baseline_unavailable_wins_over_missing_data() -> None:
    loads = cube(["u"], FIRST, D)  # no earlier day has data
    put(loads, "u", D, 800.0, "14:00", "15:45")  # and 15:45 on D is missing
    system = system_with_day(1100.0)
    put(system, SYSTEM, D, np.nan, "11:00", "11:15")  # and so is system load on D
    result = run(system, loads)
    assert result.status == (Status.BASELINE_UNAVAILABLE,)


def test_realtime_is_not_adjusted_and_needs_no_system_load() -> None:
    loads = cube(["u"], FIRST, D, 1000.0)
    put(loads, "u", D, 800.0, "14:00", "15:00")
    system = cube([SYSTEM], d("2024-05-31"), D)  # every value missing
    result = run(system, loads, start="14:00", end="15:00", mode=Mode.REALTIME)
    assert result.status == (Status.OK,)
    assert result.adjustment_factor[0] == 1.0
    np.testing.assert_allclose(result.baseline[0], 1000.0, atol=1e-9)


def test_adjustment_factor_function_per_row() -> None:
    system_on_day = np.full(12, 1100.0)
    candidates = np.array([[1000.0] * 12, [1100.0] * 12, [np.nan] * 12, [500.0] * 12])
    chosen = np.array(
        [
            [True, False, False, False],  # 1100 / 1000 = 1.1
            [True, True, False, False],  # 1100 / ((1000 + 1100) / 2) = 1100 / 1050 = 1.047619…
            [True, False, True, False],  # a chosen day without system load → NaN
            [False, False, False, True],  # 1100 / 500 = 2.2 → 1.2
            [False, False, False, False],  # no baseline day → NaN
        ]
    )
    factor = adjustment_factor(system_on_day, candidates, chosen)
    np.testing.assert_allclose(factor[[0, 1, 3]], [1.1, 1100 / 1050, 1.2], rtol=0, atol=1e-12)
    assert np.isnan(factor[2])
    assert np.isnan(factor[4])
