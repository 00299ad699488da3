"""Rows of loads placed in the interval cube, and the search for a second row for the same
series and interval anywhere in the file.

Each chunk is integer arithmetic on interval numbers. A chunk made of long runs of one account
at consecutive intervals, as a file sorted by account then time holds, is copied run by run as
slices; any other chunk is scattered cell by cell.

A second row for the same account and interval is an error wherever it is, also among rows the
caller does not keep. While the rows come in order (by account then time, or by time then
account) none can repeat, which one comparison per row confirms. From the first chunk out of
order on, every row is marked in a bitmap of the cells seen, once the rows before that chunk
have been read again to mark theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

from gzkit.inputs import position
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.core.timeseries import BoolArray, FloatArray, IntArray
from gzvpp.files.loadchecks import (
    RUN_ROWS,
    SLOT_END,
    Derived,
    PerDictionary,
    read_clock,
    series_column,
    slot_text,
)
from gzvpp.files.loadtable import TIME_COLUMN, Rows, Scratch, Table, chunks, read_batches

# Placement of a row the cube does not keep: any sum of two of these stays negative in int64.
_DROP = -(1 << 61)
_BIT = np.left_shift(1, np.arange(8)).astype(np.uint8)  # each bit of a byte, as a mask


class Placement:
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

    def cells(self, bases: IntArray, work: Scratch) -> None:
        """Flat cube index per row into ``work.cells``, -1 for a row the cube does not keep.

        ``bases`` is :meth:`bases` of the batch's names; reads ``work.series``, ``work.slots``.
        """
        np.subtract(work.slots, self._before_span, out=work.spare)
        np.take(self._offset, work.spare, out=work.cells, mode="clip")
        np.take(bases, work.series, out=work.spare, mode="clip")
        np.add(work.cells, work.spare, out=work.cells)
        np.maximum(work.cells, -1, out=work.cells)

    def copy(
        self, flat: FloatArray, values: FloatArray, bases: IntArray, runs: IntArray, work: Scratch
    ) -> None:
        """Store a chunk made of runs (:func:`run_bounds`) as whole stretches of the cube.

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


