"""``make bench``: time ``gzvpp evaluate`` end to end on the benchmark's generated data.

10,000 accounts (users, and aggregators of 2–50 members), 400 days of 15-minute history, 60
events in one quarter with 30,000 awards, read from Parquet. Generated once into bench/data/.
Prints wall time, peak memory (max RSS of the evaluate process) and awards per second.
Targets on a 2-core machine: ≤ 20 s wall, ≤ 4 GiB peak.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from rich.progress import Progress

from gzvpp.scenario import ScenarioSize, write_scenario

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=400)
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--awards", type=int, default=30_000)
    args = parser.parse_args()
    size = ScenarioSize(args.accounts, args.days, args.events, args.awards)
    data = HERE / "data" / f"{size.accounts}a-{size.history_days}d-{size.events}e-{size.awards}w"
    if not (data / "loads.parquet").exists():
        with Progress() as progress:
            task = progress.add_task("generating benchmark data", total=size.accounts)
            write_scenario(
                data, size, on_progress=lambda done, _: progress.update(task, completed=done)
            )
    out = data / "results.csv"
    command = [
        sys.executable, "-m", "gzvpp", "evaluate",
        "--loads", str(data / "loads.parquet"),
        "--system-load", str(data / "system_load.parquet"),
        "--participants", str(data / "participants.csv"),
        "--events", str(data / "events.json"),
        "--out", str(out),
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - started
    peak_gib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    awards = sum(1 for _ in out.open()) - 1
    print(f"benchmark: {size}")
    print(f"wall time        {wall:8.2f} s   (target ≤ 20 s)")
    print(f"peak memory      {peak_gib:8.2f} GiB (target ≤ 4 GiB)")
    print(f"awards evaluated {awards:8d}")
    print(f"awards / second  {awards / wall:8.0f}")


if __name__ == "__main__":
    main()
