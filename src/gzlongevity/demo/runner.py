"""Run the demo and write its report (for ``gzlongevity demo``)."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

from gzlongevity.demo.report import write_report
from gzlongevity.demo.simulation import DemoRun, Progress, simulate


@dataclass(frozen=True)
class DemoResult:
    """Where the demo wrote and how long it took."""

    report: Path
    workbook: Path
    database: Path
    seconds: float
    load: tuple[float, float, float]
    timings: dict[str, float]
    summary: dict[str, str]
    sign_ins: list[tuple[str, str]]  # (name, password)


def run_demo(out: Path, people: int, seed: int, progress: Progress) -> DemoResult:
    """Simulate 2021-09 … 2022-12 and write the report."""
    started = time.perf_counter()
    run, (report, workbook, summary) = asyncio.run(
        _simulate_and_report(out, people, seed, progress)
    )
    return DemoResult(
        report,
        workbook,
        out / "gzlongevity-demo.sqlite",
        time.perf_counter() - started,
        os.getloadavg(),
        run.timings,
        summary,
        run.sign_ins,
    )


async def _simulate_and_report(
    out: Path, people: int, seed: int, progress: Progress
) -> tuple[DemoRun, tuple[Path, Path, dict[str, str]]]:
    """The simulation and its report, in one event loop (the requests' and the app's)."""
    run = await simulate(out, people, seed, progress)
    try:
        return run, await write_report(run)
    finally:
        await run.close()
