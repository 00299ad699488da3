"""``make bench-cluster``: ``gzvpp evaluate --cluster`` next to the single-process run.

The 10,000-account benchmark of ``make bench`` (10,000 accounts × 400 days, 60 events, 30,000
awards) is evaluated twice: in one process from the Parquet file, as ``make bench`` does, and on
a LocalCluster of 2 worker processes (1 thread, ``--worker-memory`` each) from the same loads
laid out once by participant group (``gzvpp loads group``, ``participant_group=K/``), so that
each task reads only its own groups' files. Prints wall time, peak memory (of the process; of each
worker, asked of the workers), awards per second and the overhead ratio, and checks that the
two result files are the same bytes.

``--big`` runs the province-scale case instead on the cluster alone: 100,000 accounts × 400
days, 300,000 awards (generating it takes long and needs ~40 GB of disk; the single-process
path is not run, its load cube would not fit in memory).
Targets (issue #11): cluster overhead on the 10k bench ≤ 1.5×; 100k accounts ≤ 4 min.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from rich.progress import Progress

from gzvpp.demo.scenario import ScenarioFiles, ScenarioSize, write_scenario

HERE = Path(__file__).parent
DEFAULT = ScenarioSize(10_000, 400, 60, 30_000)
BIG = ScenarioSize(100_000, 400, 60, 300_000)
GROUPS = 64
OVERHEAD_TARGET = 1.5
BIG_TARGET_S = 240.0


def scenario(size: ScenarioSize) -> ScenarioFiles:
    """The benchmark's files (``bench/data/``, shared with ``make bench``), generated once."""
    name = f"{size.accounts}a-{size.history_days}d-{size.events}e-{size.awards}w"
    data = HERE / "data" / name
    files = ScenarioFiles(
        data / "participants.csv",
        data / "events.json",
        data / "loads.parquet",
        data / "system_load.parquet",
    )
    if not files.loads.exists():
        with Progress() as progress:
            task = progress.add_task("generating benchmark data", total=size.accounts)
            write_scenario(
                data,
                size,
                loads_format="parquet",
                on_progress=lambda done, _: progress.update(task, completed=done),
            )
    return files


def grouped(files: ScenarioFiles) -> Path:
    """The loads laid out by participant group (``gzvpp loads group``), written once beside
    them: the ingest step that lets each cluster task open only its own files."""
    folder = files.loads.parent / "loads-grouped"
    if not folder.exists():
        started = time.perf_counter()
        command = [
            sys.executable, "-m", "gzvpp", "loads", "group", str(files.loads), str(folder),
            "--participants", str(files.participants), "--groups", str(GROUPS),
        ]  # fmt: skip
        subprocess.run(command, check=True)
        print(f"grouped the loads once in {time.perf_counter() - started:.1f} s")
    return folder


def evaluate(files: ScenarioFiles, loads: Path, out: Path, *extra: str) -> tuple[float, float]:
    """Run ``gzvpp evaluate`` as a command; its wall time and its own peak memory (GiB)."""
    command = [
        sys.executable, "-m", "gzvpp", "evaluate",
        "--loads", str(loads),
        "--system-load", str(files.system_load),
        "--participants", str(files.participants),
        "--events", str(files.events),
        "--out", str(out),
        *extra,
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"gzvpp evaluate failed: {command}")
    return wall, usage.ru_maxrss / 2**20


def _peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def on_cluster(
    files: ScenarioFiles, dataset: Path, out: Path, workers: int, memory: str
) -> tuple[float, list[float], float]:
    """Wall time, each worker's peak memory (GiB) and memory limit (GiB) of a cluster run."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        wall, _ = evaluate(files, dataset, out, "--cluster", cluster.scheduler_address)
        peaks = sorted(client.run(_peak_rss_gib).values())
        limits = [w["memory_limit"] for w in client.scheduler_info()["workers"].values()]
    return wall, peaks, min(limits) / 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big", action="store_true", help="100,000 accounts, cluster only")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-memory", default="8GiB")
    args = parser.parse_args()
    size = BIG if args.big else DEFAULT
    files = scenario(size)
    dataset = grouped(files)
    load_before = os.getloadavg()[0]
    print(f"benchmark: {size}; dataset {dataset} ({GROUPS} participant groups)")
    if not args.big:
        single_out = files.loads.parent / "results.csv"
        single, single_peak = evaluate(files, files.loads, single_out)
        print(
            f"single process   {single:8.2f} s wall, {single_peak:.2f} GiB peak, "
            f"{size.awards / single:8.0f} awards/s"
        )
    cluster_out = files.loads.parent / "results-cluster.csv"
    wall, peaks, limit = on_cluster(files, dataset, cluster_out, args.workers, args.worker_memory)
    per_worker = ", ".join(f"{p:.2f}" for p in peaks)
    print(
        f"cluster ({args.workers} workers) {wall:8.2f} s wall, peak per worker {per_worker} GiB "
        f"(limit {limit:.2f} GiB), {size.awards / wall:8.0f} awards/s"
    )
    if args.big:
        print(f"target           ≤ {BIG_TARGET_S:g} s")
    else:
        same = filecmp.cmp(single_out, cluster_out, shallow=False)
        print(f"overhead ratio   {wall / single:8.2f}× (target ≤ {OVERHEAD_TARGET:g}×)")
        print(f"same result file {'yes' if same else 'NO'}")
    load_after = os.getloadavg()[0]
    print(f"load average     {load_before:8.2f} before, {load_after:.2f} after (1 minute)")


if __name__ == "__main__":
    main()
