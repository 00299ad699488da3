"""Interval series: loads per account, or the city's system load.

A :class:`IntervalCube` holds values on the 15-minute grid for a set of series (accounts, or the
single Guangzhou system-load series) over a set of calendar days that need not be contiguous.
Missing readings are NaN, and so is every interval of a day the cube does not hold.
:class:`IntervalRows` holds readings as they were sent (an upload), sized by their number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from gzvpp.core.grid import INTERVALS_PER_DAY

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01 — the integer day key used across the engine."""
    return day.toordinal() - 719163


def date_of(number: int) -> dt.date:
    """Inverse of :func:`day_number`."""
    return dt.date.fromordinal(int(number) + 719163)


@dataclass(frozen=True)
class IntervalCube:
    """Values per series, day and 15-minute interval.

    Attributes
    ----------
    series : tuple of str
        Series names (account ids), in row order.
    days : ndarray of int64, shape (n_days,)
        The days held, as :func:`day_number`, strictly increasing.
    values : ndarray of float64, shape (n_series, n_days, 96)
        kW for meter loads, MW for system load; NaN where there is no reading.
    """

    series: tuple[str, ...]
    days: IntArray
    values: FloatArray
    _row: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        expected = (len(self.series), len(self.days), INTERVALS_PER_DAY)
        if self.values.shape != expected:
            raise ValueError(f"values shape {self.values.shape} != {expected}")
        object.__setattr__(self, "_row", {name: i for i, name in enumerate(self.series)})

    def row(self, name: str) -> int:
        """Row index of series ``name``; ``KeyError`` if the cube does not hold it."""
        return self._row[name]

    def rows(self, names: list[str] | tuple[str, ...]) -> IntArray:
        """Row indices of several series."""
        return np.fromiter((self._row[n] for n in names), dtype=np.int64, count=len(names))

    def take(
        self, rows: IntArray, days: IntArray, first_interval: int, n_intervals: int
    ) -> FloatArray:
        """Values for each row over each day at the same clock-time offsets.

        Parameters
        ----------
        rows : ndarray of int, shape (n_rows,)
        days : ndarray of int, shape (n_rows, n_days) or (n_days,)
            Day numbers; per row, or shared by all rows.
        first_interval, n_intervals : int
            Offsets from each day's midnight; they may reach before it (negative) or past it
            (≥ 96), in which case the neighbouring calendar day is read.

        Returns
        -------
        ndarray of float64, shape (n_rows, n_days, n_intervals)
            NaN wherever the cube holds no reading.
        """
        offsets = np.arange(first_interval, first_interval + n_intervals)
        day_shift, interval = np.divmod(offsets, INTERVALS_PER_DAY)
        days = np.asarray(days, dtype=np.int64)
        if days.ndim == 1:
            days = np.broadcast_to(days, (len(rows), len(days)))
        wanted = days[:, :, None] + day_shift[None, None, :]
        if not len(self.days):
            return np.full(wanted.shape, np.nan)
        position = np.minimum(np.searchsorted(self.days, wanted), len(self.days) - 1)
        out = self.values[rows[:, None, None], position, interval[None, None, :]]
        return np.where(self.days[position] == wanted, out, np.nan)


class RepeatedReading(ValueError):
    """Two readings for the same series and interval; ``later`` and ``earlier`` are their
    positions in the order they were given."""

    def __init__(self, later: int, earlier: int) -> None:
        super().__init__(f"reading {later} repeats reading {earlier}")
        self.later = later
        self.earlier = earlier


@dataclass(frozen=True)
class DayBlock:
    """Some (series, day) pairs of :class:`IntervalRows` with their 96 values each.

    Attributes
    ----------
    codes, days : ndarray of int64, shape (n_pairs,)
        The series (index into ``IntervalRows.series``) and day number of each pair.
    values : ndarray of float64, shape (n_pairs, 96)
        NaN in the intervals without a reading.
    """

    codes: IntArray
    days: IntArray
    values: FloatArray


@dataclass(frozen=True)
class IntervalRows:
    """Readings as they were sent, one per (series, interval), sorted by series then interval.

    The sparse counterpart of :class:`IntervalCube` for uploads: its memory follows the number
    of readings, where a cube's follows series × days (a few readings scattered over many
    accounts and years would make a cube of gigabytes).

    Attributes
    ----------
    series : tuple of str
        Series names (account ids, or ``"system"``).
    codes : ndarray of int64, shape (n,)
        Each reading's series, as an index into ``series``.
    slots : ndarray of int64, shape (n,)
        Each reading's interval: 15-minute intervals since 1970-01-01 00:00 local time.
    values : ndarray of float64, shape (n,)
    """

    series: tuple[str, ...]
    codes: IntArray
    slots: IntArray
    values: FloatArray

    @classmethod
    def of(
        cls, series: tuple[str, ...], codes: IntArray, slots: IntArray, values: FloatArray
    ) -> IntervalRows:
        """The readings sorted by series then interval.

        Raises
        ------
        RepeatedReading
            At the first reading, in the order given, with the series and interval of an
            earlier one.
        """
        # Interval numbers stay below 2**31 up to the year 9999, so a pair packs into an int64.
        keys = (codes << 32) | slots
        if bool(np.all(keys[1:] > keys[:-1])):  # in order already, as most files are
            return cls(series, codes, slots, values)
        order = np.argsort(keys, kind="stable")  # equal keys keep the order they came in
        keys = keys[order]
        repeats = np.flatnonzero(keys[1:] == keys[:-1])
        if repeats.size:
            later = order[repeats + 1]
            first = int(np.argmin(later))
            raise RepeatedReading(int(later[first]), int(order[repeats[first]]))
        return cls(series, codes[order], slots[order], values[order])

    def days(self) -> IntArray:
        """The distinct days with a reading, sorted."""
        day = self.slots // INTERVALS_PER_DAY
        if not len(day):
            return day
        # A series' readings of one day are adjacent: sort one per run, not one per reading.
        return np.unique(day[np.concatenate(([True], day[1:] != day[:-1]))])

    def blocks(self, pairs: int) -> Iterator[DayBlock]:
        """The readings by (series, day) pair, at most ``pairs`` pairs at a time."""
        day = self.slots // INTERVALS_PER_DAY
        starts = np.flatnonzero(
            np.concatenate(([True], (self.codes[1:] != self.codes[:-1]) | (day[1:] != day[:-1])))
        )
        bounds = np.append(starts, len(self.slots))
        for first in range(0, len(starts), pairs):
            last = min(first + pairs, len(starts))
            rows = slice(int(bounds[first]), int(bounds[last]))
            pair = np.repeat(np.arange(last - first), np.diff(bounds[first : last + 1]))
            values = np.full((last - first, INTERVALS_PER_DAY), np.nan)
            values[pair, self.slots[rows] % INTERVALS_PER_DAY] = self.values[rows]
            yield DayBlock(self.codes[starts[first:last]], day[starts[first:last]], values)
