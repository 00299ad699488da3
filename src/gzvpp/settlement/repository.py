"""SQL for award results and the standings derived from them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzvpp.core.ranking import SCORES_AVERAGED
from gzvpp.models import AwardResult


def recent_scores(
    session: Session, participant_ids: Sequence[str], before: dt.datetime
) -> dict[str, list[Decimal]]:
    """Each participant's last 3 invited-response scores of events starting before ``before``,
    oldest first."""
    ranked = (
        select(
            AwardResult.participant_id,
            AwardResult.score,
            AwardResult.start_at,
            func.row_number()
            .over(partition_by=AwardResult.participant_id, order_by=AwardResult.start_at.desc())
            .label("recency"),
        )
        .where(
            AwardResult.participant_id.in_(participant_ids),
            AwardResult.score.is_not(None),
            AwardResult.start_at < before,
        )
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.participant_id, ranked.c.score)
        .where(ranked.c.recency <= SCORES_AVERAGED)
        .order_by(ranked.c.participant_id, ranked.c.start_at)
    )
    scores: defaultdict[str, list[Decimal]] = defaultdict(list)
    for participant_id, score in rows:
        scores[participant_id].append(score)
    return dict(scores)


def month_non_executions(
    session: Session, participant_ids: Sequence[str], on: dt.date
) -> dict[str, int]:
    """Non-executions of each participant in ``on``'s calendar month, up to and including ``on``."""
    month_start = on.replace(day=1)
    rows = session.execute(
        select(AwardResult.participant_id, func.count())
        .where(
            AwardResult.participant_id.in_(participant_ids),
            AwardResult.non_execution.is_(True),
            AwardResult.day.between(month_start, on),
        )
        .group_by(AwardResult.participant_id)
    )
    return {participant_id: int(count) for participant_id, count in rows}
