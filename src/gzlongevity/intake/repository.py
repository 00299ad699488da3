"""The register as the database holds it, in the arrays the rules engine reads
(:class:`gzlongevity.batch.replay.PayrollInputs`' register part)."""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from sqlalchemy import bindparam, func, select, text
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


def _all_events(session: Session) -> tuple[tuple[str, str] | None, pl.DataFrame]:
    """Every register event, as text, and the key it is held by (None: no event yet)."""
    first = session.scalar(select(RegisterEvent.fingerprint).order_by(RegisterEvent.id).limit(1))
    if first is None:
        return None, pl.DataFrame(schema={name: pl.String for name in EVENT_COLUMNS})
    key = (session.connection().engine.url.render_as_string(hide_password=True), first)
    held = _EVENTS.get(key)
    after = int(held.get_column("id").cast(pl.Int64).max() or 0) if held is not None else 0  # type: ignore[arg-type]
    new = raw_frame(session, f"{EVENTS_SQL} WHERE id > {after} ORDER BY id", EVENT_COLUMNS)
    events = new if held is None else pl.concat([held, new])
    # PostgreSQL numbers rows as transactions insert them, not as they commit: a feed that
    # took lower ids may commit after higher ones were read. Then rows are missing, and the
    # register is read again whole (and parsed again: what was parsed is not its prefix).
    if held is not None:
        stored = session.scalar(select(func.count()).select_from(RegisterEvent))
        if stored != events.height:
            _PARSED.pop(key, None)
            events = raw_frame(session, f"{EVENTS_SQL} ORDER BY id", EVENT_COLUMNS)
    _EVENTS.clear()
    _EVENTS[key] = events
    return key, events


def _days(column: pl.Series, form: str = "%Y-%m-%d") -> IntArray:
    """Day numbers of a date column written ``form``, :data:`NO_DAY` where empty."""
    return column.str.to_date(form).cast(pl.Int32).fill_null(NO_DAY).to_numpy().astype(np.int32)


@dataclass(frozen=True)
class _Parsed:
    """Register rows parsed, in the order they were read: each row's person (its place in
    ``ids``, the people sorted), day it applies from, known_on, arrival, event code, place key
    (district and street joined by U+001F, null where the row places no one) and place (its
    index in ``places``, sorted; -1: none)."""

    rows: int
    ids: list[str]
    sorted_ids: pl.Series
    birth_day: IntArray
    person: IntArray
    day: IntArray
    known: IntArray
    arrival: npt.NDArray[np.int64]
    event: IntArray
    keys: pl.Series
    place: IntArray
    places: list[str]


# The whole register as the last run read it, parsed, beside the held events (_EVENTS): each
# month only the new rows are parsed (re-parsing all 219,502 of the demo took 0.5 s a run).
_PARSED: dict[tuple[str, str], _Parsed] = {}


