"""Meter loads and the Guangzhou system load, read from CSV or Parquet into an interval cube.

Two kinds of file share one reader:

- meter loads (采集周期 15 分钟): columns ``account_id,ts,kw``, one row per account and interval;
- the system load (广州统调负荷, used by R5): columns ``ts,mw``, one row per interval, returned as
  the single series ``"system"``.

``ts`` is the start of the interval in Guangzhou local time (RULES.md: an interval is named by its
start). Every row is validated, also rows the caller does not keep, and the first fault stops the
read with an :class:`~gzkit.inputs.InputError`.

Both formats go through one pipeline, streamed (the next batch decoded on a second thread) into
a preallocated cube, so a file far larger than memory can be read for some accounts and days.
CSV is UTF-8, UTF-8 with BOM or GB18030 (Excel on a Chinese Windows); GB18030 is first copied
to a temporary UTF-8 file. Text timestamps are parsed in bulk (:func:`local_ticks`). Each batch
is worked in cache-sized chunks of integer arithmetic on interval numbers. A chunk made of long
runs of one account at consecutive intervals, as a file sorted by account then time holds, is
copied run by run as slices; any other chunk is scattered cell by cell.

A second row for the same account and interval is an error wherever it is, also among rows the
caller does not keep. While the rows come in order (by account then time, or by time then
account) none can repeat, which one comparison per row confirms. From the first chunk out of
order on, every row is marked in a bitmap of the cells seen, once the rows before that chunk
have been read again to mark theirs.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Generic, Literal, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from gzkit.csvtables import csv_header, csv_rows, decode_error, require_columns
from gzkit.inputs import InputError
from gzkit.textfiles import (
    GB18030,
    TextDecodeError,
    detect_encoding,
    normalise_encoding,
    transcode_to_utf8,
)
from gzvpp.core.grid import INTERVAL_MINUTES, INTERVALS_PER_DAY
from gzvpp.core.timeseries import (
    BoolArray,
    FloatArray,
    IntArray,
    IntervalCube,
    IntervalRows,
    RepeatedReading,
    day_number,
)
from gzvpp.files.timestamps import TIME_FORMATS, local_ticks, parse_local_time
from gzvpp.kit.text import control_character

SYSTEM_SERIES = "system"
ACCOUNT_COLUMN = "account_id"
TIME_COLUMN = "ts"

_BATCH_ROWS = 1 << 20
_CSV_BLOCK_BYTES = 1 << 22  # about 110,000 rows of meter loads: larger blocks cost page faults
_SNIFF_BYTES = 1 << 22  # a CSV file's encoding is judged by its head; UTF-8 is checked in full
_CHUNK_ROWS = 1 << 16
_RUN_ROWS = 32  # the shortest average run worth copying as slices
_TICKS_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
_SHANGHAI_UTC_OFFSET_S = 8 * 3600  # Asia/Shanghai: UTC+8, no daylight saving (RULES.md)
_EPOCH = dt.datetime(1970, 1, 1)
# Intervals are numbered from 1970-01-01 00:00 local; keeping them in [0, 2**31) lets a row's
# (series, interval) pair pack into one int64 for the duplicate check.
_SLOT_END = (day_number(dt.date(9999, 12, 31)) + 1) * INTERVALS_PER_DAY
# Placement of a row the cube does not keep: any sum of two of these stays negative in int64.
_DROP = -(1 << 61)
_BIT = np.left_shift(1, np.arange(8)).astype(np.uint8)  # each bit of a byte, as a mask


def read_interval_file(
    path: Path,
    *,
    value_column: Literal["kw", "mw"],
    series: Collection[str] | None,
    keep_days: IntArray | None,
    encoding: str | None = None,
) -> IntervalCube:
    """Read 15-minute loads from a CSV or Parquet file into an :class:`IntervalCube`.

    Parameters
    ----------
    path : Path
        A ``.csv`` or ``.parquet`` file. With ``value_column="kw"`` it has the columns
        ``account_id,ts,kw`` (meter loads, kW, one row per account and interval; negative kW is
        allowed, some sites export); with ``"mw"`` the columns ``ts,mw`` (the Guangzhou system
        load 广州统调负荷, MW, R5). Other columns are ignored.
        ``ts`` is the interval start in local time: text as ``YYYY-MM-DD HH:MM`` or ISO 8601
        with an offset (converted to Asia/Shanghai); in Parquet also a timestamp column, naive
        meaning local time and timezone-aware converted to Asia/Shanghai.
    value_column : {"kw", "mw"}
        Which kind of file this is.
    series : collection of str, optional
        The accounts to keep, in the cube's row order; an account without rows is all NaN.
        Rows of other accounts are validated, then dropped. None keeps every account in the
        file, sorted. The system load's one series is named ``"system"``.
    keep_days : ndarray of int64, optional
        Day numbers (:func:`~gzvpp.core.timeseries.day_number`) to hold; rows on other days are
        validated, then dropped. None holds every day with at least one row.
    encoding : str, optional
        A CSV file's encoding: ``utf-8``, ``utf-8-sig`` or ``gb18030`` (``gbk`` too); None
        judges it by the file's head (:func:`gzkit.textfiles.detect_encoding`).

    Returns
    -------
    IntervalCube
        kW or MW per series, day (``keep_days`` sorted, or the days in the file) and interval;
        NaN where the file has no row.

    Raises
    ------
    InputError
        Naming the file, the row (CSV: line, the header being line 1; Parquet: 1-based data
        row) and the fault: no data rows, bytes that are not text in the encoding (naming it), a
        missing column, an empty or non-numeric or non-finite value, an
        empty account id, an unreadable timestamp, one off the 15-minute grid, or a second row
        for the same account and interval anywhere in the file, kept or not (naming the line or
        row of the first one as well).
    """
    path = Path(path)
    key_column = ACCOUNT_COLUMN if value_column == "kw" else None
    columns = [c for c in (key_column, TIME_COLUMN, value_column) if c]
    with _open_table(path, columns, encoding) as table:
        return _read_cube(table, key_column, value_column, series, keep_days)


def _read_cube(
    table: _Table,
    key_column: str | None,
    value_column: str,
    series: Collection[str] | None,
    keep_days: IntArray | None,
) -> IntervalCube:
    """The body of :func:`read_interval_file`, on an opened file."""
    names, days = _layout(table, key_column, series, keep_days)
    placement = _Placement(names, days)
    repeats = _Repeats(table, key_column)
    scratch = _Scratch.sized(_CHUNK_ROWS)
    # One cell past the cube is the sink that dropped rows are written to (and cleared from).
    flat = np.full(placement.size + 1, np.nan)
    lookup = _PerDictionary(lambda names: (names, placement.bases(names), repeats.ids(names)))
    read_rows = 0
    for rows, batch in _batches(table, table.columns):
        read_rows += batch.num_rows
        (batch_names, bases, ids), codes = lookup(_series_column(batch, key_column), rows)
        clock = _clock(batch.column(TIME_COLUMN), rows)
        values = _numbers(batch.column(value_column), value_column, rows)
        for part, at, work in _chunks(rows, batch.num_rows, scratch):
            _check_finite(values[part], value_column, at, work)
            np.copyto(work.series, codes[part])
            clock.slots(part, at, work)
            runs = _runs(work)
            if runs is None or not repeats.extend(ids, runs, work):
                repeats.check(ids, batch_names, at, work)
            if runs is not None:
                placement.copy(flat, values[part], bases, runs, work)
            else:
                placement.cells(bases, work)
                flat[work.cells] = values[part]
                flat[-1] = np.nan
    if not read_rows:
        # An export that came out empty would otherwise read as every baseline unavailable.
        raise InputError(table.path, "no data rows: the file holds only its column names")
    cube = flat[:-1].reshape(len(names), len(days), INTERVALS_PER_DAY)
    return IntervalCube(names, days, cube)


class RowFault(NamedTuple):
    """A reading a :data:`RowCheck` refuses: its position in the chunk, the column, the reason."""

    row: int
    column: str
    reason: str


#: Checks a chunk of readings (series codes, interval numbers, values): the first fault or None.
RowCheck = Callable[[IntArray, IntArray, FloatArray], RowFault | None]


def read_interval_rows(
    path: Path,
    *,
    value_column: Literal["kw", "mw"],
    max_rows: int,
    screen: Callable[[tuple[str, ...]], RowCheck],
    encoding: str | None = None,
) -> IntervalRows:
    """Read an uploaded loads file as its readings, in memory proportional to its rows.

    The file is validated as :func:`read_interval_file` validates it. Before any reading is
    kept, a first pass over the series column finds the series (accounts) and counts the rows;
    ``screen`` gets the series and refuses the upload (by raising) or returns the check every
    chunk of readings must pass (plausible times and values).

    Parameters
    ----------
    path : Path
        A ``.csv`` or ``.parquet`` file, columns as for :func:`read_interval_file`.
    value_column : {"kw", "mw"}
    max_rows : int
        More rows than this are refused before they are read.
    screen : callable
        Called with the sorted series names; returns a :data:`RowCheck`.
    encoding : str, optional
        As for :func:`read_interval_file`; None detects it.

    Raises
    ------
    InputError
        Naming the file, the line (CSV) or row (Parquet) and the fault, a check's fault
        included; a repeat names the line or row of the first reading as well.
    """
    path = Path(path)
    key_column = ACCOUNT_COLUMN if value_column == "kw" else None
    columns = [c for c in (key_column, TIME_COLUMN, value_column) if c]
    with _open_table(path, columns, encoding) as table:
        names, count = _series_and_rows(table, key_column)
        if count > max_rows:
            raise InputError(path, f"{count} rows; an upload holds at most {max_rows}")
        check = screen(names)
        index = {name: code for code, name in enumerate(names)}
        codes = np.empty(count, dtype=np.int64)
        slots = np.empty(count, dtype=np.int64)
        values = np.empty(count, dtype=np.float64)
        scratch = _Scratch.sized(_CHUNK_ROWS)
        # A name no row uses may sit in a Parquet dictionary; -1 marks it (and is never taken).
        lookup = _PerDictionary(
            lambda batch_names: np.array([index.get(n, -1) for n in batch_names])
        )
        for rows, batch in _batches(table, table.columns):
            series, batch_codes = lookup(_series_column(batch, key_column), rows)
            clock = _clock(batch.column(TIME_COLUMN), rows)
            batch_values = _numbers(batch.column(value_column), value_column, rows)
            for part, at, work in _chunks(rows, batch.num_rows, scratch):
                _check_finite(batch_values[part], value_column, at, work)
                clock.slots(part, at, work)
                kept = slice(at.first - table.first, at.first - table.first + len(work.slots))
                np.take(series, batch_codes[part], out=codes[kept])
                slots[kept] = work.slots
                values[kept] = batch_values[part]
                fault = check(codes[kept], slots[kept], values[kept])
                if fault is not None:
                    raise at.error(fault.row, fault.reason)
        try:
            return IntervalRows.of(names, codes, slots, values)
        except RepeatedReading as repeat:
            where = _Rows(path, table.unit, table.first)
            reason = _repeat_reason(
                names[codes[repeat.later]], slots[repeat.later], table.first + repeat.earlier, where
            )
            raise where.error(repeat.later, reason) from None


def _series_and_rows(table: _Table, key_column: str | None) -> tuple[tuple[str, ...], int]:
    """A first pass over the series column: the series in the file, sorted, and the rows."""
    if key_column is None:
        return (SYSTEM_SERIES,), sum(b.num_rows for _, b in _batches(table, [TIME_COLUMN]))
    names: set[str] = set()
    count = 0
    lookup = _PerDictionary(lambda batch_names: {n for n in batch_names if n and n.strip()})
    for rows, batch in _batches(table, [key_column]):
        names.update(lookup(batch.column(key_column), rows)[0])
        count += batch.num_rows
    return tuple(sorted(names)), count


@dataclass(frozen=True)
class _Rows:
    """Where a batch or chunk starts in its file, to name the line or row of a fault."""

    path: Path
    unit: str
    first: int

    def skip(self, count: int) -> _Rows:
        """The position ``count`` rows further on."""
        return _Rows(self.path, self.unit, self.first + count)

    def error(self, index: int, reason: str) -> InputError:
        """The error for the batch's row ``index`` (0-based)."""
        return InputError(self.path, reason, row=self.first + int(index), unit=self.unit)


