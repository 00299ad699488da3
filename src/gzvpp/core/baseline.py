"""Baseline load (基线负荷认定, 第九条 (一)) — R4.

A participant's baseline over the event window W on response day D is the mean, interval by
interval, of its load on chosen earlier days at the same clock times. Which days are chosen
depends on D's day type (R3); an aggregator's baseline is the sum of its members' baselines, each
member's days chosen on its own. Functions here work on one event's *member rows*: one row per
meter account taking part (a power user's own account, or each member of an aggregator).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from gzkit.calendar import Calendar, DayType
from gzvpp.core.timeseries import BoolArray, FloatArray, IntArray, date_of, day_number

LOOKBACK_DAYS = 60  # default policy: D-2 back to D-61
WORKDAY_BASELINE_DAYS = 5  # 工作日基线: 向前选择 5 天
RESTDAY_BASELINE_DAYS = 3  # 非工作日基线: 向前选择 3 天
HOLIDAY_SEARCH_DAYS = 45  # [reading] 上一年同一节假日: within ±45 days of the same date
REALTIME_BASELINE_INTERVALS = 2  # 实时响应基线: 前 2 个计量时段

BASELINE_REALTIME = "realtime"


@dataclass(frozen=True)
class BaselineCandidates:
    """The days an event's baseline may be drawn from, in the order they are tried.

    Attributes
    ----------
    baseline_type : str
        ``workday``, ``restday`` or ``holiday`` (D's day type, R3).
    days : ndarray of int64, shape (n_candidates,)
        Day numbers; for workday and restday D-2, D-3, … (most recent first).
    type_match : ndarray of bool, shape (n_candidates,)
        The candidate has D's day type (and, for a holiday, the same holiday name).
    fallback : ndarray of bool, shape (n_candidates,)
        Holiday baselines only: the candidate is from two years before D (再向前选一年).
    """

    baseline_type: str
    days: IntArray
    type_match: BoolArray
    fallback: BoolArray


def recent_candidate_days(response_day: dt.date, lookback_days: int = LOOKBACK_DAYS) -> IntArray:
    """Days D-2, D-3, …, D-(lookback_days+1), most recent first (R4).

    Parameters
    ----------
    response_day : date
        D, the day of the event window's start.
    lookback_days : int
        How many days are searched (default 60).
    """
    return day_number(response_day) - 2 - np.arange(lookback_days, dtype=np.int64)


def same_date_years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar date ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def holiday_candidate_days(
    response_day: dt.date,
    holiday_name: str,
    years_back: int,
    calendar: Calendar,
    search_days: int = HOLIDAY_SEARCH_DAYS,
) -> IntArray:
    """Days of the same holiday ``years_back`` years before D (R4, [reading] of 上一年同一节假日).

    Every day typed ``holiday`` and named ``holiday_name`` within ±``search_days`` of the same
    date ``years_back`` years earlier, in date order. The search may cross a year end, so a
    New Year's Day period that starts on 30 December is found.
    """
    anchor = same_date_years_before(response_day, years_back)
    span = [anchor + dt.timedelta(days=k) for k in range(-search_days, search_days + 1)]
    chosen = [
        day_number(day)
        for day, info in zip(span, calendar.day_infos(span), strict=True)
        if info.day_type is DayType.HOLIDAY and info.holiday_name == holiday_name
    ]
    return np.asarray(chosen, dtype=np.int64)


def baseline_candidates(
    response_day: dt.date, calendar: Calendar, lookback_days: int = LOOKBACK_DAYS
) -> BaselineCandidates:
    """The candidate days for D's baseline, by D's day type (R3, R4).

    Workday: D-2 … D-61 typed ``workday`` (adjusted working weekends included). Restday: those
    typed ``restday`` — [reading] holidays are not restdays and are never picked. Holiday named
    H: the days named H around the same date one year before, then two years before.
    """
    info = calendar.day_info(response_day)
    if info.day_type is DayType.HOLIDAY:
        assert info.holiday_name is not None  # a holiday always carries its name (R3)
        one = holiday_candidate_days(response_day, info.holiday_name, 1, calendar)
        two = holiday_candidate_days(response_day, info.holiday_name, 2, calendar)
        days = np.concatenate([one, two])
        return BaselineCandidates(
            DayType.HOLIDAY.value,
            days,
            np.ones(len(days), dtype=bool),
            np.arange(len(days)) >= len(one),
        )
    days = recent_candidate_days(response_day, lookback_days)
    types = calendar.day_infos(date_of(d) for d in days)
    match = np.fromiter((t.day_type is info.day_type for t in types), dtype=bool, count=len(days))
    return BaselineCandidates(info.day_type.value, days, match, np.zeros(len(days), dtype=bool))


def complete_days(window_loads: FloatArray) -> BoolArray:
    """Which days have a reading in every interval of the window.

    Parameters
    ----------
    window_loads : ndarray, shape (n_rows, n_days, n_intervals)
        kW at the window's clock times on each candidate day; NaN where missing.

    Returns
    -------
    ndarray of bool, shape (n_rows, n_days)
    """
    result: BoolArray = np.all(~np.isnan(window_loads), axis=2)
    return result


def first_qualifying(qualifying: BoolArray, wanted: int) -> BoolArray:
    """Keep the first ``wanted`` qualifying candidates of each row, in candidate order.

    Parameters
    ----------
    qualifying : ndarray of bool, shape (n_rows, n_candidates)
        Candidates ordered most recent first.
    wanted : int
        5 for a workday baseline, 3 for a restday baseline (第九条 (一) 1, 2).
    """
    result: BoolArray = qualifying & (np.cumsum(qualifying, axis=1) <= wanted)
    return result


def choose_baseline_days(candidates: BaselineCandidates, qualifying: BoolArray) -> BoolArray:
    """The days each member row's baseline uses (R4).

    Parameters
    ----------
    candidates : BaselineCandidates
    qualifying : ndarray of bool, shape (n_rows, n_candidates)
        Candidate of D's type, not a response day of the participant, complete data for the row.

    Returns
    -------
    ndarray of bool, shape (n_rows, n_candidates)
        Workday: the first 5 qualifying; restday: the first 3; holiday: every qualifying day one
        year back, or — for a row with none there — every qualifying day two years back.
    """
    if candidates.baseline_type == DayType.WORKDAY:
        return first_qualifying(qualifying, WORKDAY_BASELINE_DAYS)
    if candidates.baseline_type == DayType.RESTDAY:
        return first_qualifying(qualifying, RESTDAY_BASELINE_DAYS)
    one_year = qualifying & ~candidates.fallback
    two_years = qualifying & candidates.fallback
    result: BoolArray = np.where(one_year.any(axis=1, keepdims=True), one_year, two_years)
    return result


def baseline_curve(window_loads: FloatArray, chosen: BoolArray) -> FloatArray:
    """Interval-by-interval mean load over the chosen days (基线负荷), kW.

    Parameters
    ----------
    window_loads : ndarray, shape (n_rows, n_days, n_intervals)
    chosen : ndarray of bool, shape (n_rows, n_days)
        Chosen days must have complete data.

    Returns
    -------
    ndarray, shape (n_rows, n_intervals)
        NaN for a row with no chosen day (``baseline_unavailable``).
    """
    count = chosen.sum(axis=1)
    total = np.where(chosen[:, :, None], window_loads, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = np.where(count[:, None] > 0, total / count[:, None], np.nan)
    return result


def realtime_baseline(before_loads: FloatArray, n_intervals: int) -> FloatArray:
    """Real-time baseline (实时响应基线): mean of the 2 intervals just before the window, kW.

    Parameters
    ----------
    before_loads : ndarray, shape (n_rows, 2)
        Loads in the two 15-minute intervals before the window start (they may fall on the
        previous day).
    n_intervals : int
        Length of the window; the baseline is flat over it (R4).

    Returns
    -------
    ndarray, shape (n_rows, n_intervals)
        NaN for a row missing either interval.
    """
    level = before_loads.mean(axis=1)
    return np.repeat(level[:, None], n_intervals, axis=1)
