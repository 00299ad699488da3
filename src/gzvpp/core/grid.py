"""The 15-minute metering grid (采集周期 15 分钟) and event windows on it.

All times are Guangzhou local time (Asia/Shanghai, UTC+8, no daylight saving). An interval is
named by its start; a day has 96 of them, numbered 0–95 from midnight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gzkit.timezone import to_local

INTERVAL_MINUTES = 15
INTERVALS_PER_DAY = 24 * 60 // INTERVAL_MINUTES
INTERVAL_HOURS = INTERVAL_MINUTES / 60
MIN_WINDOW_MINUTES = 30  # 第五条: 每次持续时间不低于 30 分钟


def interval_starts(
    days: Sequence[dt.date] | npt.ArrayLike,
) -> npt.NDArray[np.datetime64]:
    """Local start of every 15-minute interval of each day, to the second.

    Parameters
    ----------
    days : array_like
        Dates, or day numbers (days since 1970-01-01).

    Returns
    -------
    ndarray of datetime64[s], shape (n_days, 96)
    """
    midnight = np.asarray(days, dtype="datetime64[D]").astype("datetime64[s]")
    step = np.timedelta64(INTERVAL_MINUTES * 60, "s")
    offsets = np.arange(INTERVALS_PER_DAY) * step
    starts: npt.NDArray[np.datetime64] = np.asarray(midnight[:, None] + offsets)
    return starts


class WindowError(ValueError):
    """An event window that the rules do not allow (off the grid, too short, reversed); the
    message is ``中文 / English``."""


def is_on_grid(moment: dt.datetime) -> bool:
    """True when ``moment`` falls exactly on a 15-minute boundary."""
    local = to_local(moment)
    return local.second == 0 and local.microsecond == 0 and local.minute % INTERVAL_MINUTES == 0


@dataclass(frozen=True)
class Window:
    """An event window [start, end) on the 15-minute grid (R2), as the response day D and offsets.

    ``first_interval`` counts from D's midnight; ``first_interval + n_intervals`` may pass 96 when
    the window runs past midnight, and the same offsets are used on every baseline day (R4).
    """

    day: dt.date
    first_interval: int
    n_intervals: int

    @classmethod
    def from_times(cls, start: dt.datetime, end: dt.datetime) -> Window:
        """Build a window from its local start and end, enforcing the grid and the 30-minute floor.

        Raises
        ------
        WindowError
            If either end is off the 15-minute grid, the window is empty or reversed, or it is
            shorter than 30 minutes (第五条).
        """
        start, end = to_local(start), to_local(end)
        for label, name, moment in (("start", "开始", start), ("end", "结束", end)):
            if not is_on_grid(moment):
                raise WindowError(
                    f"{name}时间 {moment:%Y-%m-%d %H:%M:%S} 不在 15 分钟整点上 / "
                    f"window {label} {moment:%Y-%m-%d %H:%M:%S} is not on the 15-minute grid"
                )
        minutes = (end - start) / dt.timedelta(minutes=1)
        if minutes < MIN_WINDOW_MINUTES:
            span = f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"
            raise WindowError(
                f"响应时段 {span} 为 {minutes:g} 分钟，每次响应不少于 {MIN_WINDOW_MINUTES} 分钟"
                f"（第五条） / window {span} lasts {minutes:g} min; an event lasts at least "
                f"{MIN_WINDOW_MINUTES} min (第五条)"
            )
        first = (start.hour * 60 + start.minute) // INTERVAL_MINUTES
        return cls(start.date(), first, int(minutes) // INTERVAL_MINUTES)

    @property
    def start(self) -> dt.datetime:
        """Local start of the window."""
        midnight = dt.datetime.combine(self.day, dt.time())
        return midnight + dt.timedelta(minutes=self.first_interval * INTERVAL_MINUTES)

    @property
    def end(self) -> dt.datetime:
        """Local end of the window (exclusive)."""
        return self.start + dt.timedelta(minutes=self.n_intervals * INTERVAL_MINUTES)

    @property
    def hours(self) -> float:
        """Length in hours: number of intervals × 0.25 (R7)."""
        return self.n_intervals * INTERVAL_HOURS
