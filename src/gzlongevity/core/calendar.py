"""Days, months and 周岁 ages (L1, L2; 民法典 第二百零二条 for 29 February)."""

from __future__ import annotations

import datetime as dt
from typing import Final

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]

EPOCH: Final = dt.date(1970, 1, 1)
FIRST_MONTH: Final = 2021 * 12 + 8
"""2021-09, when 穗民规字〔2021〕6号 took effect (第十条, 第二十六条): nothing is due before."""


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


def day_of(number: int) -> dt.date:
    """The date of a day number."""
    return EPOCH + dt.timedelta(days=int(number))


def month_number(year: int, month: int) -> int:
    """``year * 12 + month - 1``: consecutive months are consecutive numbers."""
    return year * 12 + month - 1


def month_text(number: int) -> str:
    """``YYYY-MM`` of a month number."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def parse_month(text: str) -> int:
    """The month number of ``YYYY-MM``.

    Raises
    ------
    ValueError
        If ``text`` is not a month written as ``YYYY-MM``.
    """
    parts = text.strip().split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2:
        raise ValueError(f"{text!r} 不是 YYYY-MM 格式的月份")
    try:
        year, month = int(parts[0]), int(parts[1])
    except ValueError:
        raise ValueError(f"{text!r} 不是 YYYY-MM 格式的月份") from None
    if not 1 <= month <= 12 or year < 1:
        raise ValueError(f"{text!r} 不是 YYYY-MM 格式的月份")
    return month_number(year, month)


def months_of_days(days: IntArray) -> IntArray:
    """The month number of each day number."""
    as_months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return (as_months + 1970 * 12).astype(np.int32)


def run_date(month: int, run_day: int) -> int:
    """The day number of a monthly run (L5, 第十三条).

    Parameters
    ----------
    month : int
        The run's month number.
    run_day : int
        Day of the month, 1–31; past the month's end it means the month's last day
        **[reading]**.
    """
    year, index = divmod(month, 12)
    first = dt.date(year, index + 1, 1)
    following = dt.date(year + (index + 1) // 12, (index + 1) % 12 + 1, 1)
    last = (following - first).days
    return day_number(first) + min(run_day, last) - 1


def age_on(birth: dt.date, day: dt.date) -> int:
    """周岁 age on ``day``: whole anniversaries of ``birth`` reached (L1).

    A 29 February birthday's anniversary in a common year is 28 February (民法典
    第二百零二条) **[reading]**, so someone born 1952-02-29 is 70 on 2022-02-28.
    """
    age = day.year - birth.year
    anniversary = (birth.month, birth.day)
    if anniversary == (2, 29) and not _leap(day.year):
        anniversary = (2, 28)
    if (day.month, day.day) < anniversary:
        age -= 1
    return age


def age_at_month_end(birth_months: IntArray, months: IntArray) -> IntArray:
    """周岁 age reached by the last day of each month (L1, L2, 第四条, 第十五条).

    Parameters
    ----------
    birth_months : int32 array
        Month numbers of the birth dates (:func:`months_of_days`), broadcastable against
        ``months``.
    months : int32 array
        Month numbers.

    Returns
    -------
    int32 array
        Age in years at the end of the month: an anniversary falls inside its birth month
        (29 February on 28 February in a common year, still February), so the age counts from
        the birth month on, whatever the day **[reading: tier and 100+ go by the age reached by
        the end of the month]**.
    """
    # Whole years between the birth month and the month: month numbers count months.
    return ((months - birth_months) // 12).astype(np.int32)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
