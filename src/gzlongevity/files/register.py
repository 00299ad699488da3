"""register.csv and confirmations.csv: the household register's events and the confirmations.

register.csv ``person_id,name,birth_date,event,event_date,known_on,district,street``;
confirmations.csv ``person_id,confirmed_on,channel``. See docs/longevity.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from gzlongevity.core.identity import check_characters_valid, id_numbers, id_problem
from gzlongevity.core.register import NO_DAY, Event
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS
from gzlongevity.files.table import LINE, dates, first_problem, read_table

REGISTER_COLUMNS = (
    "person_id",
    "name",
    "birth_date",
    "event",
    "event_date",
    "known_on",
    "district",
    "street",
)
CONFIRMATION_COLUMNS = ("person_id", "confirmed_on", "channel")
EVENTS = {event.name.lower(): event.value for event in Event}
CHANNELS = ("app", "committee", "street")


@dataclass(frozen=True)
class Register:
    """The register's rows in the order they apply, and the people in ID order
    (``person_numbers``: their IDs as :func:`~gzlongevity.core.identity.id_numbers`)."""

    person_ids: list[str]
    person_numbers: np.ndarray
    birth_day: np.ndarray
    row_person: np.ndarray
    row_event: np.ndarray
    row_day: np.ndarray
    row_known: np.ndarray
    row_place: np.ndarray
    places: list[tuple[str, str]]


def read_register(path: Path) -> Register:
    """Read and check register.csv (L1, L6, L7; 第十四条, 第十九条).

    Raises
    ------
    InputError
        At the earliest line with: a bad 居民身份证号 (length, digits, birth date, GB 11643
        check digit), a birth_date that is not a date or not the ID's, an unknown event, an
        event_date or known_on that is not a date (event_date may be empty for ``left`` and
        ``died``), known_on before event_date, a ``registered``/``moved`` row without a
        Guangzhou district or a street; or at a person's first line when no row of theirs is
        ``registered``.
    """
    frame = read_table(path, REGISTER_COLUMNS)
    lines = frame.get_column(LINE).to_numpy()
    ids = frame.get_column("person_id").str.strip_chars().str.to_uppercase()
    id_bad, numbers = _id_numbers(ids)

    birth, birth_bad = dates(frame, "birth_date")
    id_birth = (
        ids.str.slice(6, 8).str.to_date("%Y%m%d", strict=False).cast(pl.Int32).fill_null(-1)
    ).to_numpy()
    event_text = frame.get_column("event").str.strip_chars()
    event = event_text.replace_strict(EVENTS, default=-1, return_dtype=pl.Int32).to_numpy()
    event_day, event_day_bad = dates(frame, "event_date")
    event_empty = (frame.get_column("event_date").str.strip_chars() == "").to_numpy()
    known, known_bad = dates(frame, "known_on")
    undated_allowed = (event == Event.LEFT) | (event == Event.DIED)
    district = frame.get_column("district").str.strip_chars()
    street = frame.get_column("street").str.strip_chars()
    placed = (event == Event.REGISTERED) | (event == Event.MOVED)
    district_bad = placed & ~district.is_in(list(GUANGZHOU_DISTRICTS)).to_numpy()
    street_bad = placed & (street == "").to_numpy()
    dated = ~event_day_bad

    first_problem(
        path,
        lines,
        [
            (id_bad, "person_id", lambda row: id_problem(ids[row]) or "身份证号无效"),
            (birth_bad, "birth_date", lambda row: f"{frame['birth_date'][row]!r} 不是日期"),
            (
                ~birth_bad & (birth != id_birth),
                "birth_date",
                lambda row: f"{frame['birth_date'][row]} 与身份证号中的出生日期不符",
            ),
            (
                event < 0,
                "event",
                lambda row: f"未知事件 {event_text[row]!r}（应为 registered、moved、left 或 died）",
            ),
            (
                event_day_bad & ~(event_empty & undated_allowed),
                "event_date",
                lambda row: f"{frame['event_date'][row]!r} 不是日期",
            ),
            (known_bad, "known_on", lambda row: f"{frame['known_on'][row]!r} 不是日期"),
            (
                dated & ~known_bad & (known < event_day),
                "known_on",
                lambda row: f"{frame['known_on'][row]} 早于 event_date {frame['event_date'][row]}",
            ),
            (district_bad, "district", lambda row: f"{district[row]!r} 不是广州市的区划代码"),
            (street_bad, "street", lambda row: "为空"),
        ],
    )

    # Person index in ID order, so that sorting by index sorts by ID.
    person_numbers, first_row, person = np.unique(numbers, return_index=True, return_inverse=True)
    person = person.astype(np.int32)
    person_ids = ids.gather(first_row).to_list()
    has_registration = np.zeros(len(person_ids), dtype=np.bool_)
    has_registration[person[event == Event.REGISTERED]] = True
    unregistered = ~has_registration[person]
    first_problem(
        path,
        lines,
        [
            (
                unregistered,
                "person_id",
                lambda row: f"{ids[row]} 没有 registered 行，无法确定其户籍",
            )
        ],
    )
    day = np.where(dated, event_day, known).astype(np.int32)
    order = np.lexsort((lines, known, day, person))
    place_text = (district + "\x1f" + street).filter(pl.Series(placed))
    place_keys = place_text.unique().sort().to_list()
    row_place = np.full(len(frame), -1, dtype=np.int32)
    # Few places, many rows: a hash look-up, not a sort of every row.
    row_place[placed] = place_text.replace_strict(
        place_keys, range(len(place_keys)), return_dtype=pl.Int32
    ).to_numpy()
    birth_day = np.zeros(len(person_ids), dtype=np.int32)
    birth_day[person] = birth
    return Register(
        person_ids=person_ids,
        person_numbers=person_numbers,
        birth_day=birth_day,
        row_person=person[order],
        row_event=event[order].astype(np.int32),
        row_day=day[order],
        row_known=known[order],
        row_place=row_place[order],
        places=[tuple(str(key).split("\x1f", 1)) for key in place_keys],  # type: ignore[misc]
    )


def read_confirmations(path: Path, register: Register) -> np.ndarray:
    """Each person's earliest confirmation day from confirmations.csv (L4, 第八条–第十条).

    Returns
    -------
    int32 array
        By person index of ``register``; :data:`NO_DAY` for people with no confirmation.

    Raises
    ------
    InputError
        At the earliest line with a bad 居民身份证号, a confirmed_on that is not a date, an
        unknown channel, or a person not in the register.
    """
    frame = read_table(path, CONFIRMATION_COLUMNS)
    lines = frame.get_column(LINE).to_numpy()
    ids = frame.get_column("person_id").str.strip_chars().str.to_uppercase()
    id_bad, numbers = _id_numbers(ids)
    confirmed, confirmed_bad = dates(frame, "confirmed_on")
    channel = frame.get_column("channel").str.strip_chars()
    position = np.searchsorted(register.person_numbers, numbers)
    found = position < len(register.person_numbers)
    found[found] = register.person_numbers[position[found]] == numbers[found]
    first_problem(
        path,
        lines,
        [
            (id_bad, "person_id", lambda row: id_problem(ids[row]) or "身份证号无效"),
            (confirmed_bad, "confirmed_on", lambda row: f"{frame['confirmed_on'][row]!r} 不是日期"),
            (
                ~channel.is_in(list(CHANNELS)).to_numpy(),
                "channel",
                lambda row: f"未知渠道 {channel[row]!r}（应为 app、committee 或 street）",
            ),
            (~found, "person_id", lambda row: f"{ids[row]} 不在户籍名册 (register) 中"),
        ],
    )
    earliest = np.full(len(register.person_ids), NO_DAY, dtype=np.int32)
    np.minimum.at(earliest, position, confirmed)
    return earliest


def _id_numbers(ids: pl.Series) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64]]:
    """Rows whose 居民身份证号 is malformed, has no valid birth date, or a wrong check digit;
    and each valid one as :func:`~gzlongevity.core.identity.id_numbers` (-1 for the others)."""
    shaped = ids.str.contains(r"^[0-9]{17}[0-9X]$").to_numpy()
    birth_ok = ids.str.slice(6, 8).str.to_date("%Y%m%d", strict=False).is_not_null().to_numpy()
    bad: npt.NDArray[np.bool_] = ~(shaped & birth_ok)
    numbers = np.full(len(ids), -1, dtype=np.int64)
    good = np.flatnonzero(~bad)
    if len(good):
        shown = ids if len(good) == len(ids) else ids.gather(good)
        text = shown.str.join("").item()  # 18 ASCII characters each
        raw = np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(-1, 18)
        valid = check_characters_valid(raw)
        bad[good] = ~valid
        numbers[good[valid]] = id_numbers(raw[valid])
    return bad, numbers