def _birth_days(ids: pl.Series) -> IntArray:
    """Birth days from the IDs (checked at intake, 第十四条)."""
    return _days(ids.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d").dt.strftime("%Y-%m-%d"))


def _places_of(keys: pl.Series, places: list[str]) -> IntArray:
    """Each key's index in ``places`` (which holds them all), -1 where null. An enum's
    physical value is its category's position."""
    return keys.cast(pl.Enum(places)).to_physical().fill_null(-1).to_numpy().astype(np.int32)


def _parse(rows: pl.DataFrame, ids: pl.Series, before: _Parsed | None = None) -> _Parsed:
    """``rows`` parsed, their people numbered by ``ids`` (sorted, holding them all), after the
    rows of ``before`` (numbered by the same ``ids``) if given."""
    placed = rows.get_column("event").is_in([EventKind.REGISTERED.value, EventKind.MOVED.value])
    keys = rows.select(
        pl.when(placed)
        .then(pl.col("district") + "\x1f" + pl.col("street"))
        .otherwise(None)
        .alias("key")
    ).get_column("key")
    person = ids.search_sorted(rows.get_column("person_id")).to_numpy().astype(np.int32)
    known = _days(rows.get_column("known_on"))
    dated = _days(rows.get_column("event_date"))
    day = np.where(dated == NO_DAY, known, dated).astype(np.int32)
    arrival = rows.get_column("id").cast(pl.Int64).to_numpy()
    event = rows.get_column("event").replace_strict(
        {k.value: v for k, v in EVENT_CODES.items()}, return_dtype=pl.Int32
    )
    if before is not None:
        keys = pl.concat([before.keys, keys])
        person = np.concatenate([before.person, person])
        known = np.concatenate([before.known, known])
        day = np.concatenate([before.day, day])
        arrival = np.concatenate([before.arrival, arrival])
        event_codes = np.concatenate([before.event, event.to_numpy().astype(np.int32)])
    else:
        event_codes = event.to_numpy().astype(np.int32)
    if before is not None and keys.slice(before.rows).drop_nulls().is_in(before.places).all():
        places, place = (
            before.places,
            np.concatenate([before.place, _places_of(keys.slice(before.rows), before.places)]),
        )
    else:  # a place not seen before: every row's index may move
        # Sorted by UTF-8 bytes, which is code point order (Python's sort of str).
        places = keys.drop_nulls().unique().sort().to_list()
        place = _places_of(keys, places)
    return _Parsed(
        rows=len(person),
        ids=before.ids if before is not None else ids.to_list(),
        sorted_ids=ids,
        birth_day=before.birth_day if before is not None else _birth_days(ids),
        person=person,
        day=day,
        known=known,
        arrival=arrival,
        event=event_codes,
        keys=keys,
        place=place,
        places=places,
    )


def _renumbered(held: _Parsed, arriving: pl.Series) -> _Parsed:
    """``held`` with its people numbered anew for the people ``arriving`` (sorted, none held):
    each keeps its order, moved on by the newcomers sorting before it. Merged, not sorted
    again (sorting 200,000 IDs took most of a month's parse)."""
    count = len(held.ids) + arriving.len()
    moved = np.arange(len(held.ids), dtype=np.int32) + arriving.search_sorted(
        held.sorted_ids
    ).to_numpy().astype(np.int32)
    placed = np.arange(arriving.len(), dtype=np.int32) + held.sorted_ids.search_sorted(
        arriving
    ).to_numpy().astype(np.int32)
    order = np.empty(count, dtype=np.int32)
    order[moved] = np.arange(len(held.ids), dtype=np.int32)
    order[placed] = np.arange(len(held.ids), count, dtype=np.int32)
    ids = pl.concat([held.sorted_ids, arriving]).gather(order)
    birth_day = np.empty(count, dtype=np.int32)
    birth_day[moved] = held.birth_day
    birth_day[placed] = _birth_days(arriving)
    return replace(
        held,
        ids=list(heapq.merge(held.ids, arriving.to_list())),
        sorted_ids=ids,
        birth_day=birth_day,
        person=moved[held.person],
    )


def _whole_register(session: Session) -> _Parsed:
    """Every register row parsed: the rows read before from what was parsed then, the new
    ones parsed now."""
    key, events = _all_events(session)
    held = _PARSED.get(key) if key is not None else None
    _PARSED.clear()
    if held is None or held.rows > events.height:
        parsed = _parse(events, events.get_column("person_id").unique().sort())
    elif held.rows == events.height:
        parsed = held
    else:
        new = events.slice(held.rows)
        people = new.get_column("person_id").unique()
        arriving = people.filter(~people.is_in(held.sorted_ids)).sort()
        if arriving.len():
            held = _renumbered(held, arriving)
        parsed = _parse(new, held.sorted_ids, held)
    if key is not None:
        _PARSED[key] = parsed
    return parsed


def _arrays(parsed: _Parsed) -> RegisterArrays:
    """The rows in the order the rules apply them: by date (event_date, or known_on when
    unknown, 第十九条), known_on, arrival."""
    order = np.lexsort((parsed.arrival, parsed.known, parsed.day, parsed.person))
    return RegisterArrays(
        person_ids=parsed.ids,
        birth_day=parsed.birth_day,
        row_person=parsed.person[order],
        row_event=parsed.event[order],
        row_day=parsed.day[order],
        row_known=parsed.known[order],
        row_place=parsed.place[order],
        places=[(key.split("\x1f")[0], key.split("\x1f")[1]) for key in parsed.places],
    )


def load_register(session: Session, person_ids: Sequence[str] | None = None) -> RegisterArrays:
    """Every register row of ``person_ids`` (default: everyone) in the order the rules apply
    them: by date (event_date, or known_on when unknown, 第十九条), known_on, arrival."""
    if person_ids is None:
        return _arrays(_whole_register(session))
    rows = raw_frame(session, EVENTS_SQL + " WHERE 1 = 1", EVENT_COLUMNS, person_ids)
    # Every person came with a row; the birth date is the ID's (checked at intake, 第十四条).
    return _arrays(_parse(rows, rows.get_column("person_id").unique().sort()))


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
