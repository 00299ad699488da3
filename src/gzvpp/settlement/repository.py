"""SQL for award results and the standings derived from them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from decimal import Decimal

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from gzkit.db import in_ids
from gzkit.pagination import PaginationParams, paginate
from gzvpp.core.model import ParticipantKind
from gzvpp.core.ranking import SCORES_AVERAGED
from gzvpp.models import (
    Account,
    AggregatorMember,
    Award,
    AwardResult,
    Event,
    EventStatus,
    Participant,
    ResultRevision,
)


def recent_scores(
    session: Session, participant_ids: Sequence[str], before: dt.datetime
) -> dict[str, list[Decimal]]:
    """Each participant's last 3 invited-response scores of events starting before ``before``,
    oldest first; the ids listed by :func:`gzkit.db.in_ids`."""
    scores: defaultdict[str, list[Decimal]] = defaultdict(list)
    for listed in in_ids(session, AwardResult.participant_id, participant_ids):
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
                listed,
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
        for participant_id, score in rows:
            scores[participant_id].append(score)
    return dict(scores)


def month_non_executions(
    session: Session, participant_ids: Sequence[str], on: dt.date
) -> dict[str, int]:
    """Non-executions of each participant in ``on``'s calendar month, up to and including
    ``on``; the ids listed by :func:`gzkit.db.in_ids`."""
    month_start = on.replace(day=1)
    counts: dict[str, int] = {}
    for listed in in_ids(session, AwardResult.participant_id, participant_ids):
        rows = session.execute(
            select(AwardResult.participant_id, func.count())
            .where(
                listed,
                AwardResult.non_execution.is_(True),
                AwardResult.day.between(month_start, on),
            )
            .group_by(AwardResult.participant_id)
        )
        counts.update((participant_id, int(count)) for participant_id, count in rows)
    return counts


def event_for_update(session: Session, event_id: str) -> Event | None:
    """One event, locked until the transaction ends so that two evaluations do not interleave."""
    return session.scalars(
        select(Event).where(Event.id == event_id).with_for_update()
    ).one_or_none()


def ended_events(session: Session, now: dt.datetime, since: dt.datetime) -> list[Event]:
    """Events to evaluate (R6): not cancelled, the window ended by ``now``, with awards, and
    starting at or after ``since``; locked, in window order."""
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.status != EventStatus.CANCELLED,
                Event.end_at <= now,
                Event.start_at >= since,
                Event.id.in_(select(Award.event_id)),
            )
            .order_by(Event.start_at, Event.id)
            .with_for_update()
        )
    )


def awarded_events(session: Session, participant_ids: Collection[str]) -> list[Event]:
    """Events not cancelled in which any of ``participant_ids`` holds an award."""
    return list(
        session.scalars(
            select(Event).where(
                Event.status != EventStatus.CANCELLED,
                Event.id.in_(
                    select(Award.event_id).where(Award.participant_id.in_(participant_ids))
                ),
            )
        )
    )


def awards_of(session: Session, event_ids: Sequence[str]) -> dict[str, list[Award]]:
    """Each event's awards in plan order."""
    found: defaultdict[str, list[Award]] = defaultdict(list)
    for listed in in_ids(session, Award.event_id, event_ids):
        rows = session.scalars(
            select(Award).where(listed).order_by(Award.event_id, Award.place, Award.id)
        )
        for award in rows:
            found[award.event_id].append(award)
    return dict(found)


def held_accounts(session: Session, participant_ids: Collection[str]) -> dict[str, list[str]]:
    """The accounts each participant holds now, in enrolment order (R4: its load is their sum)."""
    found: defaultdict[str, list[str]] = defaultdict(list)
    for listed in in_ids(session, Account.participant_id, list(participant_ids)):
        rows = session.execute(
            select(Account.participant_id, Account.account_id)
            .where(listed, Account.released_at.is_(None))
            .order_by(Account.id)
        )
        for participant_id, account_id in rows:
            found[participant_id].append(account_id)
    return dict(found)


def participants(session: Session, participant_ids: Collection[str]) -> dict[str, Participant]:
    """The participants named, by id."""
    found: dict[str, Participant] = {}
    for listed in in_ids(session, Participant.id, list(participant_ids)):
        rows = session.scalars(select(Participant).where(listed))
        found.update({p.id: p for p in rows})
    return found


