"""R4 baselines, worked by hand: which days are chosen and the mean load over them.

The system load is flat in every test here, so the adjustment factor is 1 and the adjusted
baseline equals the unadjusted one (R5 is tested in test_adjustment.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from builders import (
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

from gzvpp.core.assessment import EventAssessment, Status, response_days
from gzvpp.core.grid import Window
from gzvpp.core.model import Direction, Mode
from gzvpp.core.timeseries import IntArray, IntervalCube, date_of, day_number

D = d("2024-07-17")  # Wednesday; D-1 = 16 Jul (Tue); 13–14 Jul is a weekend
FIRST = d("2024-05-01")


def graded(day: dt.date, first: dt.date = FIRST, actual: float = 800.0) -> IntervalCube:
    """Account ``u`` at 1000 + 10 × (days before ``day``) on earlier days, ``actual`` on ``day``.

    So D-1 = 1010, D-2 = 1020, … and each chosen day is recognisable from its level.
    """
    loads = cube(["u"], first, day)
    for k in range((day - first).days):
        put(loads, "u", day - dt.timedelta(days=k + 1), 1000.0 + 10 * (k + 1))
    put(loads, "u", day, actual)
    return loads


def run(
    loads: IntervalCube,
    day: dt.date = D,
    responded: dict[str, IntArray] | None = None,
    start: str = "14:00",
    end: str = "16:00",
    mode: Mode = Mode.DAY_AHEAD,
) -> EventAssessment:
    first = date_of(int(loads.days[0])) - dt.timedelta(days=1)
    ev = event(window(day, start, end), award("u", 100), mode=mode)
    return assess(ev, [user("u")], loads, system_cube(first, day), responded=responded)


def days(*texts: str) -> tuple[dt.date, ...]:
    return tuple(d(t) for t in texts)


def assert_flat_baseline(result: EventAssessment, level: float) -> None:
    assert result.status == (Status.OK,)
    np.testing.assert_allclose(result.baseline_unadjusted[0], level, rtol=0, atol=1e-9)
    np.testing.assert_allclose(result.baseline[0], level, rtol=0, atol=1e-9)


# --- workday baseline ---------------------------------------------------------------------------


def test_workday_takes_first_five_workdays_from_d_minus_2() -> None:
    result = run(graded(D))
    assert result.baseline_type == "workday"
    # D-1 (16 Jul, 1010) is never used; the weekend 13/14 Jul (1040/1030) is skipped.
    assert result.baseline_days == (
        days("2024-07-09", "2024-07-10", "2024-07-11", "2024-07-12", "2024-07-15"),
    )
    # 15 Jul = D-2 → 1020, 12 Jul = D-5 → 1050, 11 → 1060, 10 → 1070, 9 → 1080
    # (1020 + 1050 + 1060 + 1070 + 1080) / 5 = 5280 / 5 = 1056
    assert_flat_baseline(result, 1056.0)


def test_workday_skips_a_response_day_of_the_participant() -> None:
    result = run(graded(D), responded=history(u=[d("2024-07-12")]))
    assert result.baseline_days == (
        days("2024-07-08", "2024-07-09", "2024-07-10", "2024-07-11", "2024-07-15"),
    )
    # 15 → 1020, 11 → 1060, 10 → 1070, 9 → 1080, 8 Jul = D-9 → 1090
    # (1020 + 1060 + 1070 + 1080 + 1090) / 5 = 5320 / 5 = 1064
    assert_flat_baseline(result, 1064.0)


def test_workday_ignores_another_participants_response_day() -> None:
    result = run(graded(D), responded=history(v=[d("2024-07-12")]))
    assert_flat_baseline(result, 1056.0)  # as in the first test: 5280 / 5


def test_response_days_come_from_awards_of_non_cancelled_events() -> None:
    events = [
        event(window(d("2024-07-12"), "10:00", "11:00"), award("u", 10), event_id="A"),
        event(
            window(d("2024-07-11"), "10:00", "11:00"), award("u", 10), event_id="B", cancelled=True
        ),
        event(window(d("2024-07-10"), "10:00", "11:00"), award("v", 10), event_id="C"),
    ]
    responded = response_days(events)
    assert sorted(responded) == ["u", "v"]
    result = run(graded(D), responded=responded)
    # Only 12 Jul is u's response day: as the test above, 5320 / 5 = 1064.
    assert result.baseline_days == (
        days("2024-07-08", "2024-07-09", "2024-07-10", "2024-07-11", "2024-07-15"),
    )
    assert_flat_baseline(result, 1064.0)


def overnight(day: dt.date, start: str, end: str) -> Window:
    """The window from ``start`` on ``day`` to ``end`` on the next day."""
    return Window.from_times(
        dt.datetime.combine(day, dt.time.fromisoformat(start)),
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.fromisoformat(end)),
    )


def test_a_window_across_midnight_makes_both_dates_response_days() -> None:
    valley = event(
        overnight(d("2024-07-11"), "23:00", "01:00"), award("u", 10), direction=Direction.VALLEY
    )
    responded = response_days([valley])
    assert responded["u"].tolist() == [day_number(d("2024-07-11")), day_number(d("2024-07-12"))]
    result = run(graded(D), responded=responded)
    # Neither 11 nor 12 Jul serves: 15 Jul = D-2 → 1020, 10 → 1070, 9 → 1080, 8 → 1090,
    # 5 Jul = D-12 → 1120; (1020 + 1070 + 1080 + 1090 + 1120) / 5 = 5380 / 5 = 1076
    assert result.baseline_days == (
        days("2024-07-05", "2024-07-08", "2024-07-09", "2024-07-10", "2024-07-15"),
    )
    assert_flat_baseline(result, 1076.0)


def test_a_window_ending_at_midnight_touches_only_its_start_date() -> None:
    late = event(overnight(d("2024-07-11"), "22:00", "00:00"), award("u", 10))
    responded = response_days([late])
    assert responded["u"].tolist() == [day_number(d("2024-07-11"))]
    result = run(graded(D), responded=responded)
    # 12 Jul serves again: 15 → 1020, 12 → 1050, 10 → 1070, 9 → 1080, 8 → 1090;
    # (1020 + 1050 + 1070 + 1080 + 1090) / 5 = 5310 / 5 = 1062
    assert result.baseline_days == (
        days("2024-07-08", "2024-07-09", "2024-07-10", "2024-07-12", "2024-07-15"),
    )
    assert_flat_baseline(result, 1062.0)


def test_workday_skips_a_day_missing_one_interval_in_the_window() -> None:
    loads = graded(D)
    put(loads, "u", d("2024-07-15"), np.nan, "15:45", "16:00")  # last interval of W
    result = run(loads)
    assert result.baseline_days == (
        days("2024-07-08", "2024-07-09", "2024-07-10", "2024-07-11", "2024-07-12"),
    )
    # (1050 + 1060 + 1070 + 1080 + 1090) / 5 = 5350 / 5 = 1070
    assert_flat_baseline(result, 1070.0)


def test_workday_keeps_a_day_missing_data_only_outside_the_window() -> None:
    loads = graded(D)
    put(loads, "u", d("2024-07-15"), np.nan, "13:45", "14:00")
    put(loads, "u", d("2024-07-15"), np.nan, "16:00", "16:15")
    assert_flat_baseline(run(loads), 1056.0)  # 5280 / 5 as in the first test


def test_workday_with_fewer_than_five_days_uses_those_found() -> None:
    loads = cube(["u"], FIRST, D)
    put(loads, "u", d("2024-07-15"), 1020.0)
    put(loads, "u", d("2024-07-11"), 1060.0)
    put(loads, "u", D, 800.0)
    result = run(loads)
    assert result.baseline_days == (days("2024-07-11", "2024-07-15"),)
    assert_flat_baseline(result, 1040.0)  # (1020 + 1060) / 2 = 1040


def test_workday_with_no_day_is_unavailable() -> None:
    loads = cube(["u"], FIRST, D)
    put(loads, "u", d("2024-07-16"), 1010.0)  # only D-1, which never counts
    put(loads, "u", D, 800.0)
    result = run(loads)
    assert result.status == (Status.BASELINE_UNAVAILABLE,)
    assert result.baseline_days == ((),)
    assert np.isnan(result.baseline[0]).all()
    assert np.isnan(result.response_kw[0])


def test_workday_lookback_reaches_d_minus_61_not_d_minus_62() -> None:
    # D-61 = 17 May 2024 (Friday), D-62 = 16 May (Thursday): both ordinary workdays.
    assert D - dt.timedelta(days=61) == d("2024-05-17")
    loads = cube(["u"], FIRST, D)
    put(loads, "u", d("2024-05-17"), 1610.0)
    put(loads, "u", d("2024-05-16"), 1620.0)
    put(loads, "u", D, 800.0)
    result = run(loads)
    assert result.baseline_days == (days("2024-05-17"),)
    assert_flat_baseline(result, 1610.0)

    put(loads, "u", d("2024-05-17"), np.nan)  # now only D-62 has data
    assert run(loads).status == (Status.BASELINE_UNAVAILABLE,)


def test_workday_takes_adjusted_working_saturday_and_skips_holidays() -> None:
    day = d("2025-10-13")  # Monday after National Day (1–8 Oct); 11 Oct (Sat) was worked
    result = run(graded(day, first=d("2025-08-01")), day=day)
    assert result.baseline_days == (
        days("2025-09-29", "2025-09-30", "2025-10-09", "2025-10-10", "2025-10-11"),
    )
    # 11 Oct = D-2 → 1020, 10 → 1030, 9 → 1040, 30 Sep = D-13 → 1130, 29 Sep = D-14 → 1140
    # (1020 + 1030 + 1040 + 1130 + 1140) / 5 = 5360 / 5 = 1072
    assert_flat_baseline(result, 1072.0)


# --- restday baseline ---------------------------------------------------------------------------


def test_restday_takes_three_restdays_from_d_minus_2() -> None:
    day = d("2024-07-21")  # Sunday; D-1 = Saturday 20 Jul, never used
    result = run(graded(day), day=day)
    assert result.baseline_type == "restday"
    assert result.baseline_days == (days("2024-07-07", "2024-07-13", "2024-07-14"),)
    # 14 Jul = D-7 → 1070, 13 Jul = D-8 → 1080, 7 Jul = D-14 → 1140; (1070+1080+1140)/3 = 3290/3
    assert_flat_baseline(result, 3290 / 3)


def test_restday_skips_a_response_day() -> None:
    day = d("2024-07-21")
    result = run(graded(day), day=day, responded=history(u=[d("2024-07-13")]))
    assert result.baseline_days == (days("2024-07-06", "2024-07-07", "2024-07-14"),)
    # 14 → 1070, 7 → 1140, 6 Jul = D-15 → 1150; (1070 + 1140 + 1150) / 3 = 3360 / 3 = 1120
    assert_flat_baseline(result, 1120.0)


def test_restday_never_picks_holidays_or_adjusted_workdays() -> None:
    day = d("2025-10-12")  # Sunday; 1–8 Oct are holidays, 28 Sep (Sun) and 11 Oct (Sat) worked
    result = run(graded(day, first=d("2025-08-01")), day=day)
    assert result.baseline_type == "restday"
    assert result.baseline_days == (days("2025-09-20", "2025-09-21", "2025-09-27"),)
    # 27 Sep = D-15 → 1150, 21 Sep = D-21 → 1210, 20 Sep = D-22 → 1220
    # (1150 + 1210 + 1220) / 3 = 3580 / 3
    assert_flat_baseline(result, 3580 / 3)


# --- holiday baseline ---------------------------------------------------------------------------

DECOY = 5000.0  # the load on every day that must not be picked


def decoyed(day: dt.date, first: dt.date, levels: dict[str, float]) -> IntervalCube:
    """``u`` at DECOY every day, ``levels`` on the named days, 800 on D."""
    loads = cube(["u"], first, day, DECOY)
    for text, level in levels.items():
        put(loads, "u", d(text), level)
    put(loads, "u", day, 800.0)
    return loads


def test_holiday_takes_all_days_of_the_same_holiday_a_year_before() -> None:
    day = d("2025-10-03")  # National Day; 2024's period is 1–7 Oct
    levels = {f"2024-10-0{i + 1}": 1000.0 + 10 * i for i in range(7)}
    result = run(decoyed(day, d("2023-08-01"), levels), day=day)
    assert result.baseline_type == "holiday"
    assert result.baseline_days == (tuple(d(t) for t in levels),)
    # (1000 + 1010 + … + 1060) / 7 = (7000 + 210) / 7 = 1030
    assert_flat_baseline(result, 1030.0)


def test_mid_autumn_inside_national_day_uses_last_years_mid_autumn() -> None:
    day = d("2025-10-06")  # Mid-autumn Festival, inside 2025's National Day period
    levels = {"2024-09-15": 1100.0, "2024-09-16": 1200.0, "2024-09-17": 1300.0}
    result = run(decoyed(day, d("2023-08-01"), levels), day=day)
    assert result.baseline_days == (days(*levels),)
    assert_flat_baseline(result, 1200.0)  # (1100 + 1200 + 1300) / 3 = 3600 / 3


def test_holiday_period_crossing_a_year_end() -> None:
    day = d("2025-01-01")  # New Year's Day; 2024's period is 30 Dec 2023 – 1 Jan 2024
    levels = {"2023-12-30": 1100.0, "2023-12-31": 1200.0, "2024-01-01": 1600.0}
    result = run(decoyed(day, d("2022-11-01"), levels), day=day)
    assert result.baseline_days == (days(*levels),)
    assert_flat_baseline(result, 1300.0)  # (1100 + 1200 + 1600) / 3 = 3900 / 3


NEW_YEAR_LEVELS = {
    "2023-12-30": 1100.0,
    "2023-12-31": 1200.0,
    "2024-01-01": 1600.0,
    # two years before 2025-01-01: 31 Dec 2022 – 2 Jan 2023
    "2022-12-31": 1300.0,
    "2023-01-01": 1400.0,
    "2023-01-02": 1500.0,
}


def test_holiday_falls_back_two_years_when_no_day_of_last_year_qualifies() -> None:
    day = d("2025-01-01")
    loads = decoyed(day, d("2022-11-01"), NEW_YEAR_LEVELS)
    put(loads, "u", d("2024-01-01"), np.nan, "14:30", "14:45")  # missing data
    responded = history(u=[d("2023-12-30"), d("2023-12-31")])  # response days
    result = run(loads, day=day, responded=responded)
    assert result.baseline_days == (days("2022-12-31", "2023-01-01", "2023-01-02"),)
    assert_flat_baseline(result, 1400.0)  # (1300 + 1400 + 1500) / 3 = 4200 / 3


def test_holiday_keeps_last_year_when_one_day_qualifies() -> None:
    day = d("2025-01-01")
    loads = decoyed(day, d("2022-11-01"), NEW_YEAR_LEVELS)
    put(loads, "u", d("2023-12-31"), np.nan, "14:30", "14:45")
    result = run(loads, day=day, responded=history(u=[d("2023-12-30")]))
    assert result.baseline_days == (days("2024-01-01"),)
    assert_flat_baseline(result, 1600.0)


def test_holiday_with_no_day_in_either_year_is_unavailable() -> None:
    day = d("2025-01-01")
    loads = decoyed(day, d("2022-11-01"), {t: np.nan for t in NEW_YEAR_LEVELS})
    result = run(loads, day=day)
    assert result.status == (Status.BASELINE_UNAVAILABLE,)
    assert result.baseline_days == ((),)


# --- real-time baseline -------------------------------------------------------------------------


def test_realtime_baseline_is_the_flat_mean_of_two_intervals_before_start() -> None:
    loads = cube(["u"], d("2024-07-16"), D, 7000.0)
    put(loads, "u", D, 5000.0, "13:15", "13:30")  # three intervals before: not used
    put(loads, "u", D, [1000.0, 1010.0], "13:30", "14:00")
    put(loads, "u", D, 900.0, "14:00", "15:00")
    result = run(loads, start="14:00", end="15:00", mode=Mode.REALTIME)
    assert result.baseline_type == "realtime"
    assert result.baseline_days == ((),)
    assert_flat_baseline(result, 1005.0)  # (1000 + 1010) / 2
    assert result.baseline.shape == (1, 4)
    assert result.adjustment_factor[0] == 1.0
    assert np.isnan(result.score[0])  # real-time responses are not scored


def test_realtime_window_at_00_15_reads_23_45_of_the_day_before() -> None:
    loads = cube(["u"], d("2024-07-16"), D, 7000.0)
    put(loads, "u", d("2024-07-16"), 5000.0, "23:30", "23:45")
    put(loads, "u", d("2024-07-16"), 900.0, "23:45", "24:00")
    put(loads, "u", D, 1000.0, "00:00", "00:15")
    put(loads, "u", D, 700.0, "00:15", "01:00")
    result = run(loads, start="00:15", end="01:00", mode=Mode.REALTIME)
    assert_flat_baseline(result, 950.0)  # (900 + 1000) / 2


@pytest.mark.parametrize("missing", ["13:30", "13:45"])
@pytest.mark.parametrize("window_too", [False, True])
def test_realtime_with_either_interval_missing_is_unavailable(
    missing: str, window_too: bool
) -> None:
    # RULES.md R4 (reading): the baseline's own inputs missing is baseline_unavailable, also
    # when the window misses data as well (the baseline is judged first).
    loads = cube(["u"], d("2024-07-16"), D, 1000.0)
    put(loads, "u", D, np.nan, missing, "14:00" if missing == "13:45" else "13:45")
    if window_too:
        put(loads, "u", D, np.nan, "14:30", "14:45")
    result = run(loads, start="14:00", end="15:00", mode=Mode.REALTIME)
    assert result.status == (Status.BASELINE_UNAVAILABLE,)
    assert np.isnan(result.response_kw[0])


def test_realtime_missing_an_interval_of_the_window_is_missing_data() -> None:
    # Both intervals before 14:00 present, so the baseline is (1000 + 1010) / 2 = 1005 kW;
    # 14:30 of the window missing: missing_data (RULES.md R4, reading), no figures.
    loads = cube(["u"], d("2024-07-16"), D, 900.0)
    put(loads, "u", D, [1000.0, 1010.0], "13:30", "14:00")
    put(loads, "u", D, np.nan, "14:30", "14:45")
    result = run(loads, start="14:00", end="15:00", mode=Mode.REALTIME)
    assert result.status == (Status.MISSING_DATA,)
    assert np.isnan(result.response_kw[0])
    # With the window whole, the same loads give 1005 − 900 = 105 kW (peak).
    put(loads, "u", D, 900.0, "14:30", "14:45")
    result = run(loads, start="14:00", end="15:00", mode=Mode.REALTIME)
    assert result.status == (Status.OK,)
    assert result.response_kw[0] == 105.0


def test_realtime_needs_no_system_load() -> None:
    # R5 adjusts invited modes only: a real-time response is evaluated without system load.
    loads = cube(["u"], d("2024-07-16"), D, 900.0)
    put(loads, "u", D, [1000.0, 1010.0], "13:30", "14:00")
    ev = event(window(D, "14:00", "15:00"), award("u", 100), mode=Mode.REALTIME)
    no_system = system_cube(d("2024-07-16"), D, np.nan)
    result = assess(ev, [user("u")], loads, no_system)
    assert result.status == (Status.OK,)
    assert result.response_kw[0] == 105.0  # 1005 − 900


def test_response_ratio_and_energy_come_from_the_published_window_figures() -> None:
    # RULES.md R6 (reading: published figures). Baseline (1000.0003 + 1000.0005) / 2 =
    # 1000.0004 → published 1000.000; actual 899.9996 → published 900.000. The response is
    # 1000.000 − 900.000 = 100.000 kW (not 100.0008 → 100.001), the ratio 100.000 / 100 = 1,
    # the energy 100.000 kW × 1 h = 100.000 kWh (not 100.001).
    loads = cube(["u"], d("2024-07-16"), D, 899.9996)
    put(loads, "u", D, [1000.0003, 1000.0005], "13:30", "14:00")
    result = run(loads, start="14:00", end="15:00", mode=Mode.REALTIME)
    assert (result.baseline_stats.avg[0], result.actual_stats.avg[0]) == (1000.0, 900.0)
    assert result.response_kw[0] == 100.0
    assert result.response_ratio[0] == 1.0
    assert result.response_energy_kwh[0] == 100.0
