"""Effective-response evaluation (有效响应评估, 第九条 (二)) — R6.

Figures are compared the way an analyst checks them by hand: loads rounded half-up to 0.001 kW,
the response ratio rounded half-up to 6 decimals, before any threshold test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gzvpp.core.model import Direction
from gzvpp.core.rounding import round_half_up
from gzvpp.core.timeseries import BoolArray, FloatArray

KW_DECIMALS = 3
RATIO_DECIMALS = 6
EFFECTIVE_RATIO = 0.8  # 差值处于响应邀约量的 80%—120% 之间
CAP_RATIO = 1.2  # 若多于 120%，则按照 120% 封顶计算
NON_EXECUTION_RATIO = 0.5  # 低于应邀量的 50%，视为未执行


@dataclass(frozen=True)
class WindowStats:
    """Average, maximum and minimum of curves over the window, kW rounded to 0.001."""

    avg: FloatArray
    max: FloatArray
    min: FloatArray


def window_stats(curves: FloatArray) -> WindowStats:
    """基线/实际 平均负荷, 最大负荷, 最小负荷 over the window (R6).

    Parameters
    ----------
    curves : ndarray, shape (n, n_intervals)
        kW per interval; a row with any NaN gives NaN figures.
    """
    return WindowStats(
        round_half_up(curves.mean(axis=1), KW_DECIMALS),
        round_half_up(curves.max(axis=1), KW_DECIMALS),
        round_half_up(curves.min(axis=1), KW_DECIMALS),
    )


def response_kw(
    baseline_avg: FloatArray, actual_avg: FloatArray, direction: Direction
) -> FloatArray:
    """Response (实际负荷响应量) in kW: baseline − actual for peak, actual − baseline for valley.

    Parameters
    ----------
    baseline_avg, actual_avg : ndarray
        Window averages in kW, already rounded to 0.001 kW.
    """
    difference = (
        baseline_avg - actual_avg if direction is Direction.PEAK else actual_avg - baseline_avg
    )
    return round_half_up(difference, KW_DECIMALS)


def response_ratio(response: FloatArray, awarded_kw: FloatArray) -> FloatArray:
    """Response ÷ awarded (响应比例), rounded half-up to 6 decimals (R6)."""
    return round_half_up(response / awarded_kw, RATIO_DECIMALS)


def is_effective(
    direction: Direction, baseline: WindowStats, actual: WindowStats, ratio: FloatArray
) -> BoolArray:
    """有效响应 (R6).

    Peak: actual max < baseline max and ratio ≥ 0.8. Valley: actual min > baseline min and
    ratio ≥ 0.8. A ratio above 1.2 is still effective; only the energy is capped (R7).
    """
    with np.errstate(invalid="ignore"):
        if direction is Direction.PEAK:
            shape_ok = actual.max < baseline.max
        else:
            shape_ok = actual.min > baseline.min
        result: BoolArray = shape_ok & (ratio >= EFFECTIVE_RATIO)
    return result


def is_non_execution(ratio: FloatArray) -> BoolArray:
    """未执行响应指令: ratio < 0.5 (第九条 (二), R6). NaN (no result) is not a non-execution."""
    with np.errstate(invalid="ignore"):
        result: BoolArray = ratio < NON_EXECUTION_RATIO
    return result
