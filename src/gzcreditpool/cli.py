"""The ``gzcreditpool`` command line (科技信贷风险损失补偿资金池)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gzkit.cli import (
    UserAdd,
    UserCommands,
    add_database_commands,
    add_user_commands,
    database_url_option,
    new_app,
    print_error,
    scope_option,
)

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.orm import Session

    from gzcreditpool.models import User
    from gzkit.db import DatabaseConfig

app = new_app("gzcreditpool", "广州市科技型中小企业信贷风险损失补偿资金池（穗科规字〔2021〕2号）。")


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
        print_error(str(err))
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


def _create_app(url: str) -> FastAPI:
    from gzcreditpool.app import create_app

    return create_app(database_url=url, migrate=False)


def _database() -> DatabaseConfig:
    from gzcreditpool.kit.db import DATABASE

    return DATABASE


def _bank_code(session: Session, user: User) -> str:
    from gzcreditpool.models import Bank

    bank = session.get(Bank, user.bank_id) if user.bank_id is not None else None
    return bank.code if bank is not None else "—"


def _user_commands() -> UserCommands:
    """The shared ``user`` commands (:class:`gzkit.cli.UserCommands`) bound to the pool."""
    from gzcreditpool.kit.auth import ACCOUNTS, ROLE_NAMES, TOKEN_DAYS, create_user
    from gzcreditpool.models import Role

    return UserCommands(
        _database(),
        ACCOUNTS,
        lambda: dt.timedelta(days=TOKEN_DAYS),
        ROLE_NAMES.__getitem__,
        _bank_code,
        Role,
        create_user,
    )


DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL；默认 $GZCREDITPOOL_DATABASE_URL，否则 sqlite:///gzcreditpool.sqlite。",
    ),
]
OPTIONS = database_url_option(DatabaseUrl)
add_database_commands(app, _database, _create_app, OPTIONS, port=8100)
user_app = typer.Typer(help="资金池用户及其 API 令牌。", no_args_is_help=True)
app.add_typer(user_app, name="user")


add_user_commands(
    user_app,
    OPTIONS,
    _user_commands,
    UserAdd(
        "角色：bureau（市科技局）、trustee（受托管理机构）、bank（合作银行）"
        "或 auditor（审计，只读）。",
        "账户名。",
        (scope_option("bank_code", "银行代码；bank 角色必填。", "--bank"),),
    ),
)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="报告目录。")] = Path("creditpool-demo"),
    enterprises: Annotated[int, typer.Option(min=50, max=20_000, help="企业数。")] = 3000,
    seed: Annotated[int, typer.Option(help="随机种子。")] = 2021,
) -> None:
    """演示：五家合作银行、数千家科技型中小企业，2021–2025 年经服务（模拟时钟）运行，
    输出 HTML 报告与 xlsx 报表。"""
    from gzcreditpool.demo.run import run_demo

    summary = run_demo(out, enterprises=enterprises, seed=seed)
    typer.echo(summary)
