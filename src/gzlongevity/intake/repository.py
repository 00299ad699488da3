"""The register as the database holds it, in the arrays the rules engine reads
(:class:`gzlongevity.batch.replay.PayrollInputs`' register part)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from gzlongevity.core.calendar import FIRST_MONTH, IntArray
from gzlongevity.core.register import NO_DAY, Event, month_states
from gzlongevity.models import EventKind

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


def raw_frame(
    session: Session,
    sql: str,
    columns: Sequence[str],
    person_ids: Sequence[str] | None = None,
    key: str = "person_id",
) -> pl.DataFrame:
    """The rows of ``sql`` (a SELECT of ``columns``, ending in a WHERE clause it may extend with
    ``AND <key> IN …``) as a frame of text, fetched without the ORM's per-value
    processing: dates come as ISO text from SQLite and as dates from PostgreSQL, so every value
    is read as text and parsed by the caller."""
    connection = session.connection()
    if person_ids is None:
        found = connection.execute(text(sql)).all()
    else:
        found = []
        statement = text(f"{sql} AND {key} IN :ids").bindparams(bindparam("ids", expanding=True))
        for part in chunks(sorted(set(person_ids))):
            found += connection.execute(statement, {"ids": list(part)}).all()
    values: list[Sequence[object]] = (
        list(zip(*found, strict=True)) if found else [() for _ in columns]
    )
    return pl.DataFrame(
        {
            name: pl.Series(name, [None if v is None else str(v) for v in column], dtype=pl.String)
            for name, column in zip(columns, values, strict=True)
        }
    )


def _days(column: pl.Series) -> IntArray:
    """Day numbers of an ISO date column, :data:`NO_DAY` where empty."""
    return (
        column.str.to_date("%Y-%m-%d").cast(pl.Int32).fill_null(NO_DAY).to_numpy().astype(np.int32)
    )


def load_register(session: Session, person_ids: Sequence[str] | None = None) -> RegisterArrays:
    """Every register row of ``person_ids`` (default: everyone) in the order the rules apply
    them: by date (event_date, or known_on when unknown, 第十九条), known_on, arrival."""
    people = raw_frame(
        session,
        "SELECT id_number AS person_id, birth_date FROM persons WHERE 1 = 1",
        ("person_id", "birth_date"),
        person_ids,
        key="id_number",
    ).sort("person_id")
    rows = raw_frame(
        session,
        "SELECT person_id, event, event_date, known_on, district, street, id "
        "FROM register_events WHERE 1 = 1",
        ("person_id", "event", "event_date", "known_on", "district", "street", "id"),
        person_ids,
    )
    ids: list[str] = people.get_column("person_id").to_list()
    index = pl.DataFrame({"person_id": ids, "index": pl.Series(range(len(ids)), dtype=pl.Int32)})
    placed = rows.get_column("event").is_in([EventKind.REGISTERED.value, EventKind.MOVED.value])
    place_keys = (rows.get_column("district") + "\x1f" + rows.get_column("street")).filter(placed)
    places = sorted(set(place_keys.to_list()))
    place_index = {key: k for k, key in enumerate(places)}
    rows = rows.join(index, on="person_id", how="left", maintain_order="left")
    person = rows.get_column("index").to_numpy().astype(np.int32)
    known = _days(rows.get_column("known_on"))
    dated = _days(rows.get_column("event_date"))
    day = np.where(dated == NO_DAY, known, dated).astype(np.int32)
    arrival = rows.get_column("id").cast(pl.Int64).to_numpy()
    order = np.lexsort((arrival, known, day, person))
    event = rows.get_column("event").replace_strict(
        {k.value: v for k, v in EVENT_CODES.items()}, return_dtype=pl.Int32
    )
    place = np.full(rows.height, -1, dtype=np.int32)
    place[placed.to_numpy()] = [place_index[key] for key in place_keys.to_list()]
    return RegisterArrays(
        person_ids=ids,
        birth_day=_days(people.get_column("birth_date")),
        row_person=person[order],
        row_event=event.to_numpy().astype(np.int32)[order],
        row_day=day[order],
        row_known=known[order],
        row_place=place[order],
        places=[(key.split("\x1f")[0], key.split("\x1f")[1]) for key in places],
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
