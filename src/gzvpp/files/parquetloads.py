"""Loads in Parquet, streamed a row group at a time: one file, or a dataset of many."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from gzkit.csvtables import require_columns, unreadable
from gzkit.inputs import InputError
from gzvpp.files.loadtable import ACCOUNT_COLUMN, TIME_COLUMN, Table
from gzvpp.files.location import LoadsLocation, dataset_source

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
        raise InputError(path, unreadable("Parquet 文件", exc)) from exc
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
            raise InputError(path, unreadable("Parquet 数据", exc)) from exc

    return Table(path, columns, "row", 1, read)


def open_dataset(source: LoadsLocation) -> Any:
    """Open Parquet loads as a ``pyarrow.dataset.Dataset``: a directory of files (hive
    partitions such as ``bucket=07/`` allowed), a glob pattern of files, or one file; local or at
    an fsspec URL. Text columns are read dictionary-encoded.

    Raises
    ------
    InputError
        Naming ``source``, when it cannot be opened.
    """
    import pyarrow.dataset as ds  # here, not at the top: a CSV run need not load it

    target, filesystem = dataset_source(source)
    try:
        return ds.dataset(
            target,
            filesystem=filesystem,
            format=ds.ParquetFileFormat(
                read_options=ds.ParquetReadOptions(
                    dictionary_columns=[ACCOUNT_COLUMN, TIME_COLUMN]
                ),
                # Pre-buffering keeps every row group of a file read so far until the file is
                # done: a 20 GB file would be held whole. Without it, a row group at a time.
                default_fragment_scan_options=ds.ParquetFragmentScanOptions(pre_buffer=False),
            ),
            partitioning=ds.HivePartitioning.discover(infer_dictionary=True),
        )
    except _failures(source) as exc:
        raise InputError(source, unreadable("Parquet 数据集", exc)) from exc


def scan(
    source: LoadsLocation, dataset: Any, columns: list[str], rows: Any = None
) -> Iterator[Any]:
    """Stream ``columns`` of ``dataset`` (from :func:`open_dataset`) in batches, with little
    read-ahead: the reader's memory holds what it computes, not the files it streams.

    ``rows`` is a ``pyarrow.dataset`` filter expression, or None for every row.
    """
    try:
        yield from dataset.to_batches(
            columns=columns,
            filter=rows,
            batch_size=_BATCH_ROWS,
            batch_readahead=2,
            fragment_readahead=1,
        )
    except _failures(source) as exc:
        raise InputError(source, unreadable("Parquet 数据", exc)) from exc


def _failures(source: LoadsLocation) -> tuple[type[BaseException], ...]:
    # A remote filesystem's own failures (a missing credential, a refused connection) need not
    # be OSErrors; they are the source's fault all the same.
    return (pa.ArrowException, OSError) if isinstance(source, Path) else (Exception,)


def parquet_dataset_table(
    source: LoadsLocation,
    columns: list[str],
    accounts: Collection[str] | None = None,
    hive_filter: tuple[str, Collection[int]] | None = None,
) -> Table:
    """Open Parquet for streaming as a dataset (:func:`open_dataset`).

    Parameters
    ----------
    source : Path or str
        A local path, or a URL (``s3://bucket/loads/``) read through fsspec.
    columns : list of str
    accounts : collection of str, optional
        Read only these accounts' rows: the filter is pushed down to pyarrow, which skips hive
        partitions and row groups whose statistics exclude them and drops other rows before
        they reach Python (so they are not validated either). None reads every row.
    hive_filter : (str, collection of int), optional
        Read only the hive partitions whose key (the first) has one of the values (the second),
        e.g. ``("participant_group", [3, 7])``: the others are pruned by their directory names.

    Rows are numbered in scan order (files sorted by path) over the rows read.
    """
    import pyarrow.dataset as ds

    dataset = open_dataset(source)
    require_columns(source, dataset.schema.names, columns, row=None)
    wanted_rows = None if accounts is None else ds.field(ACCOUNT_COLUMN).isin(sorted(accounts))
    if hive_filter is not None:
        key, values = hive_filter
        in_partitions = ds.field(key).isin(sorted(values))
        wanted_rows = in_partitions if wanted_rows is None else in_partitions & wanted_rows
    return Table(
        source, columns, "row", 1, lambda wanted: scan(source, dataset, wanted, wanted_rows)
    )
