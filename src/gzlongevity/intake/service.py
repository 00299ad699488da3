"""Taking in a feed (第八条, 第十四条, 第十九条): check every row, keep the new ones as register
events with their known_on, create the people first seen, and bring each person's picture
(status, place, death date) up to date. Idempotent: a row already held (same person, event,
date and place) adds nothing. Two different death dates for one person: the earliest counts
(the rules take the earliest) and both rows and the person are flagged for the street."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.errors import Invalid
from gzlongevity.core.calendar import day_of
from gzlongevity.core.register import NO_DAY
from gzlongevity.intake.repository import chunks, load_register, picture
from gzlongevity.intake.schemas import FeedOut, RegisterRow
from gzlongevity.intake.validation import normalised, row_problem
from gzlongevity.kit.audit import record
from gzlongevity.kit.auth import Actor
from gzlongevity.models import (
    EventKind,
    Feed,
    FeedKind,
    IntakeTask,
    Person,
    RegisterEvent,
    RegisterStatus,
    Source,
    TaskStatus,
)


def fingerprint(row: RegisterRow) -> str:
    """What makes a row the same event whenever it arrives: person, event, date and place."""
    key = "|".join(
        (row.person_id, row.event.value, str(row.event_date or ""), row.district, row.street)
    )
    return hashlib.sha256(key.encode()).hexdigest()


def receive(
    session: Session,
    actor: Actor,
    now: dt.datetime,
    *,
    source: Source,
    kind: FeedKind,
    name: str,
    rows: Sequence[RegisterRow],
    where: Sequence[str] | None = None,
) -> FeedOut:
    """Take in ``rows`` (``where`` names each row for error messages, e.g. a file's lines).

    Raises
    ------
    Invalid
        At the first row failing a check (nothing is kept).
    """
    today = now.date()
    labels = where or [f"第 {k + 1} 行" for k in range(len(rows))]
    taken: list[RegisterRow] = []
    for label, raw in zip(labels, rows, strict=True):
        row = normalised(raw)
        if row.known_on is None:
            row = row.model_copy(update={"known_on": today})
        if (problem := row_problem(row)) is not None:
            raise Invalid(f"{label}：{problem}", ("body", "rows"))
        taken.append(row)
    ids = sorted({row.person_id for row in taken})
    held: set[str] = set()
    for part in chunks(ids):
        held |= set(session.scalars(select(Person.id_number).where(Person.id_number.in_(part))))
    # People first seen: from their registration row, else (a death or departure known before
    # the registration reached us) from any row, placed when the registration arrives.
    newcomers: dict[str, RegisterRow] = {}
    for row in sorted(taken, key=lambda row: row.event is not EventKind.REGISTERED):
        if row.person_id not in held:
            newcomers.setdefault(row.person_id, row)

    prints = [fingerprint(row) for row in taken]
    seen: set[str] = set()
    for part in chunks(sorted(set(prints))):
        seen |= set(
            session.scalars(
                select(RegisterEvent.fingerprint).where(RegisterEvent.fingerprint.in_(part))
            )
        )
    fresh: dict[str, RegisterRow] = {}
    for mark, row in zip(prints, taken, strict=True):
        if mark not in seen and mark not in fresh:
            fresh[mark] = row
    feed = Feed(
        source=source,
        kind=kind,
        name=name,
        sha256=hashlib.sha256("\n".join(prints).encode()).hexdigest(),
        received_at=now,
        received_by=actor.label,
        rows=len(taken),
        new_events=len(fresh),
    )
    session.add(feed)
    session.flush()
    if newcomers:
        session.execute(
            insert(Person),
            [
                {
                    "id_number": row.person_id,
                    "name": row.name,
                    "birth_date": row.birth_date,
                    "district": row.district,
                    "street": row.street,
                    "status": RegisterStatus.REGISTERED,
                    "death_date": None,
                    "death_conflict": False,
                    "military": False,
                    "suspended_from": None,
                }
                for row in newcomers.values()
            ],
        )
    if fresh:
        session.execute(
            insert(RegisterEvent),
            [
                {
                    "person_id": row.person_id,
                    "event": row.event,
                    "event_date": row.event_date,
                    "known_on": row.known_on,
                    "district": row.district or None,
                    "street": row.street or None,
                    "feed_id": feed.id,
                    "fingerprint": mark,
                    "conflict": False,
                }
                for mark, row in fresh.items()
            ],
        )
    touched = sorted({row.person_id for row in fresh.values()})
    deaths = sorted({row.person_id for row in fresh.values() if row.event is EventKind.DIED})
    feed.conflicts = _flag_conflicts(session, deaths)
    _update_pictures(session, touched, today)
    record(session, actor.label, "feed.receive", "feed", str(feed.id), None, snapshot(feed), at=now)
    return FeedOut(
        id=feed.id,
        source=feed.source,
        kind=feed.kind,
        name=feed.name,
        received_at=feed.received_at,
        rows=feed.rows,
        new_events=feed.new_events,
        conflicts=feed.conflicts,
        new_persons=len(newcomers),
    )


def _flag_conflicts(session: Session, person_ids: Sequence[str]) -> int:
    """Flag the death rows of people with two different death dates; how many people."""
    flagged: list[str] = []
    for part in chunks(person_ids):
        flagged += list(
            session.scalars(
                select(RegisterEvent.person_id)
                .where(
                    RegisterEvent.person_id.in_(part),
                    RegisterEvent.event == EventKind.DIED,
                    RegisterEvent.event_date.is_not(None),
                )
                .group_by(RegisterEvent.person_id)
                .having(func.count(func.distinct(RegisterEvent.event_date)) > 1)
            )
        )
    for part in chunks(flagged):
        session.execute(
            update(RegisterEvent)
            .where(RegisterEvent.person_id.in_(part), RegisterEvent.event == EventKind.DIED)
            .values(conflict=True)
        )
        session.execute(
            update(Person).where(Person.id_number.in_(part)).values(death_conflict=True)
        )
    return len(flagged)


def _update_pictures(session: Session, person_ids: Sequence[str], today: dt.date) -> None:
    """Status, place and death date of ``person_ids`` after all their rows; open intake tasks
    follow a move and close for people who died or left."""
    if not person_ids:
        return
    register = load_register(session, person_ids)
    now = picture(register)
    changes = []
    gone = []
    for k, person_id in enumerate(register.person_ids):
        died = int(now.death_day[k]) != NO_DAY
        status = (
            RegisterStatus.DIED
            if died
            else RegisterStatus.REGISTERED
            if now.registered[k]
            else RegisterStatus.LEFT
        )
        values: dict[str, object] = {
            "id_number": person_id,
            "status": status,
            "death_date": day_of(int(now.death_day[k])) if died else None,
        }
        if now.place[k] >= 0:
            values["district"], values["street"] = register.places[int(now.place[k])]
        changes.append(values)
        if status is not RegisterStatus.REGISTERED:
            gone.append(person_id)
    for start in range(0, len(changes), 5_000):
        group = changes[start : start + 5_000]
        keys = {frozenset(item) for item in group}
        for shape in keys:
            session.execute(update(Person), [item for item in group if frozenset(item) == shape])
    # A move hands the open tasks to the new street (L6).
    home = select(Person.district, Person.street).where(Person.id_number == IntakeTask.person_id)
    for part in chunks(person_ids):
        session.execute(
            update(IntakeTask)
            .where(
                IntakeTask.person_id.in_(part),
                IntakeTask.status.in_([TaskStatus.OPEN, TaskStatus.NOTIFIED]),
            )
            .values(
                district=home.with_only_columns(Person.district).scalar_subquery(),
                street=home.with_only_columns(Person.street).scalar_subquery(),
            )
        )
    for part in chunks(gone):
        session.execute(
            update(IntakeTask)
            .where(
                IntakeTask.person_id.in_(part),
                IntakeTask.status.in_([TaskStatus.OPEN, TaskStatus.NOTIFIED]),
            )
            .values(status=TaskStatus.CLOSED, closed_on=today)
        )
