"""The household register as events, and what it says month by month (L1, L6, L7).

A person's rows apply in order: by date (event_date, or known_on when the date is unknown,
第十九条), then known_on, then file order **[reading]**. A ``registered`` row puts the person in
the city register at a place; a second ``registered`` while registered moves them like
``moved``; ``moved`` changes the place of a registered person (ignored while outside the
register); ``left`` takes them out; ``died`` ends everything from the next month, whatever
follows, and the earliest death date visible counts **[reading]**.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

import numpy as np

from gzlongevity.core.calendar import BoolArray, IntArray, months_of_days

NO_DAY: Final = np.iinfo(np.int32).max
"""A day number later than any date: no death seen, no confirmation seen."""


class Event(IntEnum):
    """The ``event`` column of the register, in the codes the arrays carry."""

    REGISTERED = 0
    MOVED = 1
    LEFT = 2
    DIED = 3


@dataclass(frozen=True)
class MonthStates:
    """Where each person stood in each month, as one view of the register saw it.

    Attributes
    ----------
    in_register : bool array, shape (persons, months)
        In the city register on at least one day of the month: the month someone arrives, moves
        away or leaves is a registered month (L1, L7, 第十八条).
    place : int32 array, shape (persons, months)
        The place (index into the places table) that pays the month: where the person was
        registered when the month began, so the old place pays the month of a move (L6,
        第十七条); for someone arriving that month, the place of arrival. -1 outside the register.
    final_registered : bool array, shape (persons,)
        In the register after the person's last row.
    final_place : int32 array, shape (persons,)
        The place after the last row (-1 if never registered).
    death_day : int32 array, shape (persons,)
        The earliest death date among the rows, :data:`NO_DAY` if none.
    """

    in_register: BoolArray
    place: IntArray
    final_registered: BoolArray
    final_place: IntArray
    death_day: IntArray


def month_states(
    person: IntArray,
    event: IntArray,
    day: IntArray,
    place: IntArray,
    persons: int,
    first_month: int,
    last_month: int,
) -> MonthStates:
    """Replay register rows into per-month registration and paying place (L1, L6, L7).

    Parameters
    ----------
    person : int32 array
        Local person index (0 … ``persons`` − 1) of each row, nondecreasing.
    event : int32 array
        :class:`Event` code of each row.
    day : int32 array
        Effective date (day number) of each row, nondecreasing within a person: rows are in the
        order they apply.
    place : int32 array
        Place index of ``registered`` and ``moved`` rows (ignored for others).
    persons : int
        How many persons the rows cover.
    first_month, last_month : int
        The months (month numbers) to describe, inclusive.

    Returns
    -------
    MonthStates
    """
    rows = len(person)
    order = np.arange(rows, dtype=np.int64)
    starts = np.ones(rows, dtype=np.bool_)
    starts[1:] = person[1:] != person[:-1]
    first_of_row = np.maximum.accumulate(np.where(starts, order, 0)) if rows else order

    def last_where(mask: BoolArray) -> IntArray:
        """Index of the latest row of the same person at or before each row with ``mask``."""
        latest = np.maximum.accumulate(np.where(mask, order, -1)) if rows else order
        return np.where(latest >= first_of_row, latest, -1).astype(np.int64)

    in_out = last_where((event == Event.REGISTERED) | (event == Event.LEFT))
    registered_after = (in_out >= 0) & (event[np.maximum(in_out, 0)] == Event.REGISTERED)
    sets_place = (event == Event.REGISTERED) | ((event == Event.MOVED) & registered_after)
    placed = last_where(sets_place)
    place_after = np.where(placed >= 0, place[np.maximum(placed, 0)], -1).astype(np.int32)

    columns = last_month - first_month + 1
    row_months = months_of_days(day)
    # State at the start of a month: every row dated before it, i.e. from the next month on.
    start_column = np.maximum(row_months + 1 - first_month, 0).astype(np.int64)
    keep = start_column < columns
    mark = np.full((persons, columns), -1, dtype=np.int64)
    kept = np.flatnonzero(keep)
    keys = person[kept].astype(np.int64) * columns + start_column[kept]
    last_of_key = np.ones(len(kept), dtype=np.bool_)
    last_of_key[:-1] = keys[1:] != keys[:-1]
    chosen = kept[last_of_key]
    mark[person[chosen], start_column[chosen]] = chosen
    mark = np.maximum.accumulate(mark, axis=1)
    # Index -1 (no row yet) reads the padding: not registered, no place.
    start_registered = np.append(registered_after, False)[mark]
    start_place = np.where(start_registered, np.append(place_after, -1)[mark], -1)

    # Someone not registered when the month began but arriving in it is registered that month.
    arrivals = np.flatnonzero(
        (event == Event.REGISTERED) & (row_months >= first_month) & (row_months <= last_month)
    )
    arrival_keys = person[arrivals].astype(np.int64) * columns + (
        row_months[arrivals] - first_month
    )
    first_of_key = np.ones(len(arrivals), dtype=np.bool_)
    first_of_key[1:] = arrival_keys[1:] != arrival_keys[:-1]
    first_arrivals = arrivals[first_of_key]
    arrival_place = np.full((persons, columns), -1, dtype=np.int32)
    arrival_place[person[first_arrivals], row_months[first_arrivals] - first_month] = place[
        first_arrivals
    ]
    in_register = start_registered | (arrival_place >= 0)
    paying = np.where(start_registered, start_place, arrival_place).astype(np.int32)

    final_registered = np.zeros(persons, dtype=np.bool_)
    final_place = np.full(persons, -1, dtype=np.int32)
    ends = np.flatnonzero(np.append(starts[1:], True)) if rows else order
    final_registered[person[ends]] = registered_after[ends]
    final_place[person[ends]] = np.where(registered_after[ends], place_after[ends], -1)

    death_day = np.full(persons, NO_DAY, dtype=np.int32)
    deaths = event == Event.DIED
    np.minimum.at(death_day, person[deaths], day[deaths])
    return MonthStates(in_register, paying, final_registered, final_place, death_day)
