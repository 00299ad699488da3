"""Reading the meter data a baseline needs (R4): the candidate days a page at a time.

Both the baselines told in invitations (:mod:`gzvpp.events.baselines`) and the evaluation of
an ended event (:mod:`gzvpp.settlement.evaluation`) choose baseline days from up to 60
candidates; reading every candidate for every account would read six times the rows the
choice ends up using.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sqlalchemy.orm import Session

from gzkit.calendar import Calendar, DayType
from gzvpp.core.assessment import Baselines, participant_baselines
from gzvpp.core.baseline import RESTDAY_BASELINE_DAYS, WORKDAY_BASELINE_DAYS, BaselineCandidates
from gzvpp.core.grid import INTERVALS_PER_DAY, Window
from gzvpp.core.model import Mode, Participant
from gzvpp.core.timeseries import IntArray, IntervalCube
from gzvpp.meterdata.repository import load_cube

#: Baseline days of a workday and a restday baseline (R4); a holiday's takes every qualifying day.
DAYS_WANTED = {
    DayType.WORKDAY.value: WORKDAY_BASELINE_DAYS,
    DayType.RESTDAY.value: RESTDAY_BASELINE_DAYS,
}
#: Candidate days read per pass: enough for nearly every account's baseline in one pass.
PAGE_DAYS = 10


def read_baselines(
    session: Session,
    window: Window,
    mode: Mode,
    parts: Sequence[Participant],
    candidates: BaselineCandidates,
    calendar: Calendar,
    history: Mapping[str, IntArray],
    also: IntArray | None = None,
) -> tuple[IntervalCube, Baselines]:
    """:func:`participant_baselines` of an invited event, reading the meter data a page of
    candidate days at a time, most recent first, and only for the accounts still short; with
    the loads read, every account's on the days ``also`` (the response day, for an evaluation)
    included.

    R4 takes the first 5 (workday) or 3 (restday) qualifying candidates, most recent first,
    and a day of another type never qualifies, so the days after an account's first
    qualifying ones cannot change its baseline: nearly every account is done after one page
    instead of reading all 60 days. The result is the same as reading every candidate day,
    and so is a calculation on the loads returned: they hold only the days read, and a day
    they do not hold reads as NaN (:meth:`IntervalCube.take`), as a day without data.
    A holiday baseline takes every qualifying day, so it reads them all at once.
    """
    accounts = list(dict.fromkeys(a for p in parts for a in p.accounts))
    first, length = window.first_interval, window.n_intervals
    everyone = np.arange(len(accounts))
    # The cube holds only the days read so far: a day it does not hold reads as NaN, just as
    # a day without data, and most accounts need one page of the 60 candidates, not all.
    loads = IntervalCube(
        tuple(accounts),
        np.zeros(0, dtype=np.int64),
        np.empty((len(accounts), 0, INTERVALS_PER_DAY)),
    )
    if also is not None and len(also):
        loads = _with(loads, everyone, load_cube(session, accounts, also))
    readable = candidates.days[candidates.type_match]
    wanted = DAYS_WANTED.get(candidates.baseline_type)
    page = PAGE_DAYS if wanted is not None else max(len(readable), 1)
    pending = everyone
    for start in range(0, max(len(readable), 1), page):
        read = covering_days(readable[start : start + page], first, length)
        loads = _with(loads, pending, load_cube(session, [accounts[i] for i in pending], read))
        result = participant_baselines(window, mode, parts, loads, calendar, history)
        if wanted is None:
            break
        pending = np.unique(result.members.rows[result.chosen.sum(axis=1) < wanted])
        if not len(pending):
            break
    return loads, result


def _with(loads: IntervalCube, rows: IntArray, part: IntervalCube) -> IntervalCube:
    """``loads`` over its days and ``part``'s, with ``part`` (the series ``rows`` of
    ``loads``, in that order) written in; NaN wherever neither holds a value."""
    days = np.union1d(loads.days, part.days)
    values = np.full((len(loads.series), len(days), INTERVALS_PER_DAY), np.nan)
    values[:, np.searchsorted(days, loads.days)] = loads.values
    values[np.ix_(rows, np.searchsorted(days, part.days))] = part.values
    return IntervalCube(loads.series, days, values)


def covering_days(days: IntArray, first_interval: int, n_intervals: int) -> IntArray:
    """The calendar days that intervals ``first_interval`` … of each of ``days`` fall on
    (a window may reach past midnight, a real-time baseline before it)."""
    last = first_interval + n_intervals - 1
    shifts = np.arange(first_interval // INTERVALS_PER_DAY, last // INTERVALS_PER_DAY + 1)
    covered: IntArray = np.unique(days[:, None] + shifts[None, :])
    return covered
