"""The Chinese working calendar: day types and working-day counts.

The VPP's day types (its R3, which pick the baseline rule R4) and the credit pool's 工作日
deadlines (its C4, C7) both come from here.

- ``workday``: a working day, including an adjusted working weekend day (调休补班).
- ``holiday``: a day off inside a statutory holiday period (国家法定节假日), weekends inside it
  included; it carries the holiday's English name as the ``chinese-calendar`` library spells it
  (``National Day``, ``Spring Festival``, ``Mid-autumn Festival`` …).
- ``restday``: any other day off (an ordinary weekend).

Working days are counted with :func:`nth_workday_after`, vectorised over dates.

The built-in schedule is the State Council's, as shipped by ``chinese-calendar``. An operator can
supply an official schedule; where it has a row for a date, that row wins, and for a year the
library does not cover, the schedule's rows are the holidays and adjusted days of that year while
every other day follows the week (Monday–Friday work, Saturday–Sunday rest).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

import chinese_calendar
import numpy as np
import numpy.typing as npt


class DayType(StrEnum):
    """The three day types of R3."""

    WORKDAY = "workday"
    RESTDAY = "restday"
    HOLIDAY = "holiday"


@dataclass(frozen=True)
class DayInfo:
    """The type of one date and, for a holiday, the holiday's name."""

    day_type: DayType
    holiday_name: str | None = None


class CalendarError(LookupError):
    """A date that neither the built-in calendar nor the operator's schedule covers.

    Attributes
    ----------
    day : datetime.date
        The first uncovered day that was needed.
    """

    def __init__(self, day: dt.date) -> None:
        self.day = day
        super().__init__(uncovered_message(day))


class UncoveredDayError(CalendarError):
    """A working-day count that runs into a day the calendar does not cover.

    Attributes
    ----------
    day : datetime.date
        The first uncovered day the count needed.
    position : int
        Index (into the dates counted from) of the first count that needed it.
    """

    def __init__(self, day: dt.date, position: int) -> None:
        super().__init__(day)
        self.position = position


def uncovered_message(day: dt.date, option: str | None = None) -> str:
    """Why ``day`` has no day type, in Chinese; with ``option``, the command-line option that
    supplies the State Council's schedule."""
    covered = builtin_years()
    supply = f"请用 {option} 提供" if option else "需补充"
    return (
        f"工作日历未覆盖 {day:%Y-%m-%d}（内置日历覆盖 {covered.start}–{covered.stop - 1} 年），"
        f"{supply} {day.year} 年的国务院节假日安排"
    )


@functools.cache
def builtin_years() -> range:
    """Years the ``chinese-calendar`` package covers."""
    years = sorted({d.year for d in chinese_calendar.holidays})
    return range(years[0], years[-1] + 1)


def holiday_names() -> tuple[str, ...]:
    """The holiday names the built-in schedule uses (``National Day``, ``Spring Festival`` …).

    An operator's schedule must use the same names, or a holiday baseline (R4) could not pair
    its days with the same holiday in a year the library covers.
    """
    return tuple(str(h.value) for h in chinese_calendar.Holiday)


def _builtin_day_info(day: dt.date) -> DayInfo | None:
    if day.year not in builtin_years():
        return None
    return _library_day_info(day)


@functools.cache
def _library_day_info(day: dt.date) -> DayInfo:
    """The library's answer for a day of a year it covers, asked once per process: the library
    validates every date it is asked about, which costs more than any one count needs."""
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    if not on_holiday:
        return DayInfo(DayType.WORKDAY)
    if name is None:
        return DayInfo(DayType.RESTDAY)
    return DayInfo(DayType.HOLIDAY, str(name))


def _weekday_rule(day: dt.date) -> DayInfo:
    return DayInfo(DayType.RESTDAY if day.weekday() >= 5 else DayType.WORKDAY)


