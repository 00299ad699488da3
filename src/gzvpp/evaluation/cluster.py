"""``gzvpp evaluate --cluster``: the same settlement, partitioned by participant over Dask.

The client reads only the small files (participants, events, calendar), splits the awarded
participants into partitions of about equal numbers of accounts (an aggregator with all its
members), and submits one :func:`~gzvpp.evaluation.run.evaluate_partition` task per partition.
Each task reads its own accounts' loads from the path it is given (a file, or a Parquet dataset
read with a filter pushed down to pyarrow): no load data goes through the client. Loads laid
out by participant group (:mod:`gzvpp.evaluation.layout`, ``gzvpp loads group``) are
partitioned by whole groups, so that each task opens only its groups' files. The client
gathers the result rows, puts them back in the single-process order and writes the same CSV,
byte for byte.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from gzvpp.core.baseline import LOOKBACK_DAYS
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.core.model import Event, Participant
from gzvpp.core.results import AwardResult
from gzvpp.evaluation.layout import grouped_layout, participant_groups
from gzvpp.evaluation.run import (
    EvaluationInputs,
    EvaluationSummary,
    awarded_accounts,
    evaluable,
    evaluate_partition,
    plan_evaluation,
    summarise,
    write_results_csv,
)

if TYPE_CHECKING:
    from distributed import Client

T = TypeVar("T", str, int)
LOCAL_PREFIX = "local:"
# The load cube of one partition may take this share of a worker's memory limit; the rest is
# the streamed batches, the evaluation's arrays and the results.
CUBE_SHARE = 0.25
CONNECT_TIMEOUT = "10s"


class ClusterError(Exception):
    """The cluster cannot be started or reached (a one-line reason)."""


def partition_participants(
    events: Sequence[Event], participants: Mapping[str, Participant], partitions: int
) -> list[tuple[str, ...]]:
    """Split the awarded participants into at most ``partitions`` groups of about equal numbers
    of accounts, largest participant first onto the lightest group (deterministic).

    An aggregator counts all its member accounts and is never split: its load is their sum (R4).
    """
    awarded = {w.participant_id for e in evaluable(events) for w in e.awards}
    sizes = {pid: len(participants[pid].accounts) for pid in awarded}
    return [tuple(sorted(bin_)) for bin_ in _balanced(sizes, partitions)]


def _balanced(sizes: Mapping[T, int], bins: int) -> list[list[T]]:
    """The keys of ``sizes`` in at most ``bins`` bins of about equal total size: the largest
    first onto the lightest bin, ties by key (deterministic); empty bins left out."""
    lightest = [(0, k) for k in range(max(1, bins))]
    chosen: list[list[T]] = [[] for _ in lightest]
    for key in sorted(sizes, key=lambda item: (-sizes[item], item)):
        load, k = heapq.heappop(lightest)
        chosen[k].append(key)
        heapq.heappush(lightest, (load + sizes[key], k))
    return [bin_ for bin_ in chosen if bin_]


def partition_groups(
    events: Sequence[Event],
    participants: Mapping[str, Participant],
    partitions: int,
    groups: int,
) -> list[tuple[tuple[str, ...], tuple[int, ...]]]:
    """Split the awarded participants into at most ``partitions`` sets of whole participant
    groups (:func:`~gzvpp.evaluation.layout.participant_groups`) of about equal numbers of
    accounts, the largest group first onto the lightest set (deterministic); each set's
    participants and groups."""
    awarded = sorted({w.participant_id for e in evaluable(events) for w in e.awards})
    members: dict[int, list[str]] = {}
    for pid, group in zip(awarded, participant_groups(awarded, groups).tolist(), strict=True):
        members.setdefault(group, []).append(pid)
    size = {g: sum(len(participants[p].accounts) for p in ps) for g, ps in members.items()}
    return [
        (tuple(sorted(p for g in gs for p in members[g])), tuple(sorted(gs)))
        for gs in _balanced(size, partitions)
    ]


def partition_count(workers: int, accounts: int, days: int, memory_limit: int) -> int:
    """Partitions enough that each one's load cube (8 bytes per account, day and interval)
    takes at most :data:`CUBE_SHARE` of a worker's memory limit, and at least one per worker.

    A ``memory_limit`` of 0 (no limit) gives one partition per worker.
    """
    cube_bytes = accounts * days * INTERVALS_PER_DAY * 8
    by_memory = math.ceil(cube_bytes / (memory_limit * CUBE_SHARE)) if memory_limit else 1
    return max(workers, by_memory, 1)


def local_workers(address: str) -> int | None:
    """N of ``local:N``; None for a scheduler address.

    Raises
    ------
    ClusterError
        If N is not a whole number from 1 up.
    """
    if not address.startswith(LOCAL_PREFIX):
        return None
    text = address.removeprefix(LOCAL_PREFIX)
    if not text.isdigit() or int(text) < 1:
        raise ClusterError(f"--cluster local:N 需要正整数 N（工作进程数），收到 {address!r}")
    return int(text)


@contextmanager
def dask_client(address: str, worker_memory: str = "auto") -> Iterator[Client]:
    """A client of the scheduler at ``address``, or of a LocalCluster of N worker processes
    (one thread each, ``worker_memory`` each) for ``local:N``.

    Raises
    ------
    ClusterError
        If the scheduler cannot be reached or the local cluster cannot start.
    """
    from distributed import Client, LocalCluster

    workers = local_workers(address)
    try:
        if workers is None:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        else:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                memory_limit=worker_memory,
                dashboard_address=None,
            )
            client = Client(cluster)
    except (OSError, ValueError) as err:
        raise ClusterError(f"无法启动或连接 Dask 集群 {address}：{err}") from None
    try:
        yield client
    finally:
        client.close()
        if workers is not None:
            cluster.close()


def _absolute(inputs: EvaluationInputs) -> EvaluationInputs:
    """The inputs with absolute paths, as a worker with another working directory needs (a
    URL is the same everywhere)."""
    calendar = inputs.calendar.absolute() if inputs.calendar else None
    loads = inputs.loads.absolute() if isinstance(inputs.loads, Path) else inputs.loads
    return EvaluationInputs(
        loads,
        inputs.system_load.absolute(),
        inputs.participants.absolute(),
        inputs.events.absolute(),
        calendar,
        inputs.encoding,
    )


def run_cluster_evaluation(
    inputs: EvaluationInputs,
    out: Path,
    address: str,
    lookback_days: int = LOOKBACK_DAYS,
    worker_memory: str = "auto",
    partitions: int | None = None,
    on_stage: Callable[[str], None] | None = None,
    on_partitions_known: Callable[[int], None] | None = None,
    on_partition: Callable[[], None] | None = None,
) -> EvaluationSummary:
    """:func:`~gzvpp.evaluation.run.run_evaluation` on a Dask cluster: the same ``out``.

    Parameters
    ----------
    address : str
        A ``dask.distributed`` scheduler address (``tcp://host:8786``), or ``local:N``.
    worker_memory : str
        Memory limit per worker of a local cluster (``"4GiB"``; ``"auto"`` shares the
        machine's memory out).
    partitions : int, optional
        Number of tasks; None: :func:`partition_count` from the workers' memory limits.

    Raises
    ------
    InputError
        For any bad input, also one found by a worker; nothing is written then.
    ClusterError
        If the cluster cannot be reached, or a partition's task killed its workers (the
        scheduler gives up after a few workers die on it, as past their memory limit).
    """
    from distributed import KilledWorker, as_completed

    stage = on_stage or (lambda _: None)
    stage("reading participants, events and calendar")
    inputs = _absolute(inputs)
    plan = plan_evaluation(inputs, lookback_days)
    layout = grouped_layout(inputs.loads)
    if layout is not None:
        layout.check_participants(plan.participants)
    stage("starting the cluster")
    with dask_client(address, worker_memory) as client:
        workers = client.scheduler_info()["workers"].values()
        if partitions is None:
            limit = min((int(w.get("memory_limit") or 0) for w in workers), default=0)
            accounts = len(awarded_accounts(plan.events, plan.participants))
            partitions = partition_count(len(workers), accounts, len(plan.needed_days), limit)
        tasks: list[tuple[tuple[str, ...], tuple[int, ...] | None]]
        if layout is None:
            parts = partition_participants(plan.events, plan.participants, partitions)
            tasks = [(part, None) for part in parts]
        else:
            tasks = list(
                partition_groups(plan.events, plan.participants, partitions, layout.groups)
            )
        if on_partitions_known is not None:
            on_partitions_known(len(tasks))
        stage("evaluating on the cluster")
        total = sum(len(e.awards) for e in evaluable(plan.events))
        placed: list[AwardResult | None] = [None] * total
        futures = [
            client.submit(
                evaluate_partition,
                inputs,
                part,
                lookback_days=lookback_days,
                groups=groups,
                pure=False,
            )
            for part, groups in tasks
        ]
        for future in as_completed(futures):
            try:
                part = future.result()
            except KilledWorker:
                raise ClusterError(
                    "Dask 工作进程多次中止（多为超出内存上限）；"
                    "请加大 --worker-memory 或增加工作进程"
                ) from None
            for row, result in zip(part.rows, part.results, strict=True):
                placed[row] = result
            future.release()
            if on_partition is not None:
                on_partition()
    results = [r for r in placed if r is not None]
    stage("writing results")
    write_results_csv(results, out)
    return summarise(plan.events, results)
