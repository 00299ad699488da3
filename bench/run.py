"""``make bench``: time ``gzvpp evaluate`` end to end on the benchmark's generated data.

10,000 accounts (users, and aggregators of 2–50 members), 400 days of 15-minute history, 60
events in one quarter with 30,000 awards, read from Parquet. Generated once into bench/data/.
Prints wall time, peak memory (max RSS of the evaluate process), CPU time, awards per second
and the machine's load average around the run.
Targets on a 2-core machine: ≤ 20 s wall, ≤ 4 GiB peak.

``--format csv`` (``make bench-csv``) writes the same data as CSV, as meter exports come,
and evaluates that: ≤ 60 s, ≤ 4 GiB. ``make bench-csv-small`` is the analyst's everyday
file: 80 accounts over two years with 150 events, a 5.6 M-row, 210 MB CSV, in ≤ 2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from rich.progress import Progress

from gzvpp.demo.scenario import ScenarioSize, write_scenario

HERE = Path(__file__).parent
DEFAULT = ScenarioSize(10_000, 400, 60, 30_000)
# Wall-time targets (s): the default size per format, and the everyday CSV file.
TARGETS = {
    ("parquet", DEFAULT): 20.0,
    ("csv", DEFAULT): 60.0,
    ("csv", ScenarioSize(80, 730, 150, 3_000)): 2.0,
}
MEMORY_TARGET_GIB = 4.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=DEFAULT.accounts)
    parser.add_argument("--days", type=int, default=DEFAULT.history_days)
    parser.add_argument("--events", type=int, default=DEFAULT.events)
    parser.add_argument("--awards", type=int, default=DEFAULT.awards)
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    args = parser.parse_args()
    size = ScenarioSize(args.accounts, args.days, args.events, args.awards)
    name = f"{size.accounts}a-{size.history_days}d-{size.events}e-{size.awards}w"
    data = HERE / "data" / (name if args.format == "parquet" else f"{name}-csv")
    loads = data / f"loads.{args.format}"
    system_load = data / f"system_load.{args.format}"
    if not loads.exists():
        with Progress() as progress:
            task = progress.add_task("generating benchmark data", total=size.accounts)
            write_scenario(
                data,
                size,
                loads_format=args.format,
                on_progress=lambda done, _: progress.update(task, completed=done),
            )
        if args.format == "csv":
            options = pa_csv.WriteOptions(quoting_style="none", quoting_header="none")
            table = pq.read_table(data / "system_load.parquet")  # Parquet keeps ms
            table = table.set_column(0, "ts", table.column("ts").cast(pa.timestamp("s")))
            pa_csv.write_csv(table, system_load, write_options=options)
    out = data / "results.csv"
    command = [
        sys.executable, "-m", "gzvpp", "evaluate",
        "--loads", str(loads),
        "--system-load", str(system_load),
        "--participants", str(data / "participants.csv"),
        "--events", str(data / "events.json"),
        "--out", str(out),
    ]  # fmt: skip
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_gib = usage.ru_maxrss / 2**20
    awards = sum(1 for _ in out.open()) - 1
    target = TARGETS.get((args.format, size))
    print(f"benchmark: {size}, loads as {args.format} ({loads.stat().st_size / 2**20:,.0f} MiB)")
    print(f"wall time        {wall:8.2f} s   " + (f"(target ≤ {target:g} s)" if target else ""))
    print(f"peak memory      {peak_gib:8.2f} GiB (target ≤ {MEMORY_TARGET_GIB:g} GiB)")
    # On a shared machine wall time waits for other work; CPU time shows what the run cost.
    print(f"CPU time         {usage.ru_utime + usage.ru_stime:8.2f} s   (user + system)")
    print(f"awards evaluated {awards:8d}")
    print(f"awards / second  {awards / wall:8.0f}")
    # The machine may be shared: its load beside the figures says how far wall time waited.
    load_after = os.getloadavg()[0]
    print(f"load average     {load_before:8.2f} before, {load_after:.2f} after (1 minute)")


if __name__ == "__main__":
    main()
