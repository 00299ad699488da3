"""Meter loads and the Guangzhou system load, read from CSV or Parquet into an interval cube.

Two kinds of file share one reader:

- meter loads (采集周期 15 分钟): columns ``account_id,ts,kw``, one row per account and interval;
- the system load (广州统调负荷, used by R5): columns ``ts,mw``, one row per interval, returned as
  the single series ``"system"``.

``ts`` is the start of the interval in Guangzhou local time (RULES.md: an interval is named by its
start). Every row is validated, also rows the caller does not keep, and the first fault stops the
read with an :class:`~gzkit.inputs.InputError`.

Both formats go through one pipeline, streamed into a preallocated cube, so a file far larger
than memory can be read for some accounts and days:

- :mod:`~gzvpp.files.csvloads` reads CSV (UTF-8, UTF-8 with BOM or GB18030, as Excel on a
  Chinese Windows saves it) in ranges on two threads; :mod:`~gzvpp.files.parquetloads` reads
  Parquet a row group at a time, the next one on a second thread
  (:mod:`~gzvpp.files.loadtable`);
- :mod:`~gzvpp.files.loadchecks` reads and checks each batch's columns, text timestamps parsed
  in bulk (:func:`~gzvpp.files.timestamps.local_ticks`);
- :mod:`~gzvpp.files.intervalcube` places the rows in the cube chunk by chunk and finds a second
  row for the same account and interval anywhere in the file, kept or not.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

from gzkit.inputs import InputError
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.core.timeseries import FloatArray, IntArray, IntervalCube, IntervalRows, RepeatedReading
from gzvpp.files.csvloads import csv_table
from gzvpp.files.intervalcube import Placement, Repeats, repeat_reason, run_bounds
from gzvpp.files.loadchecks import PerDictionary, check_finite, numbers, read_clock, series_column
from gzvpp.files.loadtable import (
    ACCOUNT_COLUMN,
    SYSTEM_SERIES,
    TIME_COLUMN,
    Rows,
    Scratch,
    Table,
    chunks,
    read_batches,
)
from gzvpp.files.location import LoadsLocation, is_dataset, loads_location, suffix
from gzvpp.files.parquetloads import parquet_dataset_table, parquet_table


def read_interval_file(
    path: LoadsLocation,
    *,
    value_column: Literal["kw", "mw"],
    series: Collection[str] | None,
    keep_days: IntArray | None,
    encoding: str | None = None,
    push_down: bool = False,
    hive_filter: tuple[str, Collection[int]] | None = None,
) -> IntervalCube:
    """Read 15-minute loads from a CSV or Parquet file into an :class:`IntervalCube`.

    Parameters
    ----------
    path : Path or str
        A ``.csv`` or ``.parquet`` file, or a Parquet dataset: a directory of ``.parquet``
        files (hive partitions allowed) or a glob pattern of them. Parquet may also be at an
        fsspec URL (``s3://bucket/loads/``: :mod:`gzvpp.files.location`); text is parsed as
        :func:`~gzvpp.files.location.loads_location` does. With ``value_column="kw"``
        it has the columns ``account_id,ts,kw`` (meter loads, kW, one row per account and
        interval; negative kW is allowed, some sites export); with ``"mw"`` the columns
        ``ts,mw`` (the Guangzhou system load 广州统调负荷, MW, R5). Other columns are ignored.
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
    push_down : bool
        Parquet only: read the rows of ``series`` alone, the filter pushed down to pyarrow;
        other accounts' rows are then neither read nor validated (a settlement partition,
        :mod:`gzvpp.evaluation.cluster`).
    hive_filter : (str, collection of int), optional
        A Parquet dataset's hive partitions to read (key, values), the others pruned unopened:
        a settlement partition's participant groups (:mod:`gzvpp.evaluation.layout`).

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
    path = loads_location(path) if isinstance(path, str) else path
    key_column = ACCOUNT_COLUMN if value_column == "kw" else None
    columns = [c for c in (key_column, TIME_COLUMN, value_column) if c]
    accounts = series if push_down and key_column is not None else None
    with _open_table(path, columns, encoding, accounts, hive_filter) as table:
        return _read_cube(table, key_column, value_column, series, keep_days)


