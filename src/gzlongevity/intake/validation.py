"""The checks of register rows (第十四条): the ID's check digit, the birth date matching the ID,
division codes, the dates and their order. Rows are checked together as a frame of text
(:func:`first_bad_row`, vectorised: a snapshot holds hundreds of thousands); the first bad
row's reason is told by :func:`row_problem`, the same for CSV lines and JSON rows."""

from __future__ import annotations

import numpy as np
import polars as pl
from pydantic import ValidationError

from gzlongevity.core.identity import birth_date_from_id, check_characters_valid, id_problem
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS
from gzlongevity.intake.schemas import RegisterRow
from gzlongevity.models import EventKind

COLUMNS = (
    "person_id",
    "name",
    "birth_date",
    "event",
    "event_date",
    "known_on",
    "district",
    "street",
)
PLACED = (EventKind.REGISTERED.value, EventKind.MOVED.value)


def normalised(frame: pl.DataFrame, today: str) -> pl.DataFrame:
    """Text trimmed, a lowercase ``x`` in the ID read as ``X``, an empty known_on the day the
    feed arrived (``today``, ISO)."""
    frame = frame.with_columns(pl.col(name).fill_null("").str.strip_chars() for name in COLUMNS)
    return frame.with_columns(
        pl.col("person_id").str.to_uppercase(),
        pl.when(pl.col("known_on") == "")
        .then(pl.lit(today))
        .otherwise(pl.col("known_on"))
        .alias("known_on"),
    )


def first_bad_row(frame: pl.DataFrame) -> int | None:
    """The position of the first row of a :func:`normalised` frame failing a check, or None."""
    person = frame.get_column("person_id")
    shaped = person.str.contains(r"^[0-9]{17}[0-9X]$").to_numpy()
    id_birth = person.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    valid = np.zeros(frame.height, dtype=np.bool_)
    good = np.flatnonzero(shaped & id_birth.is_not_null().to_numpy())
    if len(good):
        raw = np.frombuffer("".join(person.gather(good).to_list()).encode("ascii"), dtype=np.uint8)
        valid[good] = check_characters_valid(raw.reshape(-1, 18))

    def date(name: str) -> pl.Series:
        return frame.get_column(name).str.to_date("%Y-%m-%d", strict=False)

    birth, event_date, known = date("birth_date"), date("event_date"), date("known_on")
    event = frame.get_column("event")
    placed = event.is_in(PLACED)
    undated = frame.get_column("event_date") == ""
    bad = (
        ~pl.Series(valid)
        | birth.is_null()
        | (birth != id_birth).fill_null(True)
        | ~event.is_in([kind.value for kind in EventKind])
        | (undated & placed)
        | (~undated & event_date.is_null())
        | known.is_null()
        | (known < event_date).fill_null(False)
        | (placed & ~frame.get_column("district").is_in(list(GUANGZHOU_DISTRICTS)))
        | (placed & (frame.get_column("street") == ""))
    )
    hits = np.flatnonzero(bad.to_numpy())
    return int(hits[0]) if len(hits) else None


def row_problem_of(values: dict[str, str]) -> str:
    """Why the row with these (normalised) texts cannot be taken, in Chinese."""
    try:
        row = RegisterRow.model_validate(
            {k: (v or None) if k in ("event_date", "known_on") else v for k, v in values.items()}
        )
    except ValidationError as err:
        column = str(err.errors()[0]["loc"][0]) if err.errors()[0]["loc"] else ""
        return f"{column} {values.get(column, '')!r} 无效"
    return row_problem(row) or "无效"


def row_problem(row: RegisterRow) -> str | None:
    """Why ``row`` (normalised) cannot be taken, in Chinese, or None."""
    if (problem := id_problem(row.person_id)) is not None:
        return problem
    if birth_date_from_id(row.person_id) != row.birth_date:
        return f"birth_date {row.birth_date} 与身份证号中的出生日期不符"
    if row.event_date is None and row.event in (EventKind.REGISTERED, EventKind.MOVED):
        return f"{row.event.value} 须有 event_date"
    if row.event_date is not None and row.known_on is not None and row.known_on < row.event_date:
        return f"known_on {row.known_on} 早于 event_date {row.event_date}"
    if row.event in (EventKind.REGISTERED, EventKind.MOVED):
        if row.district not in GUANGZHOU_DISTRICTS:
            return f"district {row.district!r} 不是广州市的区划代码"
        if not row.street:
            return "street 为空"
    return None