@dataclass(frozen=True)
class _Scratch:
    """Working arrays for one chunk of rows, allocated once per read.

    Each step of the chunk pipeline writes into these. Fresh temporaries at every step would
    have the C allocator return the memory to the system and fault it back in, which costs
    more than the arithmetic.

    Attributes
    ----------
    series : ndarray of int64
        Per row, the index of its series in the batch's list of names.
    slots : ndarray of int64
        Per row, the interval number (:meth:`_Clock.slots`).
    cells : ndarray of int64
        Per row, the flat index in the cube, -1 for the sink (:meth:`_Placement.cells`).
    keys, spare : ndarray of int64
        The duplicate check's keys, and room that any step may overwrite.
    flags : ndarray of bool
        Any step's per-row test.
    """

    series: IntArray
    slots: IntArray
    cells: IntArray
    keys: IntArray
    spare: IntArray
    flags: BoolArray

    @classmethod
    def sized(cls, rows: int) -> _Scratch:
        series, slots, cells, keys, spare = np.empty((5, rows), dtype=np.int64)
        return cls(series, slots, cells, keys, spare, np.empty(rows, dtype=np.bool_))

    def head(self, rows: int) -> _Scratch:
        """The first ``rows`` of every array."""
        return _Scratch(*(getattr(self, f.name)[:rows] for f in fields(self)))


