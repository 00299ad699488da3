"""The register as the database holds it, in the arrays the rules engine reads
(:class:`gzlongevity.batch.replay.PayrollInputs`' register part)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzlongevity.core.calendar import FIRST_MONTH, IntArray, day_number
from gzlongevity.core.register import NO_DAY, Event, month_states
from gzlongevity.models import EventKind, Person, RegisterEvent

EVENT_CODES = {kind: Event[kind.name].value for kind in EventKind}
CHUNK = 5_000  # ids per IN (…) list


@dataclass(frozen=True)
class RegisterArrays:
    """People in ID order and their rows in the order they apply (see
    :mod:`gzlongevity.core.register`)."""

    person_ids: list[str]
    birth_day: IntArray
    row_person: IntArray
    row_event: IntArray
    row_day: IntArray
    row_known: IntArray
    row_place: IntArray
    places: list[tuple[str, str]]


@dataclass(frozen=True)
class Picture:
    """Each person's standing after their rows: registered, place index (-1: none), death."""

    registered: np.ndarray
    place: IntArray
    death_day: IntArray


def chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    """``items`` in slices of :data:`CHUNK`, for IN lists."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _days(values: Sequence[dt.date | None]) -> IntArray:
    return np.array(
        [NO_DAY if value is None else day_number(value) for value in values], dtype=np.int32
    )


def load_register(session: Session, person_ids: Sequence[str] | None = None) -> RegisterArrays:
    """Every register row of ``person_ids`` (default: everyone) in the order the rules apply
    them: by date (event_date, or known_on when unknown, 第十九条), known_on, arrival."""
    people: list[Any] = []
    rows: list[Any] = []
    columns = (
        RegisterEvent.person_id,
        RegisterEvent.event,
        RegisterEvent.event_date,
        RegisterEvent.known_on,
        RegisterEvent.district,
        RegisterEvent.street,
        RegisterEvent.id,
    )
    people_query = select(Person.id_number, Person.birth_date)
    if person_ids is None:
        people = list(session.execute(people_query))
        rows = list(session.execute(select(*columns)))
    else:
        for part in chunks(sorted(set(person_ids))):
            people += session.execute(people_query.where(Person.id_number.in_(part))).all()
            rows += session.execute(select(*columns).where(RegisterEvent.person_id.in_(part))).all()
    people.sort()
    ids: list[str] = [person for person, _ in people]
    index = {person: k for k, person in enumerate(ids)}
    placed = (EventKind.REGISTERED, EventKind.MOVED)
    places: list[tuple[str, str]] = sorted({(r[4], r[5]) for r in rows if r[1] in placed})
    place_index = {place: k for k, place in enumerate(places)}
    person = np.array([index[r[0]] for r in rows], dtype=np.int32)
    known = _days([r[3] for r in rows])
    dated = _days([r[2] for r in rows])
    day = np.where(dated == NO_DAY, known, dated).astype(np.int32)
    arrival = np.array([r[6] for r in rows], dtype=np.int64)
    order = np.lexsort((arrival, known, day, person))
    place = [place_index[(r[4], r[5])] if r[1] in placed else -1 for r in rows]
    return RegisterArrays(
        person_ids=ids,
        birth_day=_days([birth for _, birth in people]),
        row_person=person[order],
        row_event=np.array([EVENT_CODES[r[1]] for r in rows], dtype=np.int32)[order],
        row_day=day[order],
        row_known=known[order],
        row_place=np.array(place, dtype=np.int32)[order],
        places=places,
    )


def picture(register: RegisterArrays) -> Picture:
    """Where each person stands after all their rows
    (:func:`gzlongevity.core.register.month_states`)."""
    states = month_states(
        register.row_person,
        register.row_event,
        register.row_day,
        register.row_place,
        len(register.person_ids),
        FIRST_MONTH,
        FIRST_MONTH,
    )
    return Picture(states.final_registered, states.final_place, states.death_day)
