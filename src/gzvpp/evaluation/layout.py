"""Meter loads laid out for the cluster: a Parquet dataset by participant group.

A settlement partition is a set of participants, an aggregator with all its members (R4). When
the loads are a dataset partitioned by account, every partition's task scans every file for its
accounts. Laid out once by *participant group* instead — the hive key ``participant_group=K``,
K a stable hash of the participant that owns the account, ``K < groups`` — a task reads only
its groups' files: pyarrow prunes the others by their directory names, unopened.
``gzvpp loads group`` writes the layout; :mod:`gzvpp.evaluation.cluster` forms its partitions
from whole groups when the loads carry it. The number of groups is kept in ``_layout.json``
beside the files (pyarrow skips names starting with ``_``), with a fingerprint of the
participants it was written for: other participants are refused, the loads must be grouped
again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gzkit.csvtables import require_columns, unreadable
from gzkit.inputs import InputError
from gzvpp.core.model import Participant
from gzvpp.files.loadtable import ACCOUNT_COLUMN, TIME_COLUMN
from gzvpp.files.location import LoadsLocation, inner, read_text
from gzvpp.files.parquetloads import open_dataset, scan

GROUP_KEY = "participant_group"
# Rows gathered per group before they are written as one row group: small row groups compress
# badly and read slowly; 64 groups × 256 Ki rows keep a few hundred MiB in memory.
ROW_GROUP_ROWS = 1 << 18
LAYOUT_FILE = "_layout.json"
# Runs of one group in a batch above which the batch is sorted by group rather than sliced.
MAX_RUNS = 4096


def participant_groups(participant_ids: Iterable[str], groups: int) -> npt.NDArray[np.int64]:
    """The group of each participant: CRC-32 of its id (UTF-8) modulo ``groups``.

    Stable across runs, machines and Python versions (unlike ``hash``), so the layout written
    once is the one every later settlement finds.
    """
    return np.fromiter(
        (zlib.crc32(pid.encode()) % groups for pid in participant_ids), dtype=np.int64
    )


def account_groups(participants: Mapping[str, Participant], groups: int) -> dict[str, int]:
    """The group of each meter account: that of the participant it belongs to.

    An account claimed by two participants (an aggregator's member that is also a user) goes
    with the first in sorted order, so the layout is deterministic.
    """
    ids = sorted(participants)
    found: dict[str, int] = {}
    for pid, group in zip(ids, participant_groups(ids, groups).tolist(), strict=True):
        for account in participants[pid].accounts:
            found.setdefault(account, group)
    return found


def layout_fingerprint(by_account: Mapping[str, int]) -> str:
    """SHA-256 of every account with its group: the participants a layout was written for.

    Rows of accounts that belonged to no participant were left out, and a member that changed
    aggregator may have changed group, so a layout holds only for the same assignment.
    """
    digest = hashlib.sha256()
    for account in sorted(by_account):
        digest.update(f"{account}\t{by_account[account]}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class GroupedLoads:
    """A loads dataset laid out by participant group, for the participants whose
    :func:`layout_fingerprint` it carries."""

    path: LoadsLocation
    groups: int
    fingerprint: str

    def check_participants(self, participants: Mapping[str, Participant]) -> None:
        """Refuse participants other than those the layout was written for.

        Raises
        ------
        InputError
            Naming the layout file: the loads must be grouped again.
        """
        found = layout_fingerprint(account_groups(participants, self.groups))
        if found != self.fingerprint:
            raise InputError(
                inner(self.path, LAYOUT_FILE),
                "负荷数据集按另一份参与者名单分组（参与者或其户号已变）；"
                "请用 gzvpp loads group 按当前参与者文件重新分组",
            )


def grouped_layout(loads: LoadsLocation) -> GroupedLoads | None:
    """The layout of ``loads`` if it is a directory written by :func:`write_grouped_loads`
    (local, or at a URL it was copied to)."""
    if isinstance(loads, Path) and not loads.is_dir():
        return None
    text = read_text(loads, LAYOUT_FILE)
    if text is None:
        return None
    marker = inner(loads, LAYOUT_FILE)
    try:
        described = json.loads(text)
        groups, fingerprint = int(described["groups"]), str(described["participants"])
    except (ValueError, KeyError, TypeError) as err:
        raise InputError(marker, f"分组布局说明无法读取：{err}") from None
    if groups < 1:
        raise InputError(marker, f"分组数须为正整数，而非 {groups}")
    return GroupedLoads(loads, groups, fingerprint)


def write_grouped_loads(
    loads: LoadsLocation,
    participants: Mapping[str, Participant],
    out: Path,
    groups: int,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the Parquet loads ``loads`` (a file or a dataset, local or at a URL) to the local
    directory ``out`` by participant group.

    One streaming pass: every batch is split by group and appended to that group's file, so a
    file keeps the input's order (accounts stay in time order if they were). Rows of accounts
    that belong to no participant go to no group and are left out. The result is written
    beside ``out`` and renamed into place, so a failed run leaves nothing.

    Returns
    -------
    int
        The number of rows written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if out.exists():
        raise InputError(out, "输出目录已存在")
    by_account = account_groups(participants, groups)
    partial = out.with_name(out.name + ".partial")
    writers: dict[int, pq.ParquetWriter] = {}
    pending: dict[int, list[pa.Table]] = {}
    pending_rows: dict[int, int] = {}  # rows in ``pending[group]``, kept rather than re-summed
    written = 0

    def flush(group: int) -> None:
        rows = pa.concat_tables(pending.pop(group))
        del pending_rows[group]
        if group not in writers:
            folder = partial / f"{GROUP_KEY}={group}"
            folder.mkdir(parents=True, exist_ok=True)
            writers[group] = pq.ParquetWriter(
                folder / "part-0.parquet", rows.schema, **_encodings(rows.schema)
            )
        writers[group].write_table(rows, row_group_size=ROW_GROUP_ROWS)

    try:
        source = open_dataset(loads)
        columns = [name for name in source.schema.names if name != GROUP_KEY]
        require_columns(loads, columns, [ACCOUNT_COLUMN], row=None)
        total = source.count_rows()
        for batch in scan(loads, source, columns):
            for group, rows in _group_runs(batch, by_account):
                pending.setdefault(group, []).append(rows)
                pending_rows[group] = pending_rows.get(group, 0) + rows.num_rows
                written += rows.num_rows
                if pending_rows[group] >= ROW_GROUP_ROWS:
                    flush(group)
            if on_progress is not None:
                on_progress(written, total)
        for group in list(pending):
            flush(group)
        for writer in writers.values():
            writer.close()
        described = {"groups": groups, "participants": layout_fingerprint(by_account)}
        (partial / LAYOUT_FILE).write_text(json.dumps(described), encoding="utf-8")
    except (pa.ArrowException, OSError) as err:
        _abandon(writers, partial)
        raise InputError(loads, unreadable("Parquet 负荷数据", err)) from None
    except BaseException:
        _abandon(writers, partial)
        raise
    partial.rename(out)
    return written


def _group_runs(batch: Any, by_account: Mapping[str, int]) -> Iterator[tuple[int, Any]]:
    """The rows of a record batch as tables of one group's rows each, in the input's order within
    a group; rows of accounts in no group are left out.

    Each run of rows of one group is a slice. Rows kept by account come in few runs; interleaved
    rows are first put in group order (a stable sort), so that a group is one run.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    accounts = batch.column(ACCOUNT_COLUMN)
    if not pa.types.is_dictionary(accounts.type):
        accounts = pc.dictionary_encode(accounts)
    per_name = pa.array(
        [by_account.get(n, -1) for n in accounts.dictionary.to_pylist()], pa.int64()
    )
    group_of_row = pc.take(per_name, accounts.indices)
    # Written as plain text: each group's writer dictionary-encodes its own accounts, where the
    # batch's dictionary may list every account of the input.
    table = pa.Table.from_batches([batch]).set_column(
        batch.schema.get_field_index(ACCOUNT_COLUMN), ACCOUNT_COLUMN, accounts.dictionary_decode()
    )
    runs = pc.run_end_encode(group_of_row)
    if len(runs.run_ends) > MAX_RUNS:
        order = pc.sort_indices(group_of_row)
        table = table.take(order)
        runs = pc.run_end_encode(pc.take(group_of_row, order))
    start = 0
    for group, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist(), strict=True):
        if group >= 0:
            yield group, table.slice(start, end - start)
        start = end


def _encodings(schema: Any) -> dict[str, Any]:
    """Parquet encodings for the grouped files: timestamps delta-encoded (15-minute steps pack
    to a few bits), every other column dictionary-encoded. Measured on a group of 5.5 M rows:
    half the size and a third of the read time of the writer's defaults."""
    import pyarrow as pa

    if TIME_COLUMN not in schema.names or not pa.types.is_timestamp(schema.field(TIME_COLUMN).type):
        return {}
    return {
        "use_dictionary": [name for name in schema.names if name != TIME_COLUMN],
        "column_encoding": {TIME_COLUMN: "DELTA_BINARY_PACKED"},
    }


def _abandon(writers: Mapping[int, Any], partial: Path) -> None:
    """Close the writers of a failed run and remove what it wrote."""
    for writer in writers.values():
        writer.close()
    shutil.rmtree(partial, ignore_errors=True)
