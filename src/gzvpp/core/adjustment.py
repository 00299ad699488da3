"""Intraday adjustment of invited-response baselines (日内调节机制, 第九条 (一)) — R5.

factor = mean Guangzhou system load (广州统调负荷) on D over [T-4h, T-1h) ÷ mean system load over
the same clock window on the chosen baseline days, clamped to [0.8, 1.2]. T is the window start;
the window may reach into the previous calendar day. Real-time responses are not adjusted.
"""

from __future__ import annotations

import numpy as np

from gzvpp.core.grid import Window
from gzvpp.core.timeseries import BoolArray, FloatArray

FACTOR_MIN = 0.8
FACTOR_MAX = 1.2
LEAD_INTERVALS = 16  # T-4h
LAG_INTERVALS = 4  # T-1h


def adjustment_window(window: Window) -> tuple[int, int]:
    """First interval (offset from D's midnight, may be negative) and length of [T-4h, T-1h)."""
    return window.first_interval - LEAD_INTERVALS, LEAD_INTERVALS - LAG_INTERVALS


def adjustment_factor(
    system_on_day: FloatArray, system_on_candidates: FloatArray, chosen: BoolArray
) -> FloatArray:
    """The clamped adjustment factor of each member row (R5).

    Parameters
    ----------
    system_on_day : ndarray, shape (12,)
        System load on D over [T-4h, T-1h), MW.
    system_on_candidates : ndarray, shape (n_candidates, 12)
        System load over the same clock window on each candidate day, MW.
    chosen : ndarray of bool, shape (n_rows, n_candidates)
        Each row's baseline days.

    Returns
    -------
    ndarray, shape (n_rows,)
        Factor in [0.8, 1.2]; NaN where any needed system load is missing (``missing_data``)
        or the row has no baseline day.
    """
    day_means = system_on_candidates.mean(axis=1)
    missing = (chosen & np.isnan(day_means)[None, :]).any(axis=1) | np.isnan(system_on_day).any()
    count = chosen.sum(axis=1)
    total = np.where(chosen, np.nan_to_num(day_means)[None, :], 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        reference = total / count
        factor = np.clip(system_on_day.mean() / reference, FACTOR_MIN, FACTOR_MAX)
    result: FloatArray = np.where(missing | (count == 0), np.nan, factor)
    return result
