"""Interval series held as dense arrays: loads per account, or the city's system load.

A :class:`IntervalCube` holds values on the 15-minute grid for a set of series (accounts, or the
single Guangzhou system-load series) over a set of calendar days that need not be contiguous.
Missing readings are NaN, and so is every interval of a day the cube does not hold.
"""

from __future__ import annotations

import datetime as dt
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
