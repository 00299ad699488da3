"""The ``gzlongevity`` command line (长寿保健金管理系统)."""

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
    scope_option,
)

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.orm import Session

    from gzkit.db import DatabaseConfig
    from gzlongevity.models import Officer

app = new_app("gzlongevity", "广州市长者长寿保健金管理系统（穗民规字〔2021〕6号）。")


@app.command()
def payroll(
    register: Annotated[
        Path,
        typer.Option(
            help="户籍事件 CSV：person_id,name,birth_date,event,event_date,known_on,"
            "district,street。"
        ),
    ],
    confirmations: Annotated[
        Path, typer.Option(help="信息确认 CSV：person_id,confirmed_on,channel。")
    ],
    from_month: Annotated[
        str, typer.Option("--from", help="第一次发放的月份 YYYY-MM（此前各月视为未发）。")
    ],
    to_month: Annotated[str, typer.Option("--to", help="最后一次发放的月份 YYYY-MM。")],
    out: Annotated[Path, typer.Option(help="输出的发放明细 payments.csv。")],
    standards: Annotated[
        Path | None,
        typer.Option(
            help="区标准 CSV：district,tier,monthly_cny,from_month（高于市标准部分由区承担）。"
        ),
    ] = None,
    run_day: Annotated[
        int, typer.Option(help="每月核发日（1–31，超过月末按月末）：只计入此日前已知的数据。")
    ] = 20,
    overpayments: Annotated[
        Path | None, typer.Option(help="输出的多领明细 overpayments.csv。")
    ] = None,
) -> None:
    """按月重放长寿保健金发放（第十三条），供审计、财政复核应发金额：按月、补发、百岁慰问金和多领。"""
    from gzkit.inputs import InputError
    from gzlongevity.batch.payroll import PayrollPaths, run_payroll
    from gzlongevity.core.calendar import parse_month
    from gzlongevity.core.standards import yuan

    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    paths = PayrollPaths(register, confirmations, out, standards, overpayments)
    try:
        months = []
        for option, text in (("--from", from_month), ("--to", to_month)):
            try:
                months.append(parse_month(text))
            except ValueError as err:
                raise InputError(option, str(err)) from None
        with errors.status("读取并重放……"):
            summary = run_payroll(paths, months[0], months[1], run_day)
    except InputError as err:
        errors.print(f"[bold red]错误：[/]{escape(str(err))}")
        raise typer.Exit(code=2) from None
    table = Table(title=f"长寿保健金发放重放 {from_month} 至 {to_month}（{summary.runs} 次发放）")
    table.add_column("项目")
    table.add_column("笔数", justify="right")
    table.add_column("金额（元）", justify="right")
    names = {"monthly": "按月发放", "arrears": "补发", "centenarian": "百岁慰问金"}
    for kind, label in names.items():
        table.add_row(label, f"{summary.lines[kind]:,}", f"{summary.amount(kind):,}")
    table.add_row("其中区标准高出部分", "", f"{yuan(summary.district_extra_fen):,}")
    table.add_row("多领（应追回）", f"{summary.overpayments:,}", f"{yuan(summary.overpaid_fen):,}")
    console = Console()
    console.print(table)
    console.print(
        f"名册 {summary.people:,} 人、{summary.register_rows:,} 行；"
        f"发放明细 {escape(str(out))}"
        + (f"；多领明细 {escape(str(overpayments))}" if overpayments else "")
        + f"；用时 {summary.seconds:.1f} 秒"
    )


DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        help="数据库 URL；默认取 GZLONGEVITY_DATABASE_URL，未设置则为 sqlite:///gzlongevity.sqlite。"
    ),
]
OPTIONS = database_url_option(DatabaseUrl)


def _create_app(url: str) -> FastAPI:
    from gzlongevity.app import create_app

    return create_app(database_url=url, migrate=False)


def _database() -> DatabaseConfig:
    from gzlongevity.kit.db import DATABASE

    return DATABASE


def _place(_session: Session, officer: Officer) -> str:
    return " ".join(part for part in (officer.district, officer.street) if part) or "—"


def _user_commands() -> UserCommands:
    """The shared ``user`` commands (:class:`gzkit.cli.UserCommands`) bound to the officers."""
    from gzlongevity.kit.auth import ACCOUNTS, API_TOKEN_DAYS, ROLE_NAMES, create_officer
    from gzlongevity.models import Role

    return UserCommands(
        _database(),
        ACCOUNTS,
        lambda: dt.timedelta(days=API_TOKEN_DAYS),
        ROLE_NAMES.__getitem__,
        _place,
        Role,
        create_officer,
    )


add_database_commands(app, _database, _create_app, OPTIONS, port=8100)
user_app = typer.Typer(help="工作人员账户及其访问令牌。", no_args_is_help=True)
app.add_typer(user_app, name="user")


add_user_commands(
    user_app,
    OPTIONS,
    _user_commands,
    UserAdd(
        "角色：city、district、street、committee、military、finance、audit 或 exchange"
        "（数据共享交换平台）。",
        "姓名或账户名，如 越秀区民政局 王科长。",
        (
            scope_option("district", "区划代码（district、street、committee 必填），如 440104。"),
            scope_option("street", "街（镇）名称（street、committee 必填）。"),
        ),
    ),
)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="输出目录：数据库、报告、银行文件、月报。")] = Path(
        "longevity-demo"
    ),
    people: Annotated[
        int, typer.Option(min=100, max=1_000_000, help="合成名册人数（60 岁以上）。")
    ] = 200_000,
    seed: Annotated[int, typer.Option(help="随机种子（结果可重现）。")] = 2021,
) -> None:
    """演示：合成的广州市户籍名册经本系统运行 2021-09 至 2022-12，写出 HTML 报告和 xlsx 月报。"""
    from gzlongevity.demo.runner import run_demo

    console = Console()
    result = run_demo(out, people, seed, lambda text: console.print(text))
    table = Table(title="长寿保健金管理系统 演示")
    table.add_column("项目")
    table.add_column("结果")
    names = {
        "people": "名册人数",
        "register_rows": "户籍事件",
        "runs": "月度发放",
        "paid": "发放总额（元）",
        "beneficiaries": "末月享受人数",
        "cases": "追回案件",
        "recovery_rate": "追回率",
    }
    for key, label in names.items():
        table.add_row(label, escape(result.summary[key]))
    console.print(table)
    load = " ".join(f"{value:.2f}" for value in result.load)
    console.print(
        f"报告 {escape(str(result.report))}；月报 {escape(str(result.workbook))}；数据库 "
        f"{escape(str(result.database))}；用时 {result.seconds:.1f} 秒（负载 {load}）"
    )
    console.print(
        f"控制台：gzlongevity serve --database-url sqlite:///{escape(str(result.database))}，"
        "打开 http://127.0.0.1:8100/console/login"
    )
    for name, password in result.sign_ins:
        console.print(f"  账户名 {escape(name)}，密码 {escape(password)}")
