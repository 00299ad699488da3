"""Taking in a feed (第八条, 第十四条, 第十九条): check every row, keep the new ones as register
events with their known_on, create the people first seen, and bring each person's picture
(status, place, death date) up to date. Idempotent: a row already held (same person, event,
date and place) adds nothing. Two different death dates for one person: the earliest counts
(the rules take the earliest) and both rows and the person are flagged for the street."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import polars as pl
from sqlalchemy import func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from gzkit.audit import snapshot
from gzkit.db import bulk_insert, bulk_update
from gzkit.errors import Invalid
from gzlongevity.core.calendar import day_of
from gzlongevity.core.deadlines import month_of
from gzlongevity.core.register import NO_DAY
from gzlongevity.intake.repository import chunks, load_register, picture, raw_frame
from gzlongevity.intake.schemas import FeedOut, RegisterRow
from gzlongevity.intake.validation import COLUMNS, first_bad_row, normalised, row_problem_of
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
from gzlongevity.models.person import new_ref


def fingerprints(frame: pl.DataFrame) -> list[str]:
    """What makes each row the same event whenever it arrives: person, event, date, place."""
    keys = frame.select(
        pl.concat_str(["person_id", "event", "event_date", "district", "street"], separator="|")
    ).to_series()
    return [hashlib.sha256(key.encode()).hexdigest() for key in keys.to_list()]


WHOLE_REGISTER = 20_000  # people (or rows) of a feed beyond which the whole register is read


def _present(session: Session, column: InstrumentedAttribute[str], values: list[str]) -> set[str]:
    """Those of ``values`` that ``column`` holds, or (for a feed of more than
    :data:`WHOLE_REGISTER` values: a snapshot) every value it holds, read at once, which is
    cheaper than asking for lists of them; extra values change nothing where this is used."""
    if len(values) > WHOLE_REGISTER:
        table, name = column.class_.__tablename__, column.key
        return set(raw_frame(session, f"SELECT {name} FROM {table}", (name,))[name].to_list())
    found: set[str] = set()
    for part in chunks(values):
        found |= set(session.scalars(select(column).where(column.in_(part))))
    return found


def frame_of(rows: Sequence[RegisterRow]) -> pl.DataFrame:
    """JSON rows as the text frame a CSV feed gives."""
    return pl.DataFrame(
        {
            name: pl.Series(
                name,
                ["" if v is None else str(getattr(v, "value", v)) for v in values],
                dtype=pl.String,
            )
            for name, values in ((name, [getattr(row, name) for row in rows]) for name in COLUMNS)
        }
    )


def receive(
    session: Session,
    actor: Actor,
    now: dt.datetime,
    *,
    source: Source,
    kind: FeedKind,
    name: str,
    rows: pl.DataFrame,
    where: Sequence[str] | None = None,
) -> FeedOut:
    """Take in ``rows`` (register.csv's columns as text; ``where`` names each row for error
    messages, e.g. a file's lines).

    Raises
    ------
    Invalid
        At the first row failing a check (nothing is kept).
    """
    today = now.date()
    frame = normalised(rows, today.isoformat())
    if (bad := first_bad_row(frame)) is not None:
        label = where[bad] if where else f"第 {bad + 1} 行"
        raise Invalid(f"{label}：{row_problem_of(frame.row(bad, named=True))}", ("body", "rows"))
    frame = frame.with_columns(fingerprint=pl.Series(fingerprints(frame)))
    held = _present(
        session, Person.id_number, frame.get_column("person_id").unique().sort().to_list()
    )
    seen = _present(
        session, RegisterEvent.fingerprint, frame.get_column("fingerprint").unique().to_list()
    )
    fresh = frame.filter(~pl.col("fingerprint").is_in(list(seen))).unique(
        "fingerprint", keep="first", maintain_order=True
    )
    # People first seen: from their registration row, else (a death or departure known before
    # the registration reached us) from any row, placed when the registration arrives.
    newcomers = (
        frame.filter(~pl.col("person_id").is_in(list(held)))
        .sort(pl.col("event") != EventKind.REGISTERED.value, maintain_order=True)
        .unique("person_id", keep="first", maintain_order=True)
    )
    feed = Feed(
        source=source,
        kind=kind,
        name=name,
        sha256=hashlib.sha256(
            "\n".join(frame.get_column("fingerprint").to_list()).encode()
        ).hexdigest(),
        received_at=now,
        received_by=actor.label,
        rows=frame.height,
        new_events=fresh.height,
    )
    session.add(feed)
    session.flush()
    new_people = newcomers.select(
        "person_id",
        "name",
        "birth_date",
        "district",
        "street",
        status=pl.lit(RegisterStatus.REGISTERED.value),
        death_conflict=pl.lit(False),
        military=pl.lit(False),
        ref=pl.Series([new_ref() for _ in range(newcomers.height)], dtype=pl.String),
    )
    bulk_insert(session, "persons", PERSON_COLUMNS, _with_dates(new_people, ("birth_date",)))
    new_events = fresh.select(
        "person_id",
        "event",
        "event_date",
        "known_on",
        pl.col("district").replace("", None),
        pl.col("street").replace("", None),
        feed_id=pl.lit(feed.id),
        fingerprint="fingerprint",
        conflict=pl.lit(False),
    )
    bulk_insert(
        session,
        "register_events",
        EVENT_COLUMNS,
        _with_dates(new_events, ("event_date", "known_on")),
    )
    touched = fresh.get_column("person_id").unique().sort().to_list()
    deaths = (
        fresh.filter(pl.col("event") == EventKind.DIED.value)
        .get_column("person_id")
        .unique()
        .sort()
        .to_list()
    )
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
        new_persons=newcomers.height,
    )


PERSON_COLUMNS = (
    "id_number",
    "name",
    "birth_date",
    "district",
    "street",
    "status",
    "death_conflict",
    "military",
    "ref",
)
EVENT_COLUMNS = (
    "person_id",
    "event",
    "event_date",
    "known_on",
    "district",
    "street",
    "feed_id",
    "fingerprint",
    "conflict",
)


def _with_dates(frame: pl.DataFrame, columns: Sequence[str]) -> list[tuple[object, ...]]:
    """The rows of ``frame`` with the ISO text ``columns`` as dates (empty: None), written
    back as ISO text: what SQLite stores for a date and what PostgreSQL's ``COPY`` reads as
    one, without the driver adapting a date object per value (a snapshot's 219,502 events
    took 1.1 s of CPU to write so, 0.3 s as text)."""
    return frame.with_columns(
        pl.col(name).replace("", None).str.to_date("%Y-%m-%d").dt.to_string("%Y-%m-%d")
        for name in columns
    ).rows()


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
    """Status, place and death date of ``person_ids`` after all their rows, written where they
    changed. A move within the city leaves the case with the old place until the month after
    it became known (the person's ``handover_month``); open intake tasks close for people who
    died or left."""
    if not person_ids:
        return
    # A snapshot touches nearly everyone: then reading everyone at once is cheaper than lists.
    chosen = None if len(person_ids) > WHOLE_REGISTER else person_ids
    register = load_register(session, chosen)
    now = picture(register)
    columns = (
        "id_number",
        "status",
        "district",
        "street",
        "death_date",
        "previous_district",
        "previous_street",
        "handover_month",
    )
    held = {
        row[0]: row[1:]
        for row in raw_frame(
            session,
            f"SELECT {', '.join(columns)} FROM persons WHERE 1 = 1",
            columns,
            chosen,
            key="id_number",
        ).iter_rows()
    }
    this_month = month_of(today)
    changes, moved, gone = [], [], []
    for k, person_id in enumerate(register.person_ids):
        died = int(now.death_day[k]) != NO_DAY
        status = (
            RegisterStatus.DIED
            if died
            else RegisterStatus.REGISTERED
            if now.registered[k]
            else RegisterStatus.LEFT
        )
        death = day_of(int(now.death_day[k])) if died else None
        before_status, district, street, before_death, *handover = held[person_id]
        place = register.places[int(now.place[k])] if now.place[k] >= 0 else (district, street)
        if (status.value, *place, str(death) if death else None) == (
            before_status,
            district,
            street,
            before_death,
        ):
            continue
        values: dict[str, object] = {
            "id_number": person_id,
            "status": status.value,
            "death_date": death,
            "district": place[0],
            "street": place[1],
            "previous_district": handover[0],
            "previous_street": handover[1],
            "handover_month": None if handover[2] is None else int(handover[2]),
        }
        if (
            place != (district, street)
            and before_status == RegisterStatus.REGISTERED.value
            and district
        ):
            # A move: the place holding the case keeps it until next month (第十七条, L6).
            waiting = handover[2] is not None and int(handover[2]) > this_month
            values["previous_district"], values["previous_street"] = (
                (handover[0], handover[1]) if waiting else (district, street)
            )
            values["handover_month"] = this_month + 1
            moved.append(person_id)
        changes.append(values)
        if (
            status is not RegisterStatus.REGISTERED
            and before_status == RegisterStatus.REGISTERED.value
        ):
            gone.append(person_id)
    bulk_update(session, "persons", "id_number", changes)  # by the driver, not the ORM
    # A move hands the open tasks to the new street (L6).
    home = select(Person.district, Person.street).where(Person.id_number == IntakeTask.person_id)
    for part in chunks(moved):
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
