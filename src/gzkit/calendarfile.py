"""The operator's working-calendar file: the State Council's schedule for years it supplies (R3)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from gzkit.calendar import Calendar, DayInfo, DayType, holiday_names
from gzkit.csvtables import csv_rows
from gzkit.inputs import InputError

COLUMNS = ("date", "day_type", "holiday_name")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def read_calendar(path: Path, encoding: str | None = None) -> Calendar:
    """Read an official schedule of day types (R3) into a :class:`Calendar`.

    Parameters
    ----------
    path : Path
        CSV with the columns ``date,day_type,holiday_name``: ``date`` as ``YYYY-MM-DD``;
        ``day_type`` one of ``workday`` (including an adjusted working weekend day, 调休补班),
        ``restday`` or ``holiday`` (a day off in a statutory holiday period); ``holiday_name``
        given for a holiday (``National Day``, ``Spring Festival``, ``Mid-autumn Festival`` …,
        the name that pairs holidays across years in R4) and empty otherwise.

    encoding : str, optional
        ``utf-8``, ``utf-8-sig`` or ``gb18030`` (``gbk`` too); None detects it.

    Returns
    -------
    Calendar
        The built-in calendar overlaid by these rows, which win where both have a date.

    Raises
    ------
    InputError
        With the line at fault: a missing column, a malformed or impossible date, an unknown
        day type, a holiday without a name or another day type with one, a date listed twice.
    """
    path = Path(path)
    schedule: dict[dt.date, DayInfo] = {}
    listed_on: dict[dt.date, int] = {}
    for line, row in csv_rows(path, COLUMNS, encoding):
        day = _date(path, row["date"], line)
        if day in listed_on:
            raise InputError(path, f"{day} 已在第 {listed_on[day]} 行列出", line, column="date")
        schedule[day] = _day_info(path, row["day_type"], row["holiday_name"], line)
        listed_on[day] = line
    return Calendar(schedule)


def _date(path: Path, text: str, line: int) -> dt.date:
    if _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:  # the right shape but no such day, e.g. 2025-02-30
            pass
    raise InputError(path, f"{text!r} 不是日期（应为 YYYY-MM-DD）", line, column="date")


def _day_info(path: Path, day_type: str, holiday_name: str, line: int) -> DayInfo:
    try:
        kind = DayType(day_type)
    except ValueError:
        expected = "、".join(kind.value for kind in DayType)
        raise InputError(
            path, f"{day_type!r} 不是 {expected} 之一", line, column="day_type"
        ) from None
    named = bool(holiday_name.strip())
    if kind is DayType.HOLIDAY and not named:
        raise InputError(path, "节假日须填写节日名称（R3、R4）", line, column="holiday_name")
    if kind is not DayType.HOLIDAY and named:
        raise InputError(
            path,
            f"{holiday_name!r}：day_type 为 {kind}，只有 holiday 才填节日名称",
            line,
            column="holiday_name",
        )
    if named and holiday_name not in holiday_names():
        known = "、".join(holiday_names())
        raise InputError(
            path,
            f"{holiday_name!r} 不是内置的节日名称之一：{known}",
            line,
            column="holiday_name",
        )
    return DayInfo(kind, holiday_name if named else None)
