"""Per-award results as exact decimals, and the history that runs across events (R2 c, R6).

:class:`AwardResult` is what gets published, stored and settled: every figure rounded as R6/R7
say, as a Decimal (None where the response could not be evaluated).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from gzvpp.core.assessment import EventAssessment, Status
from gzvpp.core.ranking import FIRST_RANK_SCORE, SCORES_AVERAGED, rank_score
from gzvpp.core.rounding import quantize_half_up, to_decimal
from gzvpp.core.scoring import is_suspended, month_non_executions
from gzvpp.core.timeseries import BoolArray, IntArray

KW_STEP = Decimal("0.001")  # kW figures to 3 decimals (R6)
RANK_STEP = Decimal("0.000001")  # rank scores to 6 decimals, like the ratio


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


@dataclass(frozen=True)
class History:
    """The running figures of a sequence of awards in event order (R2 c, R6).

    Attributes
    ----------
    month_non_executions : ndarray of int
        The participant's non-executions in the award's calendar month up to and including it.
    suspended : ndarray of bool
        That count has reached 3: invitations stop for the rest of the month.
    rank_score : tuple of Decimal
        Mean of the participant's last 3 scores including this award's — what its next bid is
        ranked by.
    """

    month_non_executions: IntArray
    suspended: BoolArray
    rank_score: tuple[Decimal, ...]

    def part(self, start: int, stop: int) -> History:
        """The entries of awards ``start`` to ``stop``."""
        return History(
            self.month_non_executions[start:stop],
            self.suspended[start:stop],
            self.rank_score[start:stop],
        )


def running_history(
    participant_ids: Sequence[str],
    days: Sequence[dt.date],
    non_execution: BoolArray,
    scores: Sequence[Decimal | None],
) -> History:
    """Month non-executions, suspension and rank score after each award, in event order."""
    months = np.array([d.year * 12 + d.month - 1 for d in days], dtype=np.int64)
    counts = month_non_executions(participant_ids, months, non_execution)
    recent: defaultdict[str, deque[Decimal]] = defaultdict(lambda: deque(maxlen=SCORES_AVERAGED))
    ranks = []
    for participant_id, score in zip(participant_ids, scores, strict=True):
        if score is not None:
            recent[participant_id].append(score)
        ranks.append(quantize_half_up(rank_score(list(recent[participant_id])), RANK_STEP))
    return History(counts, is_suspended(counts), tuple(ranks))


def award_results(assessment: EventAssessment, history: History | None = None) -> list[AwardResult]:
    """Turn an event's arrays into one :class:`AwardResult` per award, in award order.

    Without ``history`` the running fields keep their defaults; see :func:`with_history`.
    """
    a = assessment
    event = a.event
    running = (
        zip(
            history.month_non_executions.tolist(),
            history.suspended.tolist(),
            history.rank_score,
            strict=True,
        )
        if history is not None
        else ((0, False, FIRST_RANK_SCORE) for _ in event.awards)
    )
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
            awarded_kw=quantize_half_up(award.kw, KW_STEP),
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
            month_non_executions=count,
            suspended=stop,
            rank_score=rank,
        )
        for (i, award), (count, stop, rank) in zip(enumerate(event.awards), running, strict=True)
    ]


def assessments_results(assessments: Sequence[EventAssessment]) -> list[AwardResult]:
    """Results of a run of events in start order, with their running history."""
    scores = [_decimal(float(s), 1) for a in assessments for s in a.score]
    history = running_history(
        [w.participant_id for a in assessments for w in a.event.awards],
        [a.event.window.day for a in assessments for _ in a.event.awards],
        np.concatenate([np.zeros(0, dtype=bool), *(a.non_execution for a in assessments)]),
        scores,
    )
    results: list[AwardResult] = []
    for a in assessments:
        start = len(results)
        results.extend(award_results(a, history.part(start, start + len(a.event.awards))))
    return results


def with_history(results: Iterable[AwardResult]) -> list[AwardResult]:
    """Recompute the running fields of stored results (in event order) — see :class:`History`."""
    rows = list(results)
    history = running_history(
        [r.participant_id for r in rows],
        [r.day for r in rows],
        np.array([r.non_execution for r in rows], dtype=bool),
        [r.score for r in rows],
    )
    return [
        replace(row, month_non_executions=count, suspended=stop, rank_score=rank)
        for row, count, stop, rank in zip(
            rows,
            history.month_non_executions.tolist(),
            history.suspended.tolist(),
            history.rank_score,
            strict=True,
        )
    ]
