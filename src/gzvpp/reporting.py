"""Terminal output shared by the commands: summaries as rich tables."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from gzvpp.evaluation_run import EvaluationSummary


def print_evaluation_summary(summary: EvaluationSummary, out: Path, console: Console) -> None:
    """The one-screen summary of ``gzvpp evaluate``."""
    table = Table(title="评估结果 Evaluation summary", show_header=False)
    table.add_column("item")
    table.add_column("value", justify="right")
    table.add_row("events evaluated (事件)", str(summary.events))
    table.add_row("events cancelled (已取消)", str(summary.cancelled))
    table.add_row("awards (应邀)", str(summary.awards))
    for status, count in sorted(summary.by_status.items()):
        table.add_row(f"  status {status}", str(count))
    table.add_row("effective responses (有效响应)", str(summary.effective))
    table.add_row("non-executions (未执行)", str(summary.non_executions))
    table.add_row("participants suspended (停止当月应邀)", str(summary.suspended_participants))
    table.add_row("subsidy total (补贴, CNY)", f"{summary.subsidy_cny:,.2f}")
    console.print(table)
    console.print(f"results: {out}")
