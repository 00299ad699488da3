"""Per-award results as exact decimals, and the history that runs across events (R2 c, R6).

:class:`AwardResult` is what gets published, stored and settled: every figure rounded as R6/R7
say, as a Decimal (None where the response could not be evaluated).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from gzvpp.core.assessment import EventAssessment, Status
from gzvpp.core.ranking import FIRST_RANK_SCORE, SCORES_AVERAGED, rank_score
from gzvpp.core.rounding import to_decimal
from gzvpp.core.scoring import is_suspended, month_non_executions


@dataclass(frozen=True)
class AwardResult:
    """The evaluation of one award (one row of ``gzvpp evaluate``'s output)."""

    event_id: str
    participant_id: str
    day: dt.date
    mode: str
    direction: str
    status: Status
    baseline_type: str
    baseline_days: tuple[dt.date, ...]
    adjustment_factor: Decimal | None
    baseline_avg_kw: Decimal | None
    baseline_max_kw: Decimal | None
    baseline_min_kw: Decimal | None
    actual_avg_kw: Decimal | None
    actual_max_kw: Decimal | None
    actual_min_kw: Decimal | None
    awarded_kw: Decimal
    response_kw: Decimal | None
    response_ratio: Decimal | None
    effective: bool
    non_execution: bool
    score: Decimal | None
    response_energy_kwh: Decimal | None
    effective_energy_kwh: Decimal | None
    price: Decimal
    coefficient: Decimal
    subsidy_cny: Decimal
    month_non_executions: int = 0
    suspended: bool = False
    rank_score: Decimal = FIRST_RANK_SCORE


def _decimal(value: float, places: int) -> Decimal | None:
    return None if math.isnan(value) else to_decimal(value, places)


def award_results(assessment: EventAssessment) -> list[AwardResult]:
    """Turn an event's arrays into one :class:`AwardResult` per award, in award order."""
    a = assessment
    event = a.event
    return [
        AwardResult(
            event_id=event.id,
            participant_id=award.participant_id,
            day=event.window.day,
            mode=event.mode.value,
            direction=event.direction.value,
            status=a.status[i],
            baseline_type=a.baseline_type,
            baseline_days=a.baseline_days[i] if a.status[i] is Status.OK else (),
            adjustment_factor=_decimal(float(a.adjustment_factor[i]), 6),
            baseline_avg_kw=_decimal(float(a.baseline_stats.avg[i]), 3),
            baseline_max_kw=_decimal(float(a.baseline_stats.max[i]), 3),
            baseline_min_kw=_decimal(float(a.baseline_stats.min[i]), 3),
            actual_avg_kw=_decimal(float(a.actual_stats.avg[i]), 3),
            actual_max_kw=_decimal(float(a.actual_stats.max[i]), 3),
            actual_min_kw=_decimal(float(a.actual_stats.min[i]), 3),
            awarded_kw=award.kw,
            response_kw=_decimal(float(a.response_kw[i]), 3),
            response_ratio=_decimal(float(a.response_ratio[i]), 6),
            effective=bool(a.effective[i]),
            non_execution=bool(a.non_execution[i]),
            score=_decimal(float(a.score[i]), 1),
            response_energy_kwh=_decimal(float(a.response_energy_kwh[i]), 3),
            effective_energy_kwh=_decimal(float(a.effective_energy_kwh[i]), 3),
            price=a.price[i],
            coefficient=a.coefficient,
            subsidy_cny=a.subsidy_cny[i],
        )
        for i, award in enumerate(event.awards)
    ]


def with_history(results: Iterable[AwardResult]) -> list[AwardResult]:
    """Add the month's non-execution count, suspension and rank score to each result.

    Parameters
    ----------
    results : iterable of AwardResult
        In event order (by window start).

    Returns
    -------
    list of AwardResult
        ``month_non_executions``: the participant's non-executions in the calendar month up to
        and including this one; ``suspended``: that count has reached 3, so invitations stop
        for the rest of the month (R6); ``rank_score``: the mean of the participant's last 3
        scores including this one — the figure its next bid is ranked by (R2 c).
    """
    rows = list(results)
    months = np.array([r.day.year * 12 + r.day.month - 1 for r in rows], dtype=np.int64)
    counts = month_non_executions(
        [r.participant_id for r in rows], months, np.array([r.non_execution for r in rows])
    )
    suspended = is_suspended(counts)
    scores: defaultdict[str, deque[Decimal]] = defaultdict(lambda: deque(maxlen=SCORES_AVERAGED))
    out = []
    for row, count, stop in zip(rows, counts.tolist(), suspended.tolist(), strict=True):
        if row.score is not None:
            scores[row.participant_id].append(row.score)
        out.append(
            replace(
                row,
                month_non_executions=count,
                suspended=stop,
                rank_score=rank_score(list(scores[row.participant_id])),
            )
        )
    return out
