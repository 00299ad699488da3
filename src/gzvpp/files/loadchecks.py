"""The columns of a batch of loads read and checked: account ids, times on the 15-minute grid,
finite numbers; each fault names the file and the line or row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from gzkit.inputs import InputError
from gzkit.text import control_character
from gzvpp.core.grid import INTERVAL_MINUTES, INTERVALS_PER_DAY
from gzvpp.core.timeseries import FloatArray, IntArray, day_number
from gzvpp.files.loadtable import ACCOUNT_COLUMN, SYSTEM_SERIES, TIME_COLUMN, Rows, Scratch
from gzvpp.files.timestamps import TIME_FORMATS, local_ticks, parse_local_time

RUN_ROWS = 32  # the shortest average run worth handling run by run
_TICKS_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_SHANGHAI_UTC_OFFSET_S = 8 * 3600  # Asia/Shanghai: UTC+8, no daylight saving (RULES.md)
_EPOCH = dt.datetime(1970, 1, 1)
# Intervals are numbered from 1970-01-01 00:00 local; keeping them in [0, 2**31) lets a row's
# (series, interval) pair pack into one int64 for the duplicate check.
SLOT_END = (day_number(dt.date(9999, 12, 31)) + 1) * INTERVALS_PER_DAY


def series_column(batch: Any, key_column: str | None) -> Any:
    """The batch's series names per row: the account column, or ``"system"`` throughout."""
    if key_column is not None:
        return batch.column(key_column)
    zeros = pa.array(np.zeros(batch.num_rows, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(zeros, pa.array([SYSTEM_SERIES]))


Derived = TypeVar("Derived")


class PerDictionary(Generic[Derived]):
    """Series names per batch as a list of distinct names plus a code per row, with what the
    read derives from those names worked out once for each distinct list.

    A Parquet file may repeat one dictionary of every account in each row group; comparing it
    with the last one is far cheaper than going through 10,000 names again.

    Parameters
    ----------
    derive : callable
        Called with the names (a list of str) when they change.
    """

    def __init__(self, derive: Callable[[list[str]], Derived]) -> None:
        self._derive = derive
        self._last: tuple[Any, list[int], list[int], Derived] | None = None

    def __call__(self, column: Any, rows: Rows) -> tuple[Derived, IntArray]:
        """``derive(names)`` and the codes of ``column``; no row's name may be empty (R1) or
        hold a control character.

        Raises
        ------
        InputError
            At the first row whose account id is missing, empty or blank, or holds a control
            character.
        """
        encoded = text_dictionary(column, ACCOUNT_COLUMN, rows)
        if encoded.null_count:
            raise rows.error(first_null(encoded), "为空", ACCOUNT_COLUMN)
        if self._last is None or not encoded.dictionary.equals(self._last[0]):
            names = encoded.dictionary.to_pylist()
            blank = [k for k, name in enumerate(names) if name is None or not name.strip()]
            controls = [k for k, name in enumerate(names) if name and control_character(name)]
            self._last = (encoded.dictionary, blank, controls, self._derive(names))
        _, blank, controls, derived = self._last
        codes = encoded.indices.to_numpy()
        for bad, reason in ((blank, "为空"), (controls, "含有控制字符")):
            hits = np.flatnonzero(np.isin(codes, bad)) if bad else np.empty(0, np.intp)
            if hits.size:
                raise rows.error(hits[0], reason, ACCOUNT_COLUMN)
        return derived, codes


def text_dictionary(column: Any, name: str, rows: Rows) -> Any:
    """``column`` as a dictionary array of text: distinct values plus an index per row."""
    if pa.types.is_dictionary(column.type) and _is_text(column.type.value_type):
        return column
    if _is_text(column.type):
        return runs_encoded(column)
    raise InputError(rows.path, f"类型为 {column.type}，应为文本", column=name)


def _is_text(kind: Any) -> bool:
    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    )


def runs_encoded(column: Any) -> Any:
    """Text as a dictionary array. Hashing each row's text costs more than comparing it with
    the row before: where the rows come in long runs of one text (a file sorted by account),
    only the first row of each run is looked up."""
    if not column.null_count:
        runs = pc.run_end_encode(column)
        if len(runs.values) * RUN_ROWS <= len(column):
            encoded = pc.dictionary_encode(runs.values)
            lengths = np.diff(runs.run_ends.to_numpy(), prepend=0)
            indices = np.repeat(encoded.indices.to_numpy(), lengths)
            return pa.DictionaryArray.from_arrays(indices, encoded.dictionary)
    return pc.dictionary_encode(column)


def first_null(column: Any) -> int:
    return int(np.argmax(column.is_null().to_numpy(zero_copy_only=False)))


def read_clock(column: Any, rows: Rows) -> Clock:
    """Read ``ts``: text as local time or ISO 8601 with an offset; a naive timestamp as local
    time; a timezone-aware one (stored as UTC) converted to Asia/Shanghai."""
    if column.null_count:
        raise rows.error(first_null(column), "为空", TIME_COLUMN)
    if pa.types.is_timestamp(column.type):
        unit = column.type.unit
        shift = _SHANGHAI_UTC_OFFSET_S * _TICKS_PER_SECOND[unit] if column.type.tz else 0
        return Clock(column.view(pa.int64()).to_numpy(), unit, shift)
    return Clock(_text_ticks(column, rows), "us", 0)


@dataclass(frozen=True)
class Clock:
    """A batch's ``ts`` as local ticks since 1970-01-01 00:00 (``unit``), before ``shift``."""

    ticks: IntArray
    unit: str
    shift: int

    def slots(self, part: slice, rows: Rows, work: Scratch) -> None:
        """Interval numbers of the rows ``part`` into ``work.slots``: local 15-minute intervals
        since 1970-01-01 00:00.

        Each time must lie on the 15-minute grid (采集周期 15 分钟) between 1970 and 9999;
        ``rows`` is the position of ``part``'s first row.
        """
        ticks = self.ticks[part]
        if self.shift:
            ticks = np.add(ticks, self.shift, out=work.spare)
        per_slot = INTERVAL_MINUTES * 60 * _TICKS_PER_SECOND[self.unit]
        slots = np.floor_divide(ticks, per_slot, out=work.slots)
        off_grid = np.not_equal(np.multiply(slots, per_slot, out=work.keys), ticks, out=work.flags)
        if off_grid.any():
            index = int(np.argmax(off_grid))
            local = _tick_text(int(ticks[index]), self.unit)
            raise rows.error(
                index, f"{local} 不在 15 分钟整刻上（应为 :00、:15、:30、:45）", TIME_COLUMN
            )
        if slots.min() < 0 or slots.max() >= SLOT_END:
            index = int(np.argmax((slots < 0) | (slots >= SLOT_END)))
            raise rows.error(
                index, f"{slot_text(int(slots[index]))} 超出 1970–9999 年", TIME_COLUMN
            )


def _text_ticks(column: Any, rows: Rows) -> IntArray:
    """Microseconds since 1970-01-01 00:00 local, parsed in bulk (:func:`local_ticks`), else
    each distinct text once; of a dictionary-encoded column (Parquet) only its distinct texts."""
    codes: IntArray | None = None
    if pa.types.is_dictionary(column.type):
        encoded = text_dictionary(column, TIME_COLUMN, rows)
        texts, codes = encoded.dictionary, encoded.indices.to_numpy()
    elif _is_text(column.type):
        texts = column
    else:
        raise InputError(rows.path, f"类型为 {column.type}，应为文本", column=TIME_COLUMN)
    ticks = local_ticks(texts)
    if ticks is None:
        ticks = _parsed_one_by_one(texts, codes, rows)
    per_row: IntArray = ticks if codes is None else ticks[codes]
    return per_row


def _parsed_one_by_one(texts: Any, codes: IntArray | None, rows: Rows) -> IntArray:
    """:func:`parse_local_time` of each distinct text, per text; the first bad one is named."""
    encoded = texts.dictionary_encode()
    distinct = encoded.dictionary.to_pylist()
    moments = [None if t is None else parse_local_time(t) for t in distinct]
    bad = [k for k, moment in enumerate(moments) if moment is None]
    text_codes = encoded.indices.to_numpy()
    row_codes = text_codes if codes is None else text_codes[codes]
    if bad:
        index = int(np.flatnonzero(np.isin(row_codes, bad))[0])
        raise rows.error(
            index, f"{distinct[row_codes[index]]!r} 不是时间（应为 {TIME_FORMATS}）", TIME_COLUMN
        )
    ticks = np.array(
        [(m - _EPOCH) // dt.timedelta(microseconds=1) for m in moments if m is not None], np.int64
    )
    per_text: IntArray = ticks[text_codes]
    return per_text


def numbers(column: Any, name: str, rows: Rows) -> FloatArray:
    """The load column (kW or MW) as float64; each value must be a number, none empty."""
    if _is_text(column.type) and not column.null_count:
        try:  # Arrow reads numbers as polars does below, only faster
            parsed_column = pc.cast(column, pa.float64())
        except pa.ArrowInvalid:
            pass  # a value that is not a number: found and named below
        else:
            numbers: FloatArray = parsed_column.to_numpy()
            return numbers
    if _is_text(column.type):
        import polars as pl  # here, not at the top: only a bad value needs it, to be named

        text = pl.Series(name, column)
        parsed = text.cast(pl.Float64, strict=False)
        if parsed.null_count():
            index = int(parsed.is_null().arg_true()[0])
            value = text[index]
            raise rows.error(index, f"{value!r} 不是数字" if value else "为空", name)
        values: FloatArray = parsed.to_numpy()
    elif pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        if column.null_count:
            raise rows.error(first_null(column), "为空", name)
        values = column.cast(pa.float64()).to_numpy()
    else:
        raise InputError(rows.path, f"类型为 {column.type}，应为数字", column=name)
    return values


def check_finite(values: FloatArray, name: str, rows: Rows, work: Scratch) -> None:
    """Each load must be a finite number: NaN would read as a missing reading in the cube."""
    finite = np.isfinite(values, out=work.flags)
    if not finite.all():
        index = int(np.argmin(finite))
        raise rows.error(index, f"{values[index]} 不是有限的数", name)


def _tick_text(tick: int, unit: str) -> str:
    """Local time ``tick`` units after 1970-01-01 00:00, as ``YYYY-MM-DD HH:MM[:SS…]``."""
    moment = np.int64(tick).astype(f"datetime64[{unit}]")
    return str(np.datetime_as_string(moment, unit="auto")).replace("T", " ")


def slot_text(slot: int) -> str:
    """Local start of interval number ``slot``, as ``YYYY-MM-DD HH:MM``."""
    minutes = np.int64(slot * INTERVAL_MINUTES).astype("datetime64[m]")
    return str(minutes).replace("T", " ")
