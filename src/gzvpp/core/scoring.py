"""Scores and sanctions (单次响应用户评价得分表 表 1; 未执行 考核, 第九条 (二)) — R6.

Scores rank the next invitation (R2 c); three non-executions in a calendar month suspend a
participant's invitations for the rest of that month.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from gzvpp.core.timeseries import BoolArray, FloatArray, IntArray

NON_EXECUTION_LIMIT = 3  # 当月累计未执行次数达到 3 次时, 停止其当月应邀权限
# 表 1, 邀约 row: lower bound of each ratio band and its score.
SCORE_BANDS: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (0.5, 0.5),
    (0.75, 0.8),
    (0.9, 1.0),
    (1.2, 0.8),
)


def response_score(ratio: FloatArray) -> FloatArray:
    """Score of one invited response from its ratio (表 1).

    ratio < 0.5 → 0; [0.5, 0.75) → 0.5; [0.75, 0.9) → 0.8; [0.9, 1.2) → 1; ≥ 1.2 → 0.8.
    Negative ratios score 0. NaN stays NaN. Real-time responses are not scored ([reading]).

    Parameters
    ----------
    ratio : ndarray
        Response ratio, already rounded to 6 decimals.
    """
    bounds = np.array([b for b, _ in SCORE_BANDS[1:]])
    scores = np.array([s for _, s in SCORE_BANDS])
    band = np.searchsorted(bounds, np.nan_to_num(ratio, nan=0.0), side="right")
    result: FloatArray = np.where(np.isnan(ratio), np.nan, scores[band])
    return result


def month_non_executions(
    participant_ids: Sequence[str], months: IntArray, non_execution: BoolArray
) -> IntArray:
    """Running count of each participant's non-executions in its calendar month.

    Parameters
    ----------
    participant_ids : sequence of str
        One per award, in event order (by window start).
    months : ndarray of int
        The award's calendar month as ``year * 12 + month - 1``.
    non_execution : ndarray of bool
        Whether each award was a non-execution (R6).

    Returns
    -------
    ndarray of int
        For each award, the participant's non-executions in that month up to and including it.
    """
    seen: Counter[tuple[str, int]] = Counter()
    counts = np.zeros(len(participant_ids), dtype=np.int64)
    for i, (pid, month, failed) in enumerate(
        zip(participant_ids, months.tolist(), non_execution.tolist(), strict=True)
    ):
        seen[pid, month] += int(failed)
        counts[i] = seen[pid, month]
    return counts


def is_suspended(month_count: IntArray) -> BoolArray:
    """Invitations stop for the rest of the month once the count reaches 3 (达到 3 次)."""
    result: BoolArray = month_count >= NON_EXECUTION_LIMIT
    return result
