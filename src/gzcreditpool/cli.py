"""The ``gzcreditpool`` command line (科技信贷风险损失补偿资金池)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

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


DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL；默认 $GZCREDITPOOL_DATABASE_URL，否则 sqlite:///gzcreditpool.sqlite。",
    ),
]


def _error(message: str) -> None:
    Console(stderr=True, soft_wrap=True).print(f"[bold red]错误：[/]{escape(message)}")


@app.command()
def serve(
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(help="监听地址。")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP 端口。")] = 8100,
) -> None:
    """运行资金池服务：接口 /api（文档 /docs），控制台 /console/；先迁移数据库。"""
    import uvicorn

    from gzcreditpool.app import create_app

    uvicorn.run(create_app(database_url=database_url), host=host, port=port)


db_app = typer.Typer(help="资金池数据库。", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """把数据库迁移到最新版本。"""
    from gzcreditpool.kit.db import DATABASE

    before, after = DATABASE.upgrade(database_url)
    if before == after:
        typer.echo(f"数据库已是最新版本 {after}，无需升级")
    else:
        typer.echo(f"数据库已升级到 {after}（原为 {before or '空库'}）")


user_app = typer.Typer(help="资金池用户及其 API 令牌。", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    role: Annotated[
        str,
        typer.Option(
            help="角色：bureau（市科技局）、trustee（受托管理机构）、bank（合作银行）"
            "或 auditor（审计，只读）。"
        ),
    ],
    name: Annotated[str, typer.Option(help="账户名。")],
    bank: Annotated[str | None, typer.Option(help="银行代码；bank 角色必填。")] = None,
    password: Annotated[
        bool, typer.Option("--password/--no-password", help="同时设置登录密码（交互输入）。")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """新建用户并输出其访问令牌（令牌明文只显示这一次）。"""
    from gzcreditpool.kit.auth import create_user
    from gzcreditpool.kit.db import DATABASE
    from gzcreditpool.models import Role
    from gzkit.errors import DomainError

    if role not in Role._value2member_map_:
        raise typer.BadParameter(f"未知角色 {role!r}", param_hint="--role")
    secret = typer.prompt("密码", hide_input=True, confirmation_prompt=True) if password else None

    def add(session: Session, now: dt.datetime) -> tuple[int, str]:
        user, token = create_user(
            session, name=name, role=Role(role), bank_code=bank, at=now, password=secret
        )
        return user.id, token

    try:
        user_id, token = DATABASE.in_database(database_url, add)
    except DomainError as err:
        _error(err.message.split(" / ")[0])
        raise typer.Exit(code=2) from None
    Console(stderr=True).print(f"已创建用户 #{user_id} {escape(name)}（{role}）")
    typer.echo(token)


@user_app.command("list")
def user_list(database_url: DatabaseUrl = None) -> None:
    """列出用户：账户名、角色、银行、是否停用。"""
    from sqlalchemy import select

    from gzcreditpool.kit.auth import ROLE_NAMES
    from gzcreditpool.kit.db import DATABASE
    from gzcreditpool.models import Bank, User

    def rows(session: Session, _now: dt.datetime) -> list[tuple[str, ...]]:
        found = session.execute(
            select(User, Bank.code).outerjoin(Bank, Bank.id == User.bank_id).order_by(User.id)
        )
        return [
            (user.name, ROLE_NAMES[user.role], code or "", "已停用" if user.disabled_at else "")
            for user, code in found
        ]

    table = Table(title="资金池用户")
    for column in ("账户名", "角色", "银行", "状态"):
        table.add_column(column)
    for row in DATABASE.in_database(database_url, rows):
        table.add_row(*(escape(cell) for cell in row))
    Console().print(table)


@user_app.command("disable")
def user_disable(
    name: Annotated[str, typer.Option(help="账户名。")],
    database_url: DatabaseUrl = None,
) -> None:
    """停用账户：其令牌和登录会话立即失效。"""
    from gzcreditpool.kit.auth import disable_user
    from gzcreditpool.kit.db import DATABASE
    from gzkit.errors import DomainError

    try:
        DATABASE.in_database(database_url, lambda session, now: disable_user(session, name, now))
    except DomainError as err:
        _error(err.message.split(" / ")[0])
        raise typer.Exit(code=2) from None
    typer.echo(f"已停用账户 {name}")


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
