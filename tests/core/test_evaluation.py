"""R6 evaluation on worked examples: response, ratio, effectiveness and non-execution.

``single_user_case`` gives one user on 2024-07-17 with W = 14:00–16:00 (8 intervals, 2 h) whose
baseline over W is exactly the curve given and whose adjustment factor is 1, so every figure
below follows from the two curves and the award.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from builders import (
    CASE_DAY,
    SYSTEM,
    assess,
    award,
    cube,
    d,
    event,
    put,
    single_user_case,
    system_cube,
    user,
    window,
)

from gzvpp.core.assessment import EventAssessment, Status
from gzvpp.core.evaluation import (
    is_effective,
    is_non_execution,
    response_kw,
    response_ratio,
    window_stats,
)
from gzvpp.core.model import Direction

PEAK, VALLEY = Direction.PEAK, Direction.VALLEY


def figures(result: EventAssessment) -> tuple[float, float, bool, bool]:
    assert result.status == (Status.OK,)
    return (
        round(float(result.response_kw[0]), 3),  # strip float noise below the watt
        float(result.response_ratio[0]),
        bool(result.effective[0]),
        bool(result.non_execution[0]),
    )


# --- peak ---------------------------------------------------------------------------------------


def test_peak_ratio_exactly_0_8_is_effective() -> None:
    result = single_user_case(1000.0, 200.0, 1000)
    assert result.baseline_stats.avg[0] == 1000.0
    assert result.baseline_stats.max[0] == 1000.0
    assert result.actual_stats.avg[0] == 200.0
    assert result.actual_stats.max[0] == 200.0
    # response 1000 − 200 = 800; ratio 800 / 1000 = 0.8 ≥ 0.8; actual max 200 < 1000
    assert figures(result) == (800.0, 0.8, True, False)


def test_peak_ratio_0_799999_is_not_effective() -> None:
    result = single_user_case(1000.0, 200.001, 1000)
    # response 1000 − 200.001 = 799.999; 799.999 / 1000 = 0.799999 < 0.8
    assert figures(result) == (799.999, 0.799999, False, False)
    assert result.effective_energy_kwh[0] == 0.0
    assert result.subsidy_cny == (Decimal("0.00"),)


def test_peak_ratio_1_2_is_effective_and_paid_in_full() -> None:
    result = single_user_case(1000.0, 400.0, 500)
    # response 600; 600 / 500 = 1.2; energy min(600, 1.2 × 500 = 600) × 2 h = 1200 kWh
    assert figures(result) == (600.0, 1.2, True, False)
    assert result.response_energy_kwh[0] == 1200.0
    assert result.effective_energy_kwh[0] == 1200.0


def test_peak_ratio_1_3_is_effective_and_capped_at_1_2_times_award() -> None:
    result = single_user_case(1000.0, 350.0, 500)
    # response 650; 650 / 500 = 1.3 — still effective (封顶, not disqualified)
    assert figures(result) == (650.0, 1.3, True, False)
    assert result.response_energy_kwh[0] == 1300.0  # 650 × 2 h
    assert result.effective_energy_kwh[0] == 1200.0  # min(650, 600) × 2 h
    # 1200 kWh × 3 CNY/kWh × 1 (day-ahead) = 3600.00
    assert result.subsidy_cny == (Decimal("3600.00"),)


def test_non_execution_at_0_5_is_not_but_0_499999_is() -> None:
    at = single_user_case(1000.0, 500.0, 1000)
    # 500 / 1000 = 0.5: not < 0.5, and not ≥ 0.8 either
    assert figures(at) == (500.0, 0.5, False, False)
    below = single_user_case(1000.0, 500.001, 1000)
    # 499.999 / 1000 = 0.499999 < 0.5
    assert figures(below) == (499.999, 0.499999, False, True)


def test_peak_actual_max_equal_to_baseline_max_is_not_effective() -> None:
    baseline = [1000.0] * 7 + [1200.0]
    result = single_user_case(baseline, [700.0] * 7 + [1200.0], 300)
    # baseline avg (7 × 1000 + 1200) / 8 = 8200 / 8 = 1025; max 1200
    # actual avg (7 × 700 + 1200) / 8 = 6100 / 8 = 762.5; max 1200 — not < 1200
    # response 1025 − 762.5 = 262.5; 262.5 / 300 = 0.875
    assert result.baseline_stats.avg[0] == 1025.0
    assert result.actual_stats.max[0] == result.baseline_stats.max[0] == 1200.0
    assert figures(result) == (262.5, 0.875, False, False)
    assert result.subsidy_cny == (Decimal("0.00"),)


def test_peak_actual_max_just_below_baseline_max_is_effective() -> None:
    baseline = [1000.0] * 7 + [1200.0]
    result = single_user_case(baseline, [700.0] * 7 + [1199.999], 300)
    # actual avg (4900 + 1199.999) / 8 = 6099.999 / 8 = 762.499875 → 762.500 (0.001 kW half-up)
    # response 1025 − 762.5 = 262.5; ratio 0.875; max 1199.999 < 1200
    assert result.actual_stats.avg[0] == 762.5
    assert figures(result) == (262.5, 0.875, True, False)
    # 262.5 kW × 2 h = 525 kWh; × 3 CNY/kWh × 1 = 1575.00
    assert result.effective_energy_kwh[0] == 525.0
    assert result.subsidy_cny == (Decimal("1575.00"),)


# --- valley -------------------------------------------------------------------------------------


def test_valley_ratio_0_8_is_effective() -> None:
    result = single_user_case(1000.0, 1800.0, 1000, direction=VALLEY, price="2")
    # response 1800 − 1000 = 800; 800 / 1000 = 0.8; actual min 1800 > 1000
    assert figures(result) == (800.0, 0.8, True, False)
    # 800 kW × 2 h = 1600 kWh × 2 CNY/kWh × 1 = 3200.00
    assert result.subsidy_cny == (Decimal("3200.00"),)


def test_valley_ratio_0_799999_is_not_effective() -> None:
    result = single_user_case(1000.0, 1799.999, 1000, direction=VALLEY, price="2")
    assert figures(result) == (799.999, 0.799999, False, False)


def test_valley_actual_min_equal_to_baseline_min_is_not_effective() -> None:
    baseline = [1000.0] * 7 + [800.0]
    result = single_user_case(baseline, [2000.0] * 7 + [800.0], 1000, direction=VALLEY, price="2")
    # baseline avg (7000 + 800) / 8 = 975; actual avg (14000 + 800) / 8 = 1850
    # response 1850 − 975 = 875; 875 / 1000 = 0.875; min 800 is not > 800
    assert result.baseline_stats.min[0] == result.actual_stats.min[0] == 800.0
    assert figures(result) == (875.0, 0.875, False, False)


def test_valley_actual_min_just_above_baseline_min_is_effective() -> None:
    baseline = [1000.0] * 7 + [800.0]
    result = single_user_case(baseline, [2000.0] * 7 + [800.001], 1000, direction=VALLEY, price="2")
    # actual avg (14000 + 800.001) / 8 = 1850.000125 → 1850.000; response 875; min 800.001 > 800
    assert figures(result) == (875.0, 0.875, True, False)


def test_valley_load_below_baseline_is_a_negative_response() -> None:
    result = single_user_case(1000.0, 900.0, 100, direction=VALLEY, price="2")
    # response 900 − 1000 = −100; −100 / 100 = −1 < 0.5
    assert figures(result) == (-100.0, -1.0, False, True)
    assert result.score[0] == 0.0
    assert result.effective_energy_kwh[0] == 0.0


# --- rounding before the threshold tests ----------------------------------------------------


def test_loads_are_rounded_to_0_001_before_max_comparison() -> None:
    result = single_user_case([1000.0004] + [900.0] * 7, [999.9996] + [500.0] * 7, 400)
    # baseline max 1000.0004 → 1000.000; actual max 999.9996 → 1000.000: equal, so not effective
    # (unrounded, 999.9996 < 1000.0004 would pass).
    # baseline avg (1000.0004 + 6300) / 8 = 912.50005 → 912.500
    # actual avg (999.9996 + 3500) / 8 = 562.49995 → 562.500
    # response 912.5 − 562.5 = 350; 350 / 400 = 0.875
    assert result.baseline_stats.max[0] == 1000.0
    assert result.actual_stats.max[0] == 1000.0
    assert result.baseline_stats.avg[0] == 912.5
    assert result.actual_stats.avg[0] == 562.5
    assert figures(result) == (350.0, 0.875, False, False)


def test_average_load_is_rounded_half_up_before_the_ratio() -> None:
    result = single_user_case(1000.0, 200.0005, 1000)
    # actual avg 200.0005 → 200.001 (half-up); response 799.999; ratio 0.799999 → not effective.
    # Unrounded, 799.9995 / 1000 = 0.7999995 would round to 0.8 and pass.
    assert result.actual_stats.avg[0] == 200.001
    assert figures(result) == (799.999, 0.799999, False, False)


def test_ratio_is_rounded_half_up_to_6_decimals_before_the_test() -> None:
    result = single_user_case(2000.0, 400.001, 2000)
    # response 2000 − 400.001 = 1599.999; 1599.999 / 2000 = 0.7999995 → 0.800000 ≥ 0.8
    assert figures(result) == (1599.999, 0.8, True, False)
    # 1599.999 kW × 2 h = 3199.998 kWh × 3 CNY/kWh = 9599.994 → 9599.99
    assert result.effective_energy_kwh[0] == pytest.approx(3199.998, abs=1e-9)
    assert result.subsidy_cny == (Decimal("9599.99"),)


def test_ratio_just_under_a_half_in_the_7th_decimal_rounds_down() -> None:
    result = single_user_case(20000.0, 10400.806, 11999)
    # response 20000 − 10400.806 = 9599.194 kW, award 11999 kW
    # 11999 × 0.7999995 = 9599.2 − 0.0059995 = 9599.1940005 > 9599.194,
    # so the ratio 9599.194 / 11999 = 0.79999949995… lies below 0.7999995 → 0.799999: not effective.
    assert figures(result) == (9599.194, 0.799999, False, False)
    assert result.subsidy_cny == (Decimal("0.00"),)


def test_adjusted_baseline_just_under_half_a_watt_rounds_down() -> None:
    day = CASE_DAY
    loads = cube(["u"], d("2024-07-01"), day, 1000.0)
    put(loads, "u", day, 200.0, "14:00", "16:00")
    system = system_cube(d("2024-06-30"), day, 100000.0)
    put(system, SYSTEM, day, 100000.049996, "10:00", "13:00")
    result = assess(
        event(window(day, "14:00", "16:00"), award("u", 1000)), [user("u")], loads, system
    )
    # factor 100000.049996 / 100000 = 1.00000049996; baseline 1000 × 1.00000049996 = 1000.00049996
    # half-up to 0.001 kW: the 4th decimal is 4 → 1000.000; response 1000 − 200 = 800; ratio 0.8
    assert result.baseline_stats.avg[0] == 1000.0
    assert result.baseline_stats.max[0] == 1000.0
    assert result.response_kw[0] == 800.0
    assert result.response_ratio[0] == 0.8


# --- the functions on their own -------------------------------------------------------------


def test_window_stats_round_half_up_to_the_watt() -> None:
    stats = window_stats(np.array([[1.0005, 2.0, 3.0015], [10.0, 10.0, 10.0]]))
    # avg (1.0005 + 2 + 3.0015) / 3 = 6.002 / 3 = 2.000666… → 2.001
    # max 3.0015 → 3.002 (half-up); min 1.0005 → 1.001 (half-up)
    np.testing.assert_array_equal(stats.avg, [2.001, 10.0])
    np.testing.assert_array_equal(stats.max, [3.002, 10.0])
    np.testing.assert_array_equal(stats.min, [1.001, 10.0])


def test_response_and_ratio_functions() -> None:
    base, act = np.array([1000.0, 500.0]), np.array([200.0, 700.0])
    np.testing.assert_array_equal(response_kw(base, act, PEAK), [800.0, -200.0])
    np.testing.assert_array_equal(response_kw(base, act, VALLEY), [-800.0, 200.0])
    # 1 / 3 = 0.3333333… → 0.333333; 2 / 3 = 0.6666666… → 0.666667
    np.testing.assert_array_equal(
        response_ratio(np.array([1.0, 2.0]), np.array([3.0, 3.0])), [0.333333, 0.666667]
    )


def test_is_effective_and_non_execution_functions() -> None:
    stats = window_stats(np.array([[1000.0, 1000.0]]))
    low = window_stats(np.array([[100.0, 200.0]]))
    assert is_effective(PEAK, stats, low, np.array([0.8])).tolist() == [True]
    assert is_effective(PEAK, stats, low, np.array([0.799999])).tolist() == [False]
    assert is_effective(PEAK, stats, stats, np.array([1.0])).tolist() == [False]  # max equal
    assert is_effective(VALLEY, low, stats, np.array([1.3])).tolist() == [True]
    assert is_non_execution(np.array([0.5, 0.499999, np.nan, -0.2])).tolist() == [
        False,
        True,
        False,
        True,
    ]
