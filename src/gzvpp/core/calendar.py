"""Day types of the Chinese working calendar (R3), which pick the baseline rule (R4).

- ``workday``: a working day, including an adjusted working weekend day (调休补班).
- ``holiday``: a day off inside a statutory holiday period (国家法定节假日), weekends inside it
  included; it carries the holiday's English name as the ``chinese-calendar`` library spells it
  (``National Day``, ``Spring Festival``, ``Mid-autumn Festival`` …).
- ``restday``: any other day off (an ordinary weekend).

The built-in schedule is the State Council's, as shipped by ``chinese-calendar``. An operator can
supply an official schedule; where it has a row for a date, that row wins, and for a year the
library does not cover, the schedule's rows are the holidays and adjusted days of that year while
every other day follows the week (Monday–Friday work, Saturday–Sunday rest).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

import chinese_calendar


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
    """A date that neither the built-in calendar nor the operator's schedule covers."""


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
                covered = builtin_years()
                raise CalendarError(
                    f"no working calendar for {day:%Y-%m-%d}: the built-in schedule covers "
                    f"{covered.start}–{covered.stop - 1}; supply the State Council's schedule "
                    f"for {day.year} as a CSV (date,day_type,holiday_name) with --calendar"
                )
            info = _weekday_rule(day)
        self._cache[day] = info
        return info

    def day_infos(self, days: Iterable[dt.date]) -> list[DayInfo]:
        """:meth:`day_info` for several days, in order."""
        return [self.day_info(day) for day in days]
