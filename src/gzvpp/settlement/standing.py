"""A participant's standing for the next invitation: rank score and suspension (R2 c, R6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy.orm import Session

from gzvpp.core.ranking import rank_score
from gzvpp.core.scoring import is_suspended
from gzvpp.settlement import repository


@dataclass(frozen=True)
class Standing:
    """Rank score (mean of the last 3 scores, 1 if none) and this month's non-executions."""

    rank_score: Decimal
    month_non_executions: int
    suspended: bool


def month_counts(
    session: Session, participant_ids: Sequence[str], at: dt.datetime
) -> tuple[list[int], list[bool]]:
    """This month's non-executions of each participant up to ``at``, and whether they suspend
    it (R6) — all a bid's check needs, without the rank score's query."""
    counts = repository.month_non_executions(session, participant_ids, at.date())
    count_array = np.array([counts.get(p, 0) for p in participant_ids], dtype=np.int64)
    return count_array.tolist(), is_suspended(count_array).tolist()


def rank_scores(
    session: Session, participant_ids: Sequence[str], before: dt.datetime
) -> dict[str, Decimal]:
    """Each participant's rank score (R6: the mean of its last 3 scores of events starting
    before ``before``, 1 if none) — all the ranking needs, without the month's count."""
    scores = repository.recent_scores(session, participant_ids, before)
    return {p: rank_score(scores.get(p, [])) for p in participant_ids}


def standings(
    session: Session, participant_ids: Sequence[str], at: dt.datetime
) -> dict[str, Standing]:
    """Standing of each participant as of ``at`` (naive Guangzhou time), from stored results."""
    scores = rank_scores(session, participant_ids, at)
    counts, suspended = month_counts(session, participant_ids, at)
    return {p: Standing(scores[p], counts[i], suspended[i]) for i, p in enumerate(participant_ids)}
