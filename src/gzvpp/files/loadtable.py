"""A loads file opened for streaming: its record batches in file order, each with where it
starts in the file, worked in cache-sized chunks with working arrays allocated once per read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from gzkit.inputs import InputError
from gzvpp.core.timeseries import BoolArray, IntArray

ACCOUNT_COLUMN = "account_id"
TIME_COLUMN = "ts"
SYSTEM_SERIES = "system"  # the system load's one series

_CHUNK_ROWS = 1 << 16


@dataclass(frozen=True)
class Rows:
    """Where a batch or chunk starts in its file, to name the line or row of a fault."""

    path: Path | str
    unit: str
    first: int

    def skip(self, count: int) -> Rows:
        """The position ``count`` rows further on."""
        return Rows(self.path, self.unit, self.first + count)

    def error(self, index: int, reason: str, column: str | None = None) -> InputError:
        """The error for the batch's row ``index`` (0-based), in ``column`` if given."""
        return InputError(
            self.path, reason, row=self.first + int(index), unit=self.unit, column=column
        )


@dataclass(frozen=True)
class Table:
    """An opened input file: the columns it must have and a way to stream them in batches,
    from the start of the file at each call of ``read``."""

    path: Path | str
    columns: list[str]
    unit: str
    first: int
    read: Callable[[list[str]], Iterator[Any]]


def read_batches(table: Table, columns: list[str]) -> Iterator[tuple[Rows, Any]]:
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
                yield Rows(table.path, table.unit, first), batch
            first += batch.num_rows


@dataclass(frozen=True)
class Scratch:
    """Working arrays for one chunk of rows, allocated once per read.

    Each step of the chunk pipeline writes into these. Fresh temporaries at every step would
    have the C allocator return the memory to the system and fault it back in, which costs
    more than the arithmetic.

    Attributes
    ----------
    series : ndarray of int64
        Per row, the index of its series in the batch's list of names.
    slots : ndarray of int64
        Per row, the interval number (:meth:`Clock.slots`).
    cells : ndarray of int64
        Per row, the flat index in the cube, -1 for the sink (:meth:`Placement.cells`).
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
    def for_chunks(cls) -> Scratch:
        """Arrays for chunks of ``_CHUNK_ROWS`` rows."""
        rows = _CHUNK_ROWS
        series, slots, cells, keys, spare = np.empty((5, rows), dtype=np.int64)
        return cls(series, slots, cells, keys, spare, np.empty(rows, dtype=np.bool_))

    def head(self, rows: int) -> Scratch:
        """The first ``rows`` of every array."""
        return Scratch(*(getattr(self, f.name)[:rows] for f in fields(self)))


def chunks(rows: Rows, count: int, scratch: Scratch) -> Iterator[tuple[slice, Rows, Scratch]]:
    """Split a batch of ``count`` rows into chunks the size of ``scratch``, small enough to
    stay in the CPU cache; yield each chunk's slice, position and scratch arrays."""
    size = len(scratch.slots)
    for start in range(0, count, size):
        stop = min(start + size, count)
        yield slice(start, stop), rows.skip(start), scratch.head(stop - start)