@dataclass(frozen=True)
class Calendar:
    """The working calendar in force: the built-in schedule overlaid by the operator's.

    Parameters
    ----------
    schedule : mapping of date to DayInfo
        The operator's official schedule (rows of the calendar file). Empty by default.
    """

    schedule: Mapping[dt.date, DayInfo] = field(default_factory=dict)
    _scheduled_years: frozenset[int] = field(init=False, repr=False, compare=False)
    _cache: dict[dt.date, DayInfo] = field(default_factory=dict, repr=False, compare=False)
    _workdays: dict[int, npt.NDArray[np.bool_]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule", MappingProxyType(dict(self.schedule)))
        object.__setattr__(self, "_scheduled_years", frozenset(d.year for d in self.schedule))

    def day_info(self, day: dt.date) -> DayInfo:
        """Type (and holiday name) of ``day`` (R3).

        Raises
        ------
        CalendarError
            If ``day`` lies in a year that neither the library nor the schedule covers.
        """
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        info = self.schedule.get(day) or _builtin_day_info(day)
        if info is None:
            if day.year not in self._scheduled_years:
                raise CalendarError(day)
            info = _weekday_rule(day)
        self._cache[day] = info
        return info

    def day_infos(self, days: Iterable[dt.date]) -> list[DayInfo]:
        """:meth:`day_info` for several days, in order."""
        return [self.day_info(day) for day in days]

    def covers(self, year: int) -> bool:
        """Whether the library or the schedule gives the day types of ``year``."""
        return year in builtin_years() or year in self._scheduled_years

    def workday_flags(self, year: int) -> npt.NDArray[np.bool_]:
        """For each day of ``year`` (1 January first), whether it is a working day.

        Raises
        ------
        CalendarError
            If the calendar does not cover ``year``.
        """
        flags = self._workdays.get(year)
        if flags is None:
            if year in self._scheduled_years:
                flags = _workday_flags(self.day_infos(_days_of(year)))
            else:  # the library's alone: shared by every calendar
                flags = _builtin_workday_flags(year)
            self._workdays[year] = flags
        return flags


def _days_of(year: int) -> Iterator[dt.date]:
    first = dt.date(year, 1, 1)
    count = dt.date(year, 12, 31).toordinal() - first.toordinal() + 1
    return (first + dt.timedelta(days=i) for i in range(count))


def _workday_flags(infos: Iterable[DayInfo]) -> npt.NDArray[np.bool_]:
    flags = np.array([info.day_type is DayType.WORKDAY for info in infos], dtype=bool)
    flags.flags.writeable = False
    return flags


@functools.cache
def _builtin_workday_flags(year: int) -> npt.NDArray[np.bool_]:
    """:meth:`Calendar.workday_flags` of a year without schedule rows, once per process."""
    if year not in builtin_years():
        raise CalendarError(dt.date(year, 1, 1))
    return _workday_flags(_library_day_info(day) for day in _days_of(year))


def _span_flags(
    calendar: Calendar, first: np.datetime64, last: np.datetime64
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """``(known, workday)`` for each day from ``first`` to ``last``, both included."""
    known: list[npt.NDArray[np.bool_]] = []
    workday: list[npt.NDArray[np.bool_]] = []
    first_year = int(first.astype("datetime64[Y]").astype(np.int64)) + 1970
    last_year = int(last.astype("datetime64[Y]").astype(np.int64)) + 1970
    for year in range(first_year, last_year + 1):
        start = np.datetime64(f"{year:04d}-01-01", "D") if year > first_year else first
        stop = np.datetime64(f"{year + 1:04d}-01-01", "D") if year < last_year else last + 1
        size = int((stop - start).astype(np.int64))
        if 1 <= year <= 9999 and calendar.covers(year):
            offset = int((start - np.datetime64(f"{year:04d}-01-01", "D")).astype(np.int64))
            known.append(np.ones(size, dtype=bool))
            workday.append(calendar.workday_flags(year)[offset : offset + size])
        else:
            known.append(np.zeros(size, dtype=bool))
            workday.append(np.zeros(size, dtype=bool))
    return np.concatenate(known), np.concatenate(workday)


def nth_workday_after(
    calendar: Calendar, days: npt.ArrayLike, n: int
) -> npt.NDArray[np.datetime64]:
    """The ``n``-th working day after each of ``days``, the day itself not counted.

    A count that starts on a day off starts from the next day all the same: from a Tuesday
    1 October 2024 (National Day, 1–7 October off; Saturday 12 October worked) the 7th working
    day is Tuesday 15 October. (``chinese_calendar.find_workday`` would first move the start to
    the next working day and so answer the 16th.)

    Parameters
    ----------
    calendar : Calendar
        The working calendar in force (library overlaid by the official schedule).
    days : array_like of datetime64[D] or datetime.date
        The days counted from.
    n : int
        How many working days, ≥ 1 (7 for the credit pool's loan report, C4 / 第二十三条 (一);
        30 for its refunds, C7 / 第二十三条 (五)).

    Returns
    -------
    ndarray of datetime64[D]
        Same shape as ``days``.

    Raises
    ------
    UncoveredDayError
        If a count runs into a day in a year the calendar does not cover; it names that day and
        the first position (in ``days``) whose count needed it.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    starts = np.asarray(days, dtype="datetime64[D]")
    if starts.size == 0:
        return starts.copy()
    flat = starts.ravel()
    first = flat.min() + 1
    last = flat.max() + np.timedelta64(2 * n + 30, "D")  # ample unless a long holiday intervenes
    while True:
        span = np.arange(first, last + 1, dtype="datetime64[D]")
        known, workday = _span_flags(calendar, first, last)
        work, gaps = span[known & workday], span[~known]
        at = np.searchsorted(work, flat, side="right") + (n - 1)
        found = at < work.size
        result = work[np.minimum(at, max(work.size - 1, 0))] if work.size else flat
        gap_at = np.searchsorted(gaps, flat, side="right")
        next_gap = gaps[np.minimum(gap_at, gaps.size - 1)] if gaps.size else flat
        blocked = (gap_at < gaps.size) & (~found | (next_gap < result))
        if blocked.any():
            position = int(np.argmax(blocked))
            raise UncoveredDayError(next_gap[position].astype(dt.date), position)
        if found.all():
            return result.reshape(starts.shape)
        last = last + (last - first + 1)  # the window was too short: double it
