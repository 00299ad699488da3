"""What is due for each month, and why a paid month no longer is (L1, L3, L4, L7).

A month is due when, by what a run knows: it is 2021-09 or later (第十条, 第二十六条), the person
has reached 70 by its end (第三条), was in the city register on a day of it (L1), has not died in
an earlier month (第十八条), and has confirmed (第八条, 第九条) — while alive: someone who died
before confirming is due nothing (第十一条), dying on the confirmation day is not before
**[reading]**. Confirmation back-pays every earlier due month (第十条); the 100+ payment is due
for an October that is due and by whose end the person is 100 (L3).
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from gzlongevity.core.calendar import (
    FIRST_MONTH,
    BoolArray,
    IntArray,
    age_at_month_end,
    months_of_days,
)
from gzlongevity.core.register import NO_DAY
from gzlongevity.core.standards import CENTENARIAN_MONTH


class Reason(IntEnum):
    """Why a paid line was not due (L7, 第十八条, 第十九条, 第二十条)."""

    DIED = 0
    LEFT = 1


def death_months(death_day: IntArray) -> IntArray:
    """Month number of each death day; a month later than any for :data:`NO_DAY`."""
    months = np.full(death_day.shape, np.iinfo(np.int32).max, dtype=np.int32)
    known = death_day != NO_DAY
    months[known] = months_of_days(death_day[known])
    return months


def payable(confirmed_day: IntArray, death_day: IntArray) -> BoolArray:
    """Whether a person may be paid at all (第八条, 第九条, 第十一条).

    Parameters
    ----------
    confirmed_day : int32 array
        Day of the earliest confirmation the run sees, :data:`NO_DAY` if none.
    death_day : int32 array
        Earliest death date the run sees, :data:`NO_DAY` if none.

    Returns
    -------
    bool array
        Confirmed, and not dead before the confirmation day (the same day is not before).
    """
    return np.asarray((confirmed_day != NO_DAY) & (death_day >= confirmed_day), dtype=np.bool_)


def monthly_due(
    birth_month: IntArray,
    in_register: BoolArray,
    may_be_paid: BoolArray,
    death_month: IntArray,
    months: IntArray,
) -> BoolArray:
    """Months due (L1, L4, L7), per person and month.

    Parameters
    ----------
    birth_month : int32 array, shape (persons,)
        Month numbers of the birth dates.
    in_register : bool array, shape (persons, months)
        In the city register on some day of the month (:class:`~.register.MonthStates`).
    may_be_paid : bool array, shape (persons,)
        :func:`payable`.
    death_month : int32 array, shape (persons,)
        Month of the earliest known death (:func:`death_months`): months after it are not due.
    months : int32 array, shape (months,)
        The month numbers of the columns.

    Returns
    -------
    bool array, shape (persons, months)
    """
    ages = age_at_month_end(birth_month[:, None], months[None, :])
    return (
        in_register
        & (ages >= 70)
        & (months >= FIRST_MONTH)[None, :]
        & (months[None, :] <= death_month[:, None])
        & may_be_paid[:, None]
    )


def centenarian_due(monthly: BoolArray, birth_month: IntArray, months: IntArray) -> BoolArray:
    """Octobers due the 1,000 CNY 100+ payment (L3, 第四条): a due October by whose end the
    person is 100 or over (turning 100 on 25 October earns it that October) **[reading]**."""
    ages = age_at_month_end(birth_month[:, None], months[None, :])
    return np.asarray(
        monthly & (ages >= 100) & (months % 12 == CENTENARIAN_MONTH)[None, :], dtype=np.bool_
    )


def overpayment_reasons(death_day: IntArray, may_be_paid: BoolArray, months: IntArray) -> IntArray:
    """Why each month, if paid and no longer due, was overpaid (L7, 第二十条).

    ``died`` for a month after the death month (even after a ``left``) and for every month of
    someone who died before confirming (第十一条); ``left`` otherwise: a month outside the
    register after leaving the city **[reading]**. The register only ever adds rows, so a paid
    month can stop being due only through a death or a departure.

    Returns
    -------
    int32 array, shape (persons, months)
        :class:`Reason` codes.
    """
    died = (months[None, :] > death_months(death_day)[:, None]) | (
        (death_day != NO_DAY) & ~may_be_paid
    )[:, None]
    return np.where(died, Reason.DIED, Reason.LEFT).astype(np.int32)