def _read_cube(
    table: Table,
    key_column: str | None,
    value_column: str,
    series: Collection[str] | None,
    keep_days: IntArray | None,
) -> IntervalCube:
    """The body of :func:`read_interval_file`, on an opened file."""
    names, days = _layout(table, key_column, series, keep_days)
    placement = Placement(names, days)
    repeats = Repeats(table, key_column)
    scratch = Scratch.for_chunks()
    # One cell past the cube is the sink that dropped rows are written to (and cleared from).
    flat = np.full(placement.size + 1, np.nan)
    lookup = PerDictionary(lambda names: (names, placement.bases(names), repeats.ids(names)))
    read_rows = 0
    for rows, batch in read_batches(table, table.columns):
        read_rows += batch.num_rows
        (batch_names, bases, ids), codes = lookup(series_column(batch, key_column), rows)
        clock = read_clock(batch.column(TIME_COLUMN), rows)
        values = numbers(batch.column(value_column), value_column, rows)
        for part, at, work in chunks(rows, batch.num_rows, scratch):
            check_finite(values[part], value_column, at, work)
            np.copyto(work.series, codes[part])
            clock.slots(part, at, work)
            runs = run_bounds(work)
            repeats.number(ids, batch_names, runs, work)
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
        raise InputError(table.path, "没有数据：文件只有表头")
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
            raise InputError(path, f"有 {count} 条记录，一次上传最多 {max_rows} 条")
        check = screen(names)
        index = {name: code for code, name in enumerate(names)}
        codes = np.empty(count, dtype=np.int64)
        slots = np.empty(count, dtype=np.int64)
        values = np.empty(count, dtype=np.float64)
        scratch = Scratch.for_chunks()
        # A name no row uses may sit in a Parquet dictionary; -1 marks it (and is never taken).
        lookup = PerDictionary(
            lambda batch_names: np.array([index.get(n, -1) for n in batch_names])
        )
        for rows, batch in read_batches(table, table.columns):
            series, batch_codes = lookup(series_column(batch, key_column), rows)
            clock = read_clock(batch.column(TIME_COLUMN), rows)
            batch_values = numbers(batch.column(value_column), value_column, rows)
            for part, at, work in chunks(rows, batch.num_rows, scratch):
                check_finite(batch_values[part], value_column, at, work)
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
            where = Rows(path, table.unit, table.first)
            reason = repeat_reason(
                names[codes[repeat.later]], slots[repeat.later], table.first + repeat.earlier, where
            )
            raise where.error(repeat.later, reason) from None


def _series_and_rows(table: Table, key_column: str | None) -> tuple[tuple[str, ...], int]:
    """A first pass over the series column: the series in the file, sorted, and the rows."""
    if key_column is None:
        return (SYSTEM_SERIES,), sum(b.num_rows for _, b in read_batches(table, [TIME_COLUMN]))
    names: set[str] = set()
    count = 0
    lookup = PerDictionary(lambda batch_names: {n for n in batch_names if n and n.strip()})
    for rows, batch in read_batches(table, [key_column]):
        names.update(lookup(batch.column(key_column), rows)[0])
        count += batch.num_rows
    return tuple(sorted(names)), count


@contextmanager
def _open_table(
    path: LoadsLocation,
    columns: list[str],
    encoding: str | None,
    accounts: Collection[str] | None = None,
    hive_filter: tuple[str, Collection[int]] | None = None,
) -> Iterator[Table]:
    """Open a CSV or Parquet file or a Parquet dataset and check that it has ``columns``;
    with ``accounts`` (Parquet) only their rows are read, with ``hive_filter`` (a dataset)
    only those partitions; a URL is Parquet, read as a dataset."""
    kind = suffix(path)
    if isinstance(path, str):  # a URL
        if kind == ".csv":
            raise InputError(path, "远程存储上的负荷须为 Parquet；CSV 请先下载到本地")
        yield parquet_dataset_table(path, columns, accounts, hive_filter)
    elif is_dataset(path) or (accounts is not None and kind == ".parquet"):
        yield parquet_dataset_table(path, columns, accounts, hive_filter)
    elif kind == ".csv":
        with csv_table(path, columns, encoding) as table:
            yield table
    elif kind == ".parquet":
        yield parquet_table(path, columns)
    else:
        raise InputError(
            path,
            f"不支持的文件类型 {kind!r}：负荷文件应为 .csv 或 .parquet，"
            "或 .parquet 文件的目录或通配模式",
        )


def _layout(
    table: Table,
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
    table: Table, key_column: str | None, want_days: bool
) -> tuple[tuple[str, ...], IntArray]:
    """A first pass over the file: the accounts in ``key_column`` (sorted) and the days with data.

    With ``key_column`` None no accounts are collected; with ``want_days`` False no days.
    """
    names: set[str] = set()
    days = np.empty(0, dtype=np.int64)
    scratch = Scratch.for_chunks()
    columns = [c for c in (key_column, TIME_COLUMN if want_days else None) if c is not None]
    lookup = PerDictionary(frozenset)
    for rows, batch in read_batches(table, columns):
        if key_column is not None:
            names.update(lookup(batch.column(key_column), rows)[0])
        if want_days:
            clock = read_clock(batch.column(TIME_COLUMN), rows)
            for part, at, work in chunks(rows, batch.num_rows, scratch):
                clock.slots(part, at, work)
                day = work.slots // INTERVALS_PER_DAY
                first = int(day.min())
                days = np.union1d(days, np.flatnonzero(np.bincount(day - first)) + first)
    return tuple(sorted(names)), days
