"""What ``gzvpp evaluate`` prints at the end: the summary as a rich table."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from gzvpp.evaluation.run import EvaluationSummary
from gzvpp.terms import RESULT_STATUSES


def print_evaluation_summary(summary: EvaluationSummary, out: Path, console: Console) -> None:
    """The one-screen summary of ``gzvpp evaluate``."""
    table = Table(title="评估结果", show_header=False)
    table.add_column("项目")
    table.add_column("数值", justify="right")
    table.add_row("评估事件", str(summary.events))
    table.add_row("已取消事件", str(summary.cancelled))
    table.add_row("中标", str(summary.awards))
    for status, count in sorted(summary.by_status.items()):
        table.add_row(f"  评估状态：{RESULT_STATUSES.get(status, status)}", str(count))
    table.add_row("有效响应", str(summary.effective))
    table.add_row("未执行", str(summary.non_executions))
    table.add_row("暂停应邀的参与者", str(summary.suspended_participants))
    table.add_row("补贴合计（元）", f"{summary.subsidy_cny:,.2f}")
    console.print(table)
    console.print(f"结果：{out}", highlight=False, soft_wrap=True)
