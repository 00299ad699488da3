"""What ``gzvpp demo`` prints at the end: a rich table of the quarter and how to open it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from gzvpp.console.labels import label

if TYPE_CHECKING:
    from gzvpp.demo.runner import DemoOutcome


# How the demo sorts the bids it saw refused (demo.simulation._refusal).
REFUSALS = {
    "late": "申报截止后",
    "over capability": "超过响应能力",
    "suspended": "暂停应邀",
    "daily limit": "达到每日上限",
    "other": "其他",
}


def print_demo_summary(outcome: DemoOutcome, console: Console) -> None:
    """What the demo did, where its outputs are, and how to open the console on them."""
    tally, totals = outcome.run.tally, outcome.facts.report["totals"]
    table = Table(title=f"广州市虚拟电厂 {outcome.facts.quarter} 模拟运行", show_header=False)
    table.add_column("项目")
    table.add_column("数值", justify="right")
    table.add_row("申请 / 驳回", f"{tally.applications} / {len(tally.rejected)}")
    table.add_row("达到削峰启动条件的日数", str(tally.trigger_days))
    for mode, count in sorted(tally.events.items()):
        table.add_row(f"事件：{label(mode, 'Mode')}", str(count))
    table.add_row("申报 / 被拒", f"{tally.bids} / {sum(tally.refused.values())}")
    for reason, count in sorted(tally.refused.items()):
        table.add_row(f"  被拒：{REFUSALS.get(reason, reason)}", str(count))
    table.add_row("上传的计量数据（点）", f"{tally.values_uploaded:,}")
    table.add_row("评估的中标", str(totals["awards"]))
    table.add_row("有效响应", str(totals["effective_responses"]))
    table.add_row("未执行", str(totals["non_executions"]))
    suspended = sum(1 for p in outcome.facts.report["participants"] if p["suspended_months"])
    table.add_row("暂停应邀的参与者", str(suspended))
    table.add_row("有效响应电量（kWh）", f"{float(totals['effective_energy_kwh']):,.3f}")
    table.add_row("补贴（元）", f"{float(totals['subsidy_cny']):,.2f}")
    table.add_row("用时（秒）", f"{outcome.seconds:.1f}")
    console.print(table)
    console.print(f"报告：{outcome.report}")
    console.print(f"结算明细：{outcome.workbook}")
    console.print(
        f"控制台：gzvpp serve --db {outcome.db} 后打开 http://127.0.0.1:8000/ ，"
        f"用下列账户名和密码之一登录（令牌供系统对接，均在 {outcome.tokens}）：",
        soft_wrap=True,
    )
    for sign_in in outcome.run.tokens:
        use = (
            f"只用于上传计量数据的接口，不能登录控制台，令牌 {sign_in.token}"
            if sign_in.password is None
            else f"账户名 {sign_in.name}，密码 {sign_in.password}"
        )
        console.print(
            f"  {label(sign_in.role)}（{sign_in.name}）：{use}", highlight=False, soft_wrap=True
        )
