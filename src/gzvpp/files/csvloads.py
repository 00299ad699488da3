"""Loads files in CSV, read in ranges side by side.

The file is cut at line ends into ranges of about 4 MiB that two threads read and decode at the
same time (pyarrow's CSV reader and casts release the GIL); the batches come out in file order
and only a few ranges ahead of the one in use, so memory does not grow with the file. Each range
is decoded in bulk where every value allows it (:func:`_decoded_in_bulk`); a range with a bad
value is handed on as text for the checks (:mod:`gzvpp.files.loadchecks`) to name the line.

UTF-8 is read as it is, with or without a BOM; GB18030 (Excel on a Chinese Windows) is
converted to UTF-8 range by range. A line feed byte never occurs inside a character in either,
so a range cut after one decodes on its own. Each row is one line (a blank line is a row of
empty fields), so the rows before a range say the line numbers within it.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import islice, pairwise
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from gzkit.csvtables import csv_header, csv_rows, decode_error, unreadable
from gzkit.inputs import InputError
from gzkit.textfiles import (
    GB18030,
    TextDecodeError,
    detect_encoding,
    lines_to_utf8,
    normalise_encoding,
)
from gzvpp.files.loadchecks import runs_encoded
from gzvpp.files.loadtable import ACCOUNT_COLUMN, TIME_COLUMN, Table
from gzvpp.files.timestamps import local_ticks

_RANGE_BYTES = 1 << 22  # about 110,000 rows of meter loads: larger ranges cost page faults
# Ranges read ahead of the one in use: one for each thread to work on while it is used.
_RANGES_AHEAD = 2
_SCAN_BYTES = 1 << 12  # read at a time looking for a line end
_LINE_BREAK = "引号内的值含有换行：每条记录须写在一行内"
_SNIFF_BYTES = 1 << 22  # a CSV file's encoding is judged by its head; UTF-8 is checked in full


@contextmanager
def csv_table(path: Path, columns: list[str], encoding: str | None) -> Iterator[Table]:
    """Open a CSV file for streaming in ranges read side by side (:func:`_csv_batches`), every
    column read as text so that each value is checked by us.

    Plain UTF-8 is read as it is: its encoding is judged by the head of the file, and the CSV
    reader checks every value is UTF-8 (a fault is then named by line, :func:`_csv_fault`).
    """
    try:
        chosen = normalise_encoding(encoding) if encoding else detect_encoding(path, _SNIFF_BYTES)
    except (OSError, ValueError) as exc:
        raise InputError(path, unreadable("CSV 文件", exc)) from exc
    header = csv_header(path, columns, chosen)
    with path.open("rb") as file:

        def read(wanted: list[str]) -> Iterator[Any]:
            return _csv_batches(_CsvSource(file.fileno(), path, header, columns, chosen), wanted)

        yield Table(path, columns, "line", 2, read)


@dataclass(frozen=True)
class _CsvSource:
    """An opened CSV file: its descriptor (read with ``os.pread``, so threads can share it),
    its column names, the columns the caller needs and its encoding."""

    fd: int
    path: Path
    header: list[str]
    columns: list[str]
    encoding: str


def _csv_batches(source: _CsvSource, wanted: list[str]) -> Iterator[Any]:
    """The rows after the header line as record batches, in file order.

    The file is cut into ranges of about ``_RANGE_BYTES`` at line ends (:func:`_line_start`),
    read by two threads side by side (pyarrow's reader and casts release the GIL), each range
    decoded in bulk (:func:`_decoded_in_bulk`). At most ``_RANGES_AHEAD`` ranges are read ahead
    of the one in use, so memory does not grow with the file. Each row is one line, so the
    rows before a range say its first line, for an encoding fault found in the range.
    """
    size = os.fstat(source.fd).st_size
    cuts = [*range(_line_start(source.fd, 1, size), size, _RANGE_BYTES), size]
    line = 2
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="gzvpp-csv") as readers:
        ranges = (
            readers.submit(_csv_range, source, start, stop, size, wanted)
            for start, stop in pairwise(cuts)
        )
        pending = deque(islice(ranges, _RANGES_AHEAD))
        try:
            while pending:
                taken = pending.popleft()
                pending.extend(islice(ranges, 1))
                try:
                    batches, broken_row = taken.result()
                except TextDecodeError as exc:
                    shifted = TextDecodeError(source.path, line + exc.line - 1, exc.encoding)
                    raise decode_error(source.path, shifted) from None
                except (pa.ArrowException, OSError) as exc:
                    raise _csv_fault(source, exc) from None
                for batch in batches:
                    line += batch.num_rows
                    yield batch
                if broken_row is not None:
                    raise InputError(source.path, _LINE_BREAK, row=line)
        finally:
            readers.shutdown(cancel_futures=True)


class _Range(NamedTuple):
    """A range read: its rows as batches, up to the first row (counted in the range) with a
    quoted value holding a line break, if one has."""

    batches: list[Any]
    broken_row: int | None


def _csv_range(source: _CsvSource, start: int, stop: int, size: int, wanted: list[str]) -> _Range:
    """The rows of the lines that begin in bytes ``[start, stop)``, read and decoded in bulk.

    The range's lines are those from the first line start at or after ``start`` to the first
    at or after ``stop``; the neighbouring range finds the same cut, so each line is read once.
    Where the range holds a quote, every column is read, to find a quoted value that holds a
    line break (one cut by the range's end ends in one): it would put a row on two lines.
    """
    first = _line_start(source.fd, start, size)
    end = _line_start(source.fd, stop, size)
    if end <= first:
        return _Range([], None)
    data = os.pread(source.fd, end - first, first)
    if source.encoding == GB18030:
        data = lines_to_utf8(data, GB18030, source.path)
    quoted = b'"' in data
    read = source.header if quoted else wanted
    # Empty text is read as null, as the checks of each column expect; a blank line is a row
    # of empty fields, so that line numbers stay those of the file. One block, one batch; a
    # range without line feeds (an old Mac file's) may be larger.
    table = pa_csv.read_csv(
        pa.py_buffer(data),
        read_options=pa_csv.ReadOptions(
            column_names=source.header, use_threads=False, block_size=min(len(data) + 1, 1 << 30)
        ),
        parse_options=pa_csv.ParseOptions(ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(
            include_columns=read,
            column_types=dict.fromkeys(read, pa.string()),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    broken_row = _first_line_break(table) if quoted else None
    if broken_row is not None:
        table = table.slice(0, broken_row)
    batches = [_decoded_in_bulk(b.select(wanted)) for b in table.to_batches() if b.num_rows]
    return _Range(batches, broken_row)


def _first_line_break(table: Any) -> int | None:
    """The first row with a line feed in any value (only a quoted value can hold one)."""
    rows = [pc.index(pc.match_substring(column, "\n"), True).as_py() for column in table.columns]
    return min((row for row in rows if row >= 0), default=None)


def _line_start(fd: int, at: int, size: int) -> int:
    """The first byte at or after ``at`` that begins a line (follows a line feed), or ``size``.

    A line feed byte occurs in UTF-8 and GB18030 only as a line feed, never inside a character.
    """
    if at <= 0:
        return 0
    position = at - 1
    while piece := os.pread(fd, _SCAN_BYTES, position):
        found = piece.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(piece)
    return size


def _decoded_in_bulk(batch: Any) -> Any:
    """A batch of CSV text with each column decoded where bulk decoding takes every value, as
    a Parquet file's columns come: account ids dictionary-encoded (:func:`runs_encoded`),
    ``ts`` as naive local timestamps (:func:`local_ticks`), kW or MW as float64.

    A column with an empty or unreadable value stays text, for the reader to name the fault
    (:func:`read_clock`, :func:`numbers`); run on a reading thread, this raises nothing.
    """
    columns = []
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if name == ACCOUNT_COLUMN:
            column = runs_encoded(column)
        elif column.null_count:
            pass
        elif name == TIME_COLUMN:
            ticks = local_ticks(column)
            if ticks is not None:
                column = pa.array(ticks, type=pa.timestamp("us"))
        else:
            with suppress(pa.ArrowInvalid):  # a value that is not a number stays text
                column = pc.cast(column, pa.float64())
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _csv_fault(source: _CsvSource, exc: Exception) -> InputError:
    """The error for a CSV file the streaming reader refused, naming the line where the text is
    not valid in its encoding or a row has the wrong number of fields, if one is."""
    try:
        for _ in csv_rows(source.path, source.columns, source.encoding):
            pass
    except InputError as located:
        return located
    return InputError(source.path, unreadable("CSV 文件", exc))
