"""Run the demo end to end and write its outputs: the database, the report, the workbook."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from gzvpp.console.labels import label
from gzvpp.demo.report import QuarterFacts, collect, write_report
from gzvpp.demo.simulation import DemoRun, DemoSize, ProgressHook, SignIn, Simulation
from gzvpp.settlement.service import quarter_of


@dataclass(frozen=True)
class DemoOutcome:
    """Where everything went, and the figures the terminal summary prints."""

    db: Path
    report: Path
    workbook: Path
    tokens: Path
    run: DemoRun
    facts: QuarterFacts
    seconds: float


def sign_in_sheet(sign_ins: list[SignIn]) -> str:
    """``out/tokens.txt``: a header, then role, user (or participant), password and token per
    line, tab-separated; the metering identity, which has no console, has no password (—)."""
    lines = [
        ("角色", "账户名", "密码", "令牌"),
        *((label(s.role), s.name, s.password or "—", s.token) for s in sign_ins),
    ]
    return "".join("\t".join(line) + "\n" for line in lines)


def run_demo(
    seed: int, db: Path, out: Path, size: DemoSize, on_progress: ProgressHook
) -> DemoOutcome:
    """Simulate the quarter through the service, then write the report and the settlement."""
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    simulation = Simulation(size, seed, db, on_progress)
    try:
        run = simulation.run()
        quarter = quarter_of(size.first_day)
        on_progress("report", 0, 1)
        facts = collect(run, quarter)
        report = out / f"report-{quarter}.html"
        write_report(run, facts, size.first_day, size.last_day, report)
        workbook = out / f"settlement-{quarter}.xlsx"
        workbook.write_bytes(
            run.client.get(
                f"/api/settlement/quarters/{quarter}/export.xlsx", headers=run.operator
            ).content
        )
    finally:
        simulation.close()
    tokens = out / "tokens.txt"
    tokens.write_text(sign_in_sheet(run.tokens), encoding="utf-8")
    on_progress("report", 1, 1)
    return DemoOutcome(db, report, workbook, tokens, run, facts, time.perf_counter() - started)
