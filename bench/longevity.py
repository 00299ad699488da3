"""``make bench-longevity``: time ``gzlongevity payroll`` on a generated city of elders.

1,000,000 people, runs 2021-09 … 2025-12 (52 runs), with deaths, moves, departures, late data
and late confirmations (:mod:`gzlongevity.synthetic`), generated once into bench/data/ with a
fixed seed. Prints wall time, peak memory (max RSS of the payroll process) and lines per
second, the CPU time and the load average (on a shared machine the wall time says more about
the neighbours).
Targets on a 2-core machine: ≤ 60 s wall, ≤ 4 GiB peak.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from gzlongevity.synthetic import write_synthetic_register

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--from-month", default="2021-09")
    parser.add_argument("--to-month", default="2025-12")
    args = parser.parse_args()
    data = HERE / "data" / f"longevity-{args.people}p-{args.seed}s"
    if not (data / "standards.csv").exists():
        started = time.perf_counter()
        files = write_synthetic_register(data, args.people, args.seed, dt.date(2025, 12, 31))
        print(
            f"generated {files.people:,} people, {files.register_rows:,} register rows "
            f"in {time.perf_counter() - started:.1f} s"
        )
    out, over = data / "payments.csv", data / "overpayments.csv"
    command = [
        str(Path(sys.executable).with_name("gzlongevity")),
        "payroll",
        "--register", str(data / "register.csv"),
        "--confirmations", str(data / "confirmations.csv"),
        "--standards", str(data / "standards.csv"),
        "--from", args.from_month,
        "--to", args.to_month,
        "--out", str(out),
        "--overpayments", str(over),
    ]  # fmt: skip
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib = usage.ru_maxrss
    with out.open("rb") as stream:
        lines = sum(1 for _ in stream) - 1
    print(f"wall time      {wall:8.1f} s   (target ≤ 60 s)")
    cpu = usage.ru_utime + usage.ru_stime
    print(f"CPU time       {cpu:8.1f} s   (user + system; the machine is shared)")
    print(f"peak memory    {peak_kib / 2**20:8.2f} GiB (target ≤ 4 GiB)")
    print(f"payment lines  {lines:,}  ({lines / wall:,.0f} lines/s)")
    print(f"load average   {load_before:.2f} before, {os.getloadavg()[0]:.2f} after (1 minute)")


if __name__ == "__main__":
    main()
