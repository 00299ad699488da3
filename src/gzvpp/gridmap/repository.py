"""The SQL of the grid map: held accounts of active participants by feeder, and each such
participant's latest evaluated result."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzvpp.models import Account, AwardResult, Participant, ParticipantStatus


def feeder_accounts(session: Session) -> list[Any]:
    """(substation, feeder, participant_id, capability_kw) of every held account of an active
    participant."""
    return list(
        session.execute(
            select(
                Account.substation, Account.feeder, Account.participant_id, Account.capability_kw
            )
            .join(Participant, Participant.id == Account.participant_id)
            .where(Account.released_at.is_(None), Participant.status == ParticipantStatus.ACTIVE)
            .order_by(Account.substation, Account.feeder)
        ).all()
    )


def latest_results(session: Session, participant_ids: list[str]) -> dict[str, Any]:
    """Each participant's latest evaluated result: its event, start, awarded and response kW."""
    latest = (
        select(AwardResult.participant_id, func.max(AwardResult.start_at).label("start_at"))
        .where(AwardResult.participant_id.in_(participant_ids))
        .group_by(AwardResult.participant_id)
        .subquery()
    )
    rows = session.execute(
        select(
            AwardResult.participant_id,
            AwardResult.event_id,
            AwardResult.start_at,
            AwardResult.awarded_kw,
            AwardResult.response_kw,
        ).join(
            latest,
            (latest.c.participant_id == AwardResult.participant_id)
            & (latest.c.start_at == AwardResult.start_at),
        )
    ).all()
    return {row.participant_id: row for row in rows}
