"""The ``gzcreditpool`` command line (科技信贷风险损失补偿资金池)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(
    name="gzcreditpool",
    help="广州市科技型中小企业信贷风险损失补偿资金池（穗科规字〔2021〕2号）。",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """广州市科技型中小企业信贷风险损失补偿资金池（穗科规字〔2021〕2号）。"""


@app.command()
def settle(
    loans: Annotated[
        Path,
        typer.Option(
            help="贷款 CSV：loan_id,bank_id,enterprise_id,enterprise_eligible,disbursed_on,"
            "reported_on,amount,term_months,credit_part,financing_guarantee。"
        ),
    ],
    claims: Annotated[
        Path,
        typer.Option(
            help="补偿申请 CSV：claim_id,loan_id,filed_on,classification,"
            "legal_effective_on,npl_balance。"
        ),
    ],
    out: Annotated[
        Path, typer.Option(help="结果 CSV：record,id,decision,reason,amount_cny,due_on。")
    ],
    recoveries: Annotated[
        Path | None,
        typer.Option(help="清收 CSV：recovery_id,loan_id,received_on,gross,fees。"),
    ] = None,
    calendar: Annotated[
        Path | None,
        typer.Option(help="国务院节假日安排 CSV：date,day_type,holiday_name，优先于内置日历。"),
    ] = None,
) -> None:
    """核定贷款入池、补偿申请、清收退回和受托管理费（第十四条至第十七条、第二十三条、第二十四条）。"""
    from gzcreditpool.run import SettleInputs, run_settle
    from gzkit.inputs import InputError

    try:
        summary = run_settle(SettleInputs(loans, claims, recoveries, calendar), out)
    except InputError as err:
        Console(stderr=True, soft_wrap=True).print(f"[bold red]错误：[/]{escape(str(err))}")
        raise typer.Exit(code=2) from None

    table = Table(title=f"资金池核定结果 → {escape(str(out))}", show_header=True)
    table.add_column("项目")
    table.add_column("笔数", justify="right")
    table.add_column("金额（元）", justify="right")
    table.add_row("报送贷款", f"{summary.loans:,}", "")
    table.add_row("入池贷款", f"{summary.registered:,}", f"{summary.registered_cny:,}")
    table.add_row("补偿申请", f"{summary.claims:,}", "")
    table.add_row(
        "  全额 / 部分 / 不予补偿",
        f"{summary.approved:,} / {summary.partial:,} / {summary.refused_claims:,}",
        f"{summary.compensation_cny:,}",
    )
    table.add_row(
        "清收记录 / 应退回",
        f"{summary.recoveries:,} / {summary.refunds:,}",
        f"{summary.refund_cny:,}",
    )
    for year, fee in summary.fees_cny.items():
        table.add_row(f"受托管理费 {year} 年", "", f"{fee:,}")
    Console().print(table)