class Repeats:
    """Finds a second row for the same series and interval, anywhere in the file.

    Each series gets a number in order of its first row (not of its place in a batch's
    dictionary, which may list every account of a dataset in another order): a file grouped by
    account, each account's rows together and in time order, is then in order whatever order
    the accounts come in. While the rows so far are strictly
    increasing in (series, interval), or in (interval, series), no row can repeat, and one pass
    over each chunk checks that this still holds. At the first chunk where neither order holds,
    the rows before it are read again into a :class:`_Seen` bitmap; from then on each chunk is
    looked up in the bitmap, then marked in it.

    Parameters
    ----------
    table : Table
        The file, to read again the rows before the first chunk out of order, and to find the
        first of two rows for a repeat the bitmap finds.
    key_column : str, optional
        The account column; None for the system load's one series.
    """

    def __init__(self, table: Table, key_column: str | None) -> None:
        self._table = table
        self._key_column = key_column
        self._ids: dict[str, int] = {}
        # The last key of each order the rows still follow: 0 by series then time, 1 by time.
        self._last: dict[int, int] = {0: -1, 1: -1}
        self._seen: _Seen | None = None

    def ids(self, batch_names: list[str]) -> IntArray:
        """The series' numbers, -1 for a name whose first row has not come yet (:meth:`number`
        numbers it when it does)."""
        return np.array([self._ids.get(n, -1) for n in batch_names], dtype=np.int64)

    def number(
        self, ids: IntArray, batch_names: list[str], runs: IntArray | None, work: Scratch
    ) -> None:
        """Number, in ``ids`` (an array of :meth:`ids`), the series of the chunk's rows that
        have none yet, in the order of their first row; call before :meth:`extend` and
        :meth:`check`."""
        firsts = work.series[runs[:-1]] if runs is not None else work.series
        pending = firsts[ids[firsts] < 0]
        if not pending.size:
            return
        _, first = np.unique(pending, return_index=True)
        for code in pending[np.sort(first)].tolist():
            ids[code] = self._ids.setdefault(batch_names[code], len(self._ids))

    def extend(self, ids: IntArray, runs: IntArray, work: Scratch) -> bool:
        """Whether a chunk of runs (:func:`run_bounds`) carries on the order by series then time.

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

    def check(self, ids: IntArray, batch_names: list[str], rows: Rows, work: Scratch) -> None:
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
                    raise rows.error(0, repeat_reason(name, work.slots[0], rows.first - 1, rows))
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
        raise rows.error(index, repeat_reason(name, work.slots[index], earlier, rows))

    def _mark_before(self, stop: int) -> _Seen:
        """A bitmap with the file's rows before position ``stop`` marked (rows in order)."""
        seen = _Seen()
        for _, ids, work in _replay(self._table, self._key_column, stop, self.ids):
            seen.add(seen.cells(ids, work), work)
        return seen

    def _find(self, name: str, slot: int, rows: Rows) -> int | None:
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
        self._day_at = np.zeros(SLOT_END // INTERVALS_PER_DAY, dtype=np.int64)
        self._days = 0
        self._bits: npt.NDArray[np.uint8] = np.zeros((0, 0), dtype=np.uint8)

    def cells(self, ids: IntArray, work: Scratch) -> IntArray:
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

    def add(self, cells: IntArray, work: Scratch) -> bool:
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
    table: Table, key_column: str | None, stop: int, derive: Callable[[list[str]], Derived]
) -> Iterator[tuple[Rows, Derived, Scratch]]:
    """The file's rows before position ``stop`` read again (they were checked the first time),
    chunk by chunk: each chunk's position, ``derive`` of its batch's series names, and scratch
    arrays with ``series`` (the index of each row's name) and ``slots`` filled in."""
    if stop <= table.first:
        return
    scratch = Scratch.for_chunks()
    lookup = PerDictionary(derive)
    columns = [c for c in (key_column, TIME_COLUMN) if c is not None]
    for rows, batch in read_batches(table, columns):
        count = min(batch.num_rows, stop - rows.first)
        if count <= 0:
            break
        derived, codes = lookup(series_column(batch, key_column), rows)
        clock = read_clock(batch.column(TIME_COLUMN), rows)
        for part, at, work in chunks(rows, count, scratch):
            np.copyto(work.series, codes[part])
            clock.slots(part, at, work)
            yield at, derived, work


def run_bounds(work: Scratch) -> IntArray | None:
    """Bounds of the chunk's runs, rows of one series at consecutive intervals, when the chunk
    is made of long runs (as a file sorted by account then time, without gaps, is); else None.

    Returns
    -------
    ndarray of int64 or None
        0, the first row of each run after the first, and the number of rows.
    """
    series, slots, flags = work.series, work.slots, work.flags[1:]
    starts = np.flatnonzero(np.not_equal(series[1:], series[:-1], out=flags)) + 1
    if (len(starts) + 1) * RUN_ROWS > len(series):
        return None
    consecutive = np.equal(np.subtract(slots[1:], slots[:-1], out=work.spare[1:]), 1, out=flags)
    consecutive[starts - 1] = True  # where a new series begins, any interval may follow
    if not consecutive.all():
        return None
    return np.concatenate(([0], starts, [len(series)]))


def _pair_keys(order: int, ids: IntArray, work: Scratch) -> IntArray:
    """(series number, interval) per row packed into one int64 in ``work.keys``, ordering by
    series first (0) or by time first (1)."""
    if order == 0:
        np.take(ids << 32, work.series, out=work.keys, mode="clip")
        return np.bitwise_or(work.keys, work.slots, out=work.keys)
    np.take(ids, work.series, out=work.keys, mode="clip")
    return np.bitwise_or(work.keys, np.left_shift(work.slots, 32, out=work.spare), out=work.keys)


def repeat_reason(name: str, slot: int, earlier: int | None, rows: Rows) -> str:
    where = position(earlier, rows.unit) if earlier is not None else "文件前面"
    return f"重复：{name!r} 在 {slot_text(int(slot))} 的读数已见于{where}"
