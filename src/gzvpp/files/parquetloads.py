"""Loads files in Parquet, streamed a row group at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from gzkit.csvtables import require_columns
from gzkit.inputs import InputError
from gzvpp.files.loadtable import ACCOUNT_COLUMN, TIME_COLUMN, Table

_BATCH_ROWS = 1 << 20


def parquet_table(path: Path, columns: list[str]) -> Table:
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
        # again while the first read is under way (:class:`Repeats`).
        try:
            reader = pq.ParquetFile(path, read_dictionary=dictionary, pre_buffer=False)
            yield from reader.iter_batches(batch_size=batch_rows, columns=wanted)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(path, f"unreadable Parquet data: {exc}") from exc

    return Table(path, columns, "row", 1, read)