def _chunks(rows: _Rows, count: int, scratch: _Scratch) -> Iterator[tuple[slice, _Rows, _Scratch]]:
    """Split a batch of ``count`` rows into chunks the size of ``scratch``, small enough to
    stay in the CPU cache; yield each chunk's slice, position and scratch arrays."""
    size = len(scratch.slots)
    for start in range(0, count, size):
        stop = min(start + size, count)
        yield slice(start, stop), rows.skip(start), scratch.head(stop - start)


@dataclass(frozen=True)
class _Table:
    """An opened input file: the columns it must have and a way to stream them in batches,
    from the start of the file at each call of ``read``."""

    path: Path
    columns: list[str]
    unit: str
    first: int
    read: Callable[[list[str]], Iterator[Any]]


@contextmanager
def _open_table(path: Path, columns: list[str], encoding: str | None) -> Iterator[_Table]:
    """Open a CSV or Parquet file and check that it has ``columns``."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with _csv_table(path, columns, encoding) as table:
            yield table
    elif suffix == ".parquet":
        yield _parquet_table(path, columns)
    else:
        raise InputError(path, f"unsupported file type {suffix!r}: loads come as .csv or .parquet")


@contextmanager
def _csv_table(path: Path, columns: list[str], encoding: str | None) -> Iterator[_Table]:
    """Open a CSV file for streaming, every column read as text so that each value is checked
    by us; a GB18030 file is read from a UTF-8 copy in a temporary folder.

    Plain UTF-8 is read as it is: its encoding is judged by the head of the file, and the CSV
    reader checks every value is UTF-8 (a fault is then named by line, :func:`_csv_fault`).
    """
    try:
        chosen = normalise_encoding(encoding) if encoding else detect_encoding(path, _SNIFF_BYTES)
    except (OSError, ValueError) as exc:
        raise InputError(path, f"not a readable CSV file: {exc}") from exc
    csv_header(path, columns, chosen)
    with tempfile.TemporaryDirectory(prefix="gzvpp-csv-") as folder:
        source = path
        if chosen == GB18030:
            source = Path(folder) / "utf-8.csv"
            try:
                transcode_to_utf8(path, source, chosen)
            except TextDecodeError as exc:
                raise decode_error(path, exc) from None

        def read(wanted: list[str]) -> Iterator[Any]:
            # Empty text is read as null, as the checks of each column expect; a blank line is
            # a row of empty fields, so that line numbers stay those of the file.
            convert = pa_csv.ConvertOptions(
                include_columns=wanted,
                column_types=dict.fromkeys(wanted, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            )
            try:
                yield from pa_csv.open_csv(
                    source,
                    read_options=pa_csv.ReadOptions(block_size=_CSV_BLOCK_BYTES),
                    parse_options=pa_csv.ParseOptions(ignore_empty_lines=False),
                    convert_options=convert,
                )
            except (pa.ArrowException, OSError) as exc:
                raise _csv_fault(path, columns, chosen, exc) from None

        yield _Table(path, columns, "line", 2, read)


def _csv_fault(path: Path, columns: list[str], encoding: str, exc: Exception) -> InputError:
    """The error for a CSV file the streaming reader refused, naming the line where the text is
    not valid in ``encoding`` or a row has the wrong number of fields, if one is."""
    try:
        for _ in csv_rows(path, columns, encoding):
            pass
    except InputError as located:
        return located
    return InputError(path, f"not a readable CSV file: {exc}")


def _parquet_table(path: Path, columns: list[str]) -> _Table:
    """Open a Parquet file for streaming; text columns are read dictionary-encoded."""
    import pyarrow.parquet as pq  # here, not at the top: a CSV run need not load it

    try:
        found = pq.read_schema(path).names
        require_columns(path, found, columns, row=None)
        # Text columns come dictionary-encoded (a timestamp ``ts`` is read as it is). Without
        # pre_buffer, pyarrow holds one row group in memory at a time, not the whole file.
        dictionary = [name for name in (ACCOUNT_COLUMN, TIME_COLUMN) if name in found]
        file = pq.ParquetFile(path, read_dictionary=dictionary, pre_buffer=False)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(path, f"not a readable Parquet file: {exc}") from exc
    # A batch per row group where row groups are of a workable size: batches that straddle
    # row groups cost pyarrow a copy.
    largest = max(
        (file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)), default=0
    )
    batch_rows = largest if _BATCH_ROWS // 16 <= largest <= 2 * _BATCH_ROWS else _BATCH_ROWS

    def read(wanted: list[str]) -> Iterator[Any]:
        # Each read opens the file anew: the rows before a repeat found out of order are read
        # again while the first read is under way (:class:`_Repeats`).
        try:
            reader = pq.ParquetFile(path, read_dictionary=dictionary, pre_buffer=False)
            yield from reader.iter_batches(batch_size=batch_rows, columns=wanted)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(path, f"unreadable Parquet data: {exc}") from exc

    return _Table(path, columns, "row", 1, read)


def _batches(table: _Table, columns: list[str]) -> Iterator[tuple[_Rows, Any]]:
    """The file's non-empty record batches of ``columns``, each with its position in the file.

    The next batch is decoded on a second thread while the caller works on this one.
    """
    batches = table.read(columns)
    first = table.first
    with ThreadPoolExecutor(max_workers=1) as reader:
        pending = reader.submit(next, batches, None)
        while (batch := pending.result()) is not None:
            pending = reader.submit(next, batches, None)
            if batch.num_rows:
                yield _Rows(table.path, table.unit, first), batch
            first += batch.num_rows


def _layout(
    table: _Table,
    key_column: str | None,
    series: Collection[str] | None,
    keep_days: IntArray | None,
) -> tuple[tuple[str, ...], IntArray]:
    """The cube's series and days: as asked for, else those in the file (one pass to find)."""
    names: tuple[str, ...] | None = None
    if series is not None:
        names = tuple(dict.fromkeys(series))
    elif key_column is None:
        names = (SYSTEM_SERIES,)
    days = np.unique(np.asarray(keep_days, dtype=np.int64)) if keep_days is not None else None
    if names is not None and days is not None:
        return names, days
    found_names, found_days = _inventory(
        table, key_column if names is None else None, want_days=days is None
    )
    return (
        names if names is not None else found_names,
        days if days is not None else found_days,
    )