def results_of_awards(session: Session, award_ids: Collection[int]) -> dict[int, AwardResult]:
    """The stored results of ``award_ids``."""
    rows = session.scalars(select(AwardResult).where(AwardResult.award_id.in_(award_ids)))
    return {row.award_id: row for row in rows}


def results_in_event_order(session: Session, participant_ids: Collection[str]) -> list[AwardResult]:
    """Every stored result of ``participant_ids``, in event order (window start, then event)."""
    return list(
        session.scalars(
            select(AwardResult)
            .where(AwardResult.participant_id.in_(participant_ids))
            .order_by(AwardResult.start_at, AwardResult.event_id, AwardResult.award_id)
        )
    )


def event_results(
    session: Session, event_id: str, participant_id: str | None, pagination: PaginationParams
) -> tuple[Sequence[AwardResult], int]:
    """A page of an event's results in plan order, only ``participant_id``'s if given."""
    statement = (
        select(AwardResult)
        .join(Award, Award.id == AwardResult.award_id)
        .where(AwardResult.event_id == event_id)
        .order_by(Award.place, Award.id)
    )
    if participant_id is not None:
        statement = statement.where(AwardResult.participant_id == participant_id)
    return paginate(session, statement, pagination)


def has_award(session: Session, event_id: str, participant_id: str) -> bool:
    """True if ``participant_id`` holds an award in ``event_id``."""
    found = session.scalar(
        select(Award.id).where(Award.event_id == event_id, Award.participant_id == participant_id)
    )
    return found is not None


def member_names(session: Session, aggregator_id: str) -> dict[str, str]:
    """An aggregator's member users' names by the account it holds for each."""
    rows = session.execute(
        select(Account.account_id, AggregatorMember.member_name)
        .join(AggregatorMember, AggregatorMember.account_pk == Account.id)
        .where(AggregatorMember.aggregator_id == aggregator_id)
    )
    return {account_id: name for account_id, name in rows}


def participant_result(session: Session, event_id: str, participant_id: str) -> AwardResult | None:
    """One participant's result in one event."""
    return session.scalars(
        select(AwardResult).where(
            AwardResult.event_id == event_id, AwardResult.participant_id == participant_id
        )
    ).one_or_none()


def quarter_results(
    session: Session, first: dt.date, last: dt.date, participant_id: str | None
) -> Sequence[Row[AwardResult, str, ParticipantKind]]:
    """Results of evaluated events on days in [first, last], with each participant's name and
    kind, by participant then event order."""
    statement = (
        select(AwardResult, Participant.name, Participant.kind)
        .join(Event, Event.id == AwardResult.event_id)
        .join(Participant, Participant.id == AwardResult.participant_id)
        .where(Event.status == EventStatus.EVALUATED, AwardResult.day.between(first, last))
        .order_by(Participant.name, Participant.id, AwardResult.start_at, AwardResult.event_id)
    )
    if participant_id is not None:
        statement = statement.where(AwardResult.participant_id == participant_id)
    return session.execute(statement).all()


def result_days(session: Session) -> list[dt.date]:
    """The distinct days of evaluated events with stored results (for choosing a quarter)."""
    statement = (
        select(AwardResult.day)
        .join(Event, Event.id == AwardResult.event_id)
        .where(Event.status == EventStatus.EVALUATED)
        .distinct()
    )
    return list(session.scalars(statement))


def get_event(session: Session, event_id: str) -> Event | None:
    """One event."""
    return session.get(Event, event_id)


def revisions_of(session: Session, award_id: int) -> list[ResultRevision]:
    """The revisions of one award's result, oldest first."""
    return list(
        session.scalars(
            select(ResultRevision)
            .where(ResultRevision.award_id == award_id)
            .order_by(ResultRevision.revised_at, ResultRevision.id)
        )
    )


def quarter_revisions(session: Session, first: dt.date, last: dt.date) -> list[ResultRevision]:
    """The revisions of results on days in [first, last], oldest first."""
    return list(
        session.scalars(
            select(ResultRevision)
            .where(ResultRevision.day.between(first, last))
            .order_by(ResultRevision.revised_at, ResultRevision.id)
        )
    )
