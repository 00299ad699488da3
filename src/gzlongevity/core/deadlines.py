"""The service's deadlines in months (L4, L6, L7): pure date arithmetic, no I/O.

Defaults are the policy settings of LONGEVITY.md: intake 3 months before the 70th birthday
(第八条), 3 months for the street to notify (第九条), 3 months before an unreturned overpayment
becomes a formal order (第二十条), 30 days to apply a change (第十六条), the 25th as the
payment deadline (第十三条).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Final

from gzlongevity.core.calendar import age_on

INTAKE_LEAD_MONTHS: Final = 3
NOTIFY_MONTHS: Final = 3
ORDER_AFTER_MONTHS: Final = 3
CHANGE_DAYS: Final = 30
PAY_BY_DAY: Final = 25
ENTITLED_AGE: Final = 70


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months; a day past the target month's end becomes
    its last day (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def intake_due(birth: dt.date, today: dt.date, lead_months: int = INTAKE_LEAD_MONTHS) -> bool:
    """Whether a registered person's intake task is due ``today`` (L4, 第八条): they are 70
    (周岁, :func:`~gzlongevity.core.calendar.age_on`) or will be within ``lead_months``."""
    return age_on(birth, add_months(today, lead_months)) >= ENTITLED_AGE


def latest_birth_for_intake(today: dt.date, lead_months: int = INTAKE_LEAD_MONTHS) -> dt.date:
    """The latest birth date whose intake is due ``today`` (for a database query): the day 70
    years before ``today`` + ``lead_months``; a 29 February birthday counts as 28 February."""
    horizon = add_months(today, lead_months)
    return add_months(horizon, -12 * ENTITLED_AGE)


def month_of(day: dt.date) -> int:
    """The month number (``year * 12 + month - 1``) of ``day``."""
    return day.year * 12 + day.month - 1


def month_end(month: int) -> dt.date:
    """The last day of month ``month`` (a month number): what a month's statistics count up to."""
    year, index = divmod(month, 12)
    return dt.date(year, index + 1, calendar.monthrange(year, index + 1)[1])


def pay_deadline(month: int) -> dt.date:
    """The day by which month ``month``'s allowance is paid (第十三条: before the 25th)."""
    return dt.date(month // 12, month % 12 + 1, PAY_BY_DAY)