def _inventory(
    table: _Table, key_column: str | None, want_days: bool
) -> tuple[tuple[str, ...], IntArray]:
    """A first pass over the file: the accounts in ``key_column`` (sorted) and the days with data.

    With ``key_column`` None no accounts are collected; with ``want_days`` False no days.
    """
    names: set[str] = set()
    days = np.empty(0, dtype=np.int64)
    scratch = _Scratch.sized(_CHUNK_ROWS)
    columns = [c for c in (key_column, TIME_COLUMN if want_days else None) if c is not None]
    lookup = _PerDictionary(frozenset)
    for rows, batch in _batches(table, columns):
        if key_column is not None:
            names.update(lookup(batch.column(key_column), rows)[0])
        if want_days:
            clock = _clock(batch.column(TIME_COLUMN), rows)
            for part, at, work in _chunks(rows, batch.num_rows, scratch):
                clock.slots(part, at, work)
                day = work.slots // INTERVALS_PER_DAY
                first = int(day.min())
                days = np.union1d(days, np.flatnonzero(np.bincount(day - first)) + first)
    return tuple(sorted(names)), days


def _series_column(batch: Any, key_column: str | None) -> Any:
    """The batch's series names per row: the account column, or ``"system"`` throughout."""
    if key_column is not None:
        return batch.column(key_column)
    zeros = pa.array(np.zeros(batch.num_rows, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(zeros, pa.array([SYSTEM_SERIES]))


def _is_text(kind: Any) -> bool:
    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    )


def _text_dictionary(column: Any, name: str, rows: _Rows) -> Any:
    """``column`` as a dictionary array of text: distinct values plus an index per row."""
    if pa.types.is_dictionary(column.type) and _is_text(column.type.value_type):
        return column
    if _is_text(column.type):
        return _runs_encoded(column)
    raise InputError(rows.path, f"column {name!r} holds {column.type}; expected text")


def _runs_encoded(column: Any) -> Any:
    """Text as a dictionary array. Hashing each row's text costs more than comparing it with
    the row before: where the rows come in long runs of one text (a file sorted by account),
    only the first row of each run is looked up."""
    if not column.null_count:
        runs = pc.run_end_encode(column)
        if len(runs.values) * _RUN_ROWS <= len(column):
            encoded = pc.dictionary_encode(runs.values)
            lengths = np.diff(runs.run_ends.to_numpy(), prepend=0)
            indices = np.repeat(encoded.indices.to_numpy(), lengths)
            return pa.DictionaryArray.from_arrays(indices, encoded.dictionary)
    return pc.dictionary_encode(column)


def _first_null(column: Any) -> int:
    return int(np.argmax(column.is_null().to_numpy(zero_copy_only=False)))


_Derived = TypeVar("_Derived")


class _PerDictionary(Generic[_Derived]):
    """Series names per batch as a list of distinct names plus a code per row, with what the
    read derives from those names worked out once for each distinct list.

    A Parquet file may repeat one dictionary of every account in each row group; comparing it
    with the last one is far cheaper than going through 10,000 names again.

    Parameters
    ----------
    derive : callable
        Called with the names (a list of str) when they change.
    """

    def __init__(self, derive: Callable[[list[str]], _Derived]) -> None:
        self._derive = derive
        self._last: tuple[Any, list[int], list[int], _Derived] | None = None

    def __call__(self, column: Any, rows: _Rows) -> tuple[_Derived, IntArray]:
        """``derive(names)`` and the codes of ``column``; no row's name may be empty (R1) or
        hold a control character.

        Raises
        ------
        InputError
            At the first row whose account id is missing, empty or blank, or holds a control
            character.
        """
        encoded = _text_dictionary(column, ACCOUNT_COLUMN, rows)
        if encoded.null_count:
            raise rows.error(_first_null(encoded), f"empty {ACCOUNT_COLUMN}")
        if self._last is None or not encoded.dictionary.equals(self._last[0]):
            names = encoded.dictionary.to_pylist()
            blank = [k for k, name in enumerate(names) if name is None or not name.strip()]
            controls = [k for k, name in enumerate(names) if name and control_character(name)]
            self._last = (encoded.dictionary, blank, controls, self._derive(names))
        _, blank, controls, derived = self._last
        codes = encoded.indices.to_numpy()
        for bad, reason in (
            (blank, f"empty {ACCOUNT_COLUMN}"),
            (controls, f"{ACCOUNT_COLUMN} contains a control character"),
        ):
            hits = np.flatnonzero(np.isin(codes, bad)) if bad else np.empty(0, np.intp)
            if hits.size:
                raise rows.error(hits[0], reason)
        return derived, codes


@dataclass(frozen=True)
class _Clock:
    """A batch's ``ts`` as local ticks since 1970-01-01 00:00 (``unit``), before ``shift``."""

    ticks: IntArray
    unit: str
    shift: int

    def slots(self, part: slice, rows: _Rows, work: _Scratch) -> None:
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
            raise rows.error(index, f"{TIME_COLUMN} {local} is not on the 15-minute grid")
        if slots.min() < 0 or slots.max() >= _SLOT_END:
            index = int(np.argmax((slots < 0) | (slots >= _SLOT_END)))
            raise rows.error(
                index,
                f"{TIME_COLUMN} {_slot_text(int(slots[index]))} is outside the years 1970–9999",
            )


def _clock(column: Any, rows: _Rows) -> _Clock:
    """Read ``ts``: text as local time or ISO 8601 with an offset; a naive timestamp as local
    time; a timezone-aware one (stored as UTC) converted to Asia/Shanghai."""
    if column.null_count:
        raise rows.error(_first_null(column), f"empty {TIME_COLUMN}")
    if pa.types.is_timestamp(column.type):
        unit = column.type.unit
        shift = _SHANGHAI_UTC_OFFSET_S * _TICKS_PER_SECOND[unit] if column.type.tz else 0
        return _Clock(column.view(pa.int64()).to_numpy(), unit, shift)
    return _Clock(_text_ticks(column, rows), "us", 0)


def _text_ticks(column: Any, rows: _Rows) -> IntArray:
    """Microseconds since 1970-01-01 00:00 local, parsed in bulk (:func:`local_ticks`), else
    each distinct text once; of a dictionary-encoded column (Parquet) only its distinct texts."""
    codes: IntArray | None = None
    if pa.types.is_dictionary(column.type):
        encoded = _text_dictionary(column, TIME_COLUMN, rows)
        texts, codes = encoded.dictionary, encoded.indices.to_numpy()
    elif _is_text(column.type):
        texts = column
    else:
        raise InputError(rows.path, f"column {TIME_COLUMN!r} holds {column.type}; expected text")
    ticks = local_ticks(texts)
    if ticks is None:
        ticks = _parsed_one_by_one(texts, codes, rows)
    per_row: IntArray = ticks if codes is None else ticks[codes]
    return per_row


def _parsed_one_by_one(texts: Any, codes: IntArray | None, rows: _Rows) -> IntArray:
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
            index,
            f"{TIME_COLUMN} {distinct[row_codes[index]]!r} is not a time (expected {TIME_FORMATS})",
        )
    ticks = np.array(
        [(m - _EPOCH) // dt.timedelta(microseconds=1) for m in moments if m is not None], np.int64
    )
    per_text: IntArray = ticks[text_codes]
    return per_text


def _numbers(column: Any, name: str, rows: _Rows) -> FloatArray:
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
            reason = f"{name} value {value!r} is not a number" if value else f"empty {name}"
            raise rows.error(index, reason)
        values: FloatArray = parsed.to_numpy()
    elif pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        if column.null_count:
            raise rows.error(_first_null(column), f"empty {name}")
        values = column.cast(pa.float64()).to_numpy()
    else:
        raise InputError(rows.path, f"column {name!r} holds {column.type}; expected numbers")
    return values


def _check_finite(values: FloatArray, name: str, rows: _Rows, work: _Scratch) -> None:
    """Each load must be a finite number: NaN would read as a missing reading in the cube."""
    finite = np.isfinite(values, out=work.flags)
    if not finite.all():
        index = int(np.argmin(finite))
        raise rows.error(index, f"{name} value {values[index]} is not a finite number")


def _tick_text(tick: int, unit: str) -> str:
    """Local time ``tick`` units after 1970-01-01 00:00, as ``YYYY-MM-DD HH:MM[:SS…]``."""
    moment = np.int64(tick).astype(f"datetime64[{unit}]")
    return str(np.datetime_as_string(moment, unit="auto")).replace("T", " ")


def _slot_text(slot: int) -> str:
    """Local start of interval number ``slot``, as ``YYYY-MM-DD HH:MM``."""
    minutes = np.int64(slot * INTERVAL_MINUTES).astype("datetime64[m]")
    return str(minutes).replace("T", " ")


class _Placement:
    """Where each row goes in the flattened cube (series, day, interval), or the sink (-1)."""

    def __init__(self, names: tuple[str, ...], days: IntArray) -> None:
        self.size = len(names) * len(days) * INTERVALS_PER_DAY
        per_series = len(days) * INTERVALS_PER_DAY
        self._base = {name: row * per_series for row, name in enumerate(names)}
        # Interval number → offset within a series, over the span from the first to the last
        # kept day, with a dropped entry at either end that intervals outside are clipped to.
        first_day = int(days[0]) if len(days) else 0
        span = (int(days[-1]) - first_day + 1) * INTERVALS_PER_DAY if len(days) else 0
        self._before_span = first_day * INTERVALS_PER_DAY - 1
        self._offset = np.full(span + 2, _DROP, dtype=np.int64)
        kept = (days - first_day) * INTERVALS_PER_DAY + 1
        self._offset[(kept[:, None] + np.arange(INTERVALS_PER_DAY)).ravel()] = np.arange(per_series)
        # Runs of consecutive kept days as (first index, stop index, offset at first): within
        # one, consecutive intervals are consecutive cells.
        breaks = np.flatnonzero(np.diff(days) != 1) + 1
        self._blocks = [
            (int(kept[a]), int(kept[b - 1]) + INTERVALS_PER_DAY, int(a) * INTERVALS_PER_DAY)
            for a, b in zip([0, *breaks], [*breaks, len(days)], strict=True)
            if b > a
        ]

    def bases(self, batch_names: list[str]) -> IntArray:
        """Flat index of each series' first cell, a large negative number for one not kept."""
        return np.array([self._base.get(name, _DROP) for name in batch_names], dtype=np.int64)

    def cells(self, bases: IntArray, work: _Scratch) -> None:
        """Flat cube index per row into ``work.cells``, -1 for a row the cube does not keep.

        ``bases`` is :meth:`bases` of the batch's names; reads ``work.series``, ``work.slots``.
        """
        np.subtract(work.slots, self._before_span, out=work.spare)
        np.take(self._offset, work.spare, out=work.cells, mode="clip")
        np.take(bases, work.series, out=work.spare, mode="clip")
        np.add(work.cells, work.spare, out=work.cells)
        np.maximum(work.cells, -1, out=work.cells)

    def copy(
        self, flat: FloatArray, values: FloatArray, bases: IntArray, runs: IntArray, work: _Scratch
    ) -> None:
        """Store a chunk made of runs (:func:`_runs`) as whole stretches of the cube.

        A run, one series at consecutive intervals, meets each block of consecutive kept days
        in one contiguous stretch of cells, so it is copied as a slice, not cell by cell.
        """
        starts, stops = runs[:-1].tolist(), runs[1:].tolist()
        run_bases = bases[work.series[runs[:-1]]].tolist()
        run_first = (work.slots[runs[:-1]] - self._before_span).tolist()
        for start, stop, base, first in zip(starts, stops, run_bases, run_first, strict=True):
            if base < 0:  # a series the cube does not keep
                continue
            end = first + stop - start
            for block_first, block_stop, offset in self._blocks:
                low, high = max(first, block_first), min(end, block_stop)
                if low < high:
                    cell = base + offset + low - block_first
                    row = start + low - first
                    flat[cell : cell + high - low] = values[row : row + high - low]


class _Repeats:
    """Finds a second row for the same series and interval, anywhere in the file.

    Each series gets a number in order of first appearance. While the rows so far are strictly
    increasing in (series, interval), or in (interval, series), no row can repeat, and one pass
    over each chunk checks that this still holds. At the first chunk where neither order holds,
    the rows before it are read again into a :class:`_Seen` bitmap; from then on each chunk is
    looked up in the bitmap, then marked in it.

    Parameters
    ----------
    table : _Table
        The file, to read again the rows before the first chunk out of order, and to find the
        first of two rows for a repeat the bitmap finds.
    key_column : str, optional
        The account column; None for the system load's one series.
    """

    def __init__(self, table: _Table, key_column: str | None) -> None:
        self._table = table
        self._key_column = key_column
        self._ids: dict[str, int] = {}
        # The last key of each order the rows still follow: 0 by series then time, 1 by time.
        self._last: dict[int, int] = {0: -1, 1: -1}
        self._seen: _Seen | None = None

    def ids(self, batch_names: list[str]) -> IntArray:
        """The series' numbers, numbering names not seen before."""
        return np.array([self._ids.setdefault(n, len(self._ids)) for n in batch_names])

    def extend(self, ids: IntArray, runs: IntArray, work: _Scratch) -> bool:
        """Whether a chunk of runs (:func:`_runs`) carries on the order by series then time.

        Within a run the intervals rise one by one, so the chunk is in order when the runs'
        series numbers rise and its first row comes after the last row so far. Then no row can
        repeat, and that order alone is followed from here on.
        """
        if 0 not in self._last:
            return False
        run_ids = ids[work.series[runs[:-1]]]
        first = (int(run_ids[0]) << 32) | int(work.slots[0])
        if first <= self._last[0] or not np.all(run_ids[1:] > run_ids[:-1]):
            return False
        self._last = {0: (int(run_ids[-1]) << 32) | int(work.slots[-1])}
        return True

    def check(self, ids: IntArray, batch_names: list[str], rows: _Rows, work: _Scratch) -> None:
        """Raise on a row of this chunk that repeats one in the chunk or anywhere before it.

        ``ids`` is :meth:`ids` of ``batch_names``; reads ``work.series`` and ``work.slots``, and
        overwrites the other scratch arrays.
        """
        if self._seen is None:
            still: dict[int, int] = {}
            for order, last in self._last.items():
                keys = _pair_keys(order, ids, work)
                if keys[0] == last:
                    name = batch_names[work.series[0]]
                    raise rows.error(0, _repeat_reason(name, work.slots[0], rows.first - 1, rows))
                rising = np.greater(keys[1:], keys[:-1], out=work.flags[1:])
                if keys[0] > last and rising.all():
                    still[order] = int(keys[-1])
            self._last = still
            if still:
                return
            self._seen = self._mark_before(rows.first)
        seen = self._seen
        if not seen.add(seen.cells(ids, work), work):
            return
        # A repeat: the first row that repeats one of this chunk or one marked before it.
        cells = seen.cells(ids, work).copy()
        by_cell = np.argsort(cells, kind="stable")  # equal cells keep the order of their rows
        within = by_cell[1:][cells[by_cell[1:]] == cells[by_cell[:-1]]]
        marked = np.flatnonzero(seen.marked(cells))
        earlier: int | None
        if within.size and (not marked.size or within.min() <= marked[0]):
            index = int(within.min())
            earlier = rows.first + int(np.argmax(cells == cells[index]))
        else:
            index = int(marked[0])
            earlier = self._find(batch_names[work.series[index]], int(work.slots[index]), rows)
        name = batch_names[work.series[index]]
        raise rows.error(index, _repeat_reason(name, work.slots[index], earlier, rows))

    def _mark_before(self, stop: int) -> _Seen:
        """A bitmap with the file's rows before position ``stop`` marked (rows in order)."""
        seen = _Seen()
        for _, ids, work in _replay(self._table, self._key_column, stop, self.ids):
            seen.add(seen.cells(ids, work), work)
        return seen

    def _find(self, name: str, slot: int, rows: _Rows) -> int | None:
        """The position of the first row for ``name`` at interval ``slot`` before ``rows``."""

        def codes(batch_names: list[str]) -> IntArray:
            return np.array([k for k, n in enumerate(batch_names) if n == name], dtype=np.int64)

        for at, wanted, work in _replay(self._table, self._key_column, rows.first, codes):
            hits = np.flatnonzero(np.isin(work.series, wanted) & (work.slots == slot))
            if hits.size:
                return at.first + int(hits[0])
        return None


class _Seen:
    """A bitmap of the cells (series number, day, interval) that rows have been read for.

    Days are numbered in order of first appearance, so that the map spans the days with rows,
    however far apart: 10,000 series over 400 days take 48 MB. It grows by half again when a
    series or a day does not fit.
    """

    def __init__(self) -> None:
        # Per day number, 1 + the day's place in the map, 0 for a day not seen: zeros cost no
        # memory until written.
        self._day_at = np.zeros(_SLOT_END // INTERVALS_PER_DAY, dtype=np.int64)
        self._days = 0
        self._bits: npt.NDArray[np.uint8] = np.zeros((0, 0), dtype=np.uint8)

    def cells(self, ids: IntArray, work: _Scratch) -> IntArray:
        """Each row's bit number into ``work.cells``, making room for new series and days.

        ``ids`` are the batch's series numbers; reads ``work.series`` and ``work.slots``.
        """
        day, interval = np.divmod(work.slots, INTERVALS_PER_DAY, out=(work.spare, work.cells))
        at = np.take(self._day_at, day, out=work.keys)
        new = np.equal(at, 0, out=work.flags)
        if new.any():
            fresh = np.unique(day[new])
            self._day_at[fresh] = np.arange(self._days, self._days + len(fresh)) + 1
            self._days += len(fresh)
            at = np.take(self._day_at, day, out=work.keys)
        self._fit(int(ids.max()) + 1, self._days)
        cells = np.add(interval, np.multiply(at, INTERVALS_PER_DAY, out=work.keys), out=work.cells)
        width = self._bits.shape[1] * 8  # bits per series
        row_bits = np.take(ids, work.series, out=work.spare, mode="clip")
        np.add(cells, np.multiply(row_bits, width, out=work.spare), out=work.cells)
        return np.subtract(cells, INTERVALS_PER_DAY, out=work.cells)  # places count from 1

    def add(self, cells: IntArray, work: _Scratch) -> bool:
        """Mark the rows' ``cells`` (:meth:`cells`), unless two rows share a cell or a row's
        cell is marked already: then return True, marking none.

        The cells are sorted first (unless they rise already), which finds repeats within the
        rows, lets the rows that fall in one byte be combined, and walks the bitmap in order.
        Overwrites ``work.keys``, ``work.spare``, ``work.cells`` and ``work.flags``.
        """
        ordered = work.keys
        np.copyto(ordered, cells)
        if not np.greater(ordered[1:], ordered[:-1], out=work.flags[1:]).all():
            ordered.sort()
            if np.equal(ordered[1:], ordered[:-1], out=work.flags[1:]).any():
                return True
        bits = self._bits.reshape(-1)
        byte = np.right_shift(ordered, 3, out=work.spare)
        mask = _BIT[np.bitwise_and(ordered, 7, out=work.cells)]
        old = bits[byte]
        if np.bitwise_and(old, mask).any():
            return True
        # The first row of each byte stores the bits of all the rows in it.
        np.not_equal(byte[1:], byte[:-1], out=work.flags[1:])
        work.flags[0] = True
        first = np.flatnonzero(work.flags)
        bits[byte[first]] = old[first] | np.bitwise_or.reduceat(mask, first)
        return False

    def marked(self, cells: IntArray) -> BoolArray:
        """Whether each of ``cells`` is marked."""
        found: BoolArray = self._bits.reshape(-1)[cells >> 3] & _BIT[cells & 7] != 0
        return found

    def _fit(self, series: int, days: int) -> None:
        """Make room for ``series`` series and ``days`` days, growing by half again."""
        have_series, have_bytes = self._bits.shape
        need_bytes = days * INTERVALS_PER_DAY // 8
        if series <= have_series and need_bytes <= have_bytes:
            return
        rows = have_series if series <= have_series else max(series, have_series * 3 // 2)
        cols = have_bytes if need_bytes <= have_bytes else max(need_bytes, have_bytes * 3 // 2)
        bits = np.zeros((rows, cols), dtype=np.uint8)
        bits[:have_series, :have_bytes] = self._bits
        self._bits = bits


def _replay(
    table: _Table, key_column: str | None, stop: int, derive: Callable[[list[str]], _Derived]
) -> Iterator[tuple[_Rows, _Derived, _Scratch]]:
    """The file's rows before position ``stop`` read again (they were checked the first time),
    chunk by chunk: each chunk's position, ``derive`` of its batch's series names, and scratch
    arrays with ``series`` (the index of each row's name) and ``slots`` filled in."""
    if stop <= table.first:
        return
    scratch = _Scratch.sized(_CHUNK_ROWS)
    lookup = _PerDictionary(derive)
    columns = [c for c in (key_column, TIME_COLUMN) if c is not None]
    for rows, batch in _batches(table, columns):
        count = min(batch.num_rows, stop - rows.first)
        if count <= 0:
            break
        derived, codes = lookup(_series_column(batch, key_column), rows)
        clock = _clock(batch.column(TIME_COLUMN), rows)
        for part, at, work in _chunks(rows, count, scratch):
            np.copyto(work.series, codes[part])
            clock.slots(part, at, work)
            yield at, derived, work


def _runs(work: _Scratch) -> IntArray | None:
    """Bounds of the chunk's runs, rows of one series at consecutive intervals, when the chunk
    is made of long runs (as a file sorted by account then time, without gaps, is); else None.

    Returns
    -------
    ndarray of int64 or None
        0, the first row of each run after the first, and the number of rows.
    """
    series, slots, flags = work.series, work.slots, work.flags[1:]
    starts = np.flatnonzero(np.not_equal(series[1:], series[:-1], out=flags)) + 1
    if (len(starts) + 1) * _RUN_ROWS > len(series):
        return None
    consecutive = np.equal(np.subtract(slots[1:], slots[:-1], out=work.spare[1:]), 1, out=flags)
    consecutive[starts - 1] = True  # where a new series begins, any interval may follow
    if not consecutive.all():
        return None
    return np.concatenate(([0], starts, [len(series)]))


def _pair_keys(order: int, ids: IntArray, work: _Scratch) -> IntArray:
    """(series number, interval) per row packed into one int64 in ``work.keys``, ordering by
    series first (0) or by time first (1)."""
    if order == 0:
        np.take(ids << 32, work.series, out=work.keys, mode="clip")
        return np.bitwise_or(work.keys, work.slots, out=work.keys)
    np.take(ids, work.series, out=work.keys, mode="clip")
    return np.bitwise_or(work.keys, np.left_shift(work.slots, 32, out=work.spare), out=work.keys)


def _repeat_reason(name: str, slot: int, earlier: int | None, rows: _Rows) -> str:
    where = f"on {rows.unit} {earlier}" if earlier is not None else "earlier in the file"
    return f"duplicate row: {name!r} at {_slot_text(int(slot))} already appears {where}"
