"""The register as the database holds it, in the arrays the rules engine reads
(:class:`gzlongevity.batch.replay.PayrollInputs`' register part)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from gzlongevity.core.calendar import FIRST_MONTH, IntArray
from gzlongevity.core.register import NO_DAY, Event, month_states
from gzlongevity.models import EventKind, RegisterEvent

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
    ``AND <key> IN …``) as a frame of text, fetched through the driver's cursor without the
    ORM's per-value processing. Dates come as ISO text from SQLite and as dates from
    PostgreSQL, so every value is turned into text (dates as ISO) for the caller to parse."""
    if person_ids is None:
        cursor = session.connection().connection.cursor()
        try:
            cursor.execute(sql)
            found: list[Any] = list(cursor.fetchall())
        finally:
            cursor.close()
    else:
        found = []
        statement = text(f"{sql} AND {key} IN :ids").bindparams(bindparam("ids", expanding=True))
        for part in chunks(sorted(set(person_ids))):
            found += [tuple(row) for row in session.execute(statement, {"ids": list(part)})]
    if not found:
        return pl.DataFrame(schema={name: pl.String for name in columns})
    frame = pl.DataFrame(found, schema=list(columns), orient="row", infer_schema_length=None)
    return frame.with_columns(pl.col(name).cast(pl.String) for name in columns)


EVENTS_SQL = (
    "SELECT person_id, event, event_date, known_on, district, street, id FROM register_events"
)
EVENT_COLUMNS = ("person_id", "event", "event_date", "known_on", "district", "street", "id")
# Register events are only ever added: each process keeps those it has read and asks only for
# newer ones. Keyed by the database and its first event, so that a database made again at the
# same address is read afresh.
_EVENTS: dict[tuple[str, str], pl.DataFrame] = {}


def _all_events(session: Session) -> pl.DataFrame:
    """Every register event, as text."""
    first = session.scalar(select(RegisterEvent.fingerprint).order_by(RegisterEvent.id).limit(1))
    if first is None:
        return pl.DataFrame(schema={name: pl.String for name in EVENT_COLUMNS})
    key = (session.connection().engine.url.render_as_string(hide_password=True), first)
    held = _EVENTS.get(key)
    after = int(held.get_column("id").cast(pl.Int64).max() or 0) if held is not None else 0  # type: ignore[arg-type]
    new = raw_frame(session, f"{EVENTS_SQL} WHERE id > {after}", EVENT_COLUMNS)
    events = new if held is None else pl.concat([held, new])
    _EVENTS.clear()
    _EVENTS[key] = events
    return events


def _days(column: pl.Series, form: str = "%Y-%m-%d") -> IntArray:
    """Day numbers of a date column written ``form``, :data:`NO_DAY` where empty."""
    return column.str.to_date(form).cast(pl.Int32).fill_null(NO_DAY).to_numpy().astype(np.int32)


def load_register(session: Session, person_ids: Sequence[str] | None = None) -> RegisterArrays:
    """Every register row of ``person_ids`` (default: everyone) in the order the rules apply
    them: by date (event_date, or known_on when unknown, 第十九条), known_on, arrival."""
    rows = (
        _all_events(session)
        if person_ids is None
        else raw_frame(session, EVENTS_SQL + " WHERE 1 = 1", EVENT_COLUMNS, person_ids)
    )
    # Every person came with a row; the birth date is the ID's (checked at intake, 第十四条).
    people = rows.select("person_id").unique().sort("person_id")
    ids: list[str] = people.get_column("person_id").to_list()
    index = pl.DataFrame(
        {
            "person_id": pl.Series(ids, dtype=pl.String),
            "index": pl.Series(range(len(ids)), dtype=pl.Int32),
        }
    )
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
        birth_day=_days(
            people.get_column("person_id")
            .str.slice(6, 8)
            .str.strptime(pl.Date, "%Y%m%d")
            .dt.strftime("%Y-%m-%d")
        ),
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
