"""The ``gzvpp`` command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from gzkit.cli import (
    UserAdd,
    UserCommands,
    UserRef,
    add_user_commands,
    fail,
    new_app,
    report_upgrade,
    scope_option,
)
from gzvpp import cliparts
from gzvpp.cliparts import DatabaseUrl, DbPath, print_error, stderr
from gzvpp.evaluation.cli import loads_app
from gzvpp.openadr.cli import openadr_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


T = TypeVar("T")

app = new_app("gzvpp", "广州市虚拟电厂管理平台 — Guangzhou virtual power plant platform.")


def _encoding_name(name: str | None) -> str | None:
    """Check ``--encoding`` before any file is read."""
    from gzkit.textfiles import normalise_encoding

    if name is None:
        return None
    try:
        return normalise_encoding(name)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from None


@app.command()
def evaluate(
    loads: Annotated[
        str,
        typer.Option(
            help="15-minute meter loads (account_id,ts,kw): CSV or Parquet, or a Parquet dataset "
            "(a directory, hive partitions allowed, or a glob pattern); Parquet may be at an "
            "fsspec URL (s3://bucket/loads/), which cluster workers read themselves."
        ),
    ],
    system_load: Annotated[
        Path, typer.Option(help="Guangzhou system load: CSV or Parquet (ts,mw).")
    ],
    participants: Annotated[Path, typer.Option(help="CSV participant_id,kind,account_id.")],
    events: Annotated[Path, typer.Option(help='JSON {"events": [...]} with awards.')],
    out: Annotated[Path, typer.Option(help="Result CSV, one row per award.")],
    calendar: Annotated[
        Path | None, typer.Option(help="Official schedule CSV date,day_type,holiday_name.")
    ] = None,
    lookback_days: Annotated[int, typer.Option(help="Baseline search depth in days (R4).")] = 60,
    encoding: Annotated[
        str | None,
        typer.Option(
            help="Encoding of every CSV input: utf-8, utf-8-sig or gb18030 (gbk); "
            "default: detected.",
            callback=_encoding_name,
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            help="Settle on a Dask cluster: a scheduler address (tcp://host:8786), or local:N "
            "for N local worker processes. Default: in this process."
        ),
    ] = None,
    worker_memory: Annotated[
        str,
        typer.Option(help="Memory limit per worker of --cluster local:N, e.g. 4GiB."),
    ] = "auto",
) -> None:
    """Evaluate every event's awards from meter exports (第九条): baselines, scores, subsidy."""
    from gzkit.inputs import InputError
    from gzvpp.evaluation.cluster import ClusterError, run_cluster_evaluation
    from gzvpp.evaluation.run import EvaluationInputs, run_evaluation
    from gzvpp.evaluation.summary import print_evaluation_summary
    from gzvpp.files.location import loads_location

    console = stderr()
    inputs = EvaluationInputs(
        loads_location(loads), system_load, participants, events, calendar, encoding
    )
    # Progress only on a terminal: elsewhere it would leave a blank line before any message.
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("starting", total=None)
        try:
            if cluster is None:
                summary = run_evaluation(
                    inputs,
                    out,
                    lookback_days,
                    on_stage=lambda text: progress.update(task, description=text),
                    on_events_known=lambda n: progress.update(
                        task, description="evaluating events", total=n, completed=0
                    ),
                    on_event=lambda event: progress.advance(task),
                )
            else:
                summary = run_cluster_evaluation(
                    inputs,
                    out,
                    cluster,
                    lookback_days,
                    worker_memory,
                    on_stage=lambda text: progress.update(task, description=text),
                    on_partitions_known=lambda n: progress.update(task, total=n, completed=0),
                    on_partition=lambda: progress.advance(task),
                )
        except (InputError, ClusterError) as err:
            progress.stop()
            print_error(str(err))
            raise typer.Exit(code=2) from None
    print_evaluation_summary(summary, out, Console())


@app.command()
def serve(
    db: DbPath = None,
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes sharing the port (uvicorn's supervisor restarts one that "
            "dies); more than 1 needs PostgreSQL.",
        ),
    ] = 1,
    clock_start: Annotated[
        dt.datetime | None,
        typer.Option(
            help="Run the clock from this Guangzhou time (YYYY-MM-DD HH:MM:SS) at real pace, "
            "for rehearsals and benchmarks; default: where the demo ended on a demo database, "
            "else the real time.",
            formats=["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        ),
    ] = None,
) -> None:
    """Run the platform's web service (OpenAPI at /docs); migrates the database first.

    On the demo's database, without ``--clock-start``, the clock starts where the demo's
    simulation ended, so the console opens on the demo's quarter. Every process tells the
    same time: the clock is recorded in the database when the command starts.
    """
    from gzvpp import serving
    from gzvpp.kit.db import resolve_url, upgrade

    url = resolve_url(cliparts.database_url(db, database_url))
    try:
        serving.check_workers(url, workers)
        upgrade(url)
        shared = serving.share_clock(url, clock_start)
    except ValueError as err:
        print_error(str(err))
        raise typer.Exit(code=2) from None
    if clock_start is not None:
        typer.echo(f"设定时钟：自 {clock_start:%Y-%m-%d %H:%M:%S}（广州时间）起按实际速度运行。")
    elif shared is not None:
        typer.echo(
            f"演示时钟：本库为演示数据，时钟自演示结束时刻 {shared.start:%Y-%m-%d %H:%M:%S}"
            "（广州时间）起按实际速度运行；用 --clock-start 可另行指定。"
        )
    serving.run(url, host, port, workers)


@app.command()
def worker(
    db: DbPath = None,
    database_url: DatabaseUrl = None,
    concurrency: Annotated[
        int, typer.Option(min=1, max=8, help="Jobs this worker runs at once.")
    ] = 1,
) -> None:
    """Run background jobs (the evaluations that meter uploads queue) until stopped.

    PostgreSQL only: every ``gzvpp serve`` process runs a worker too; this one is for a
    deployment with separate job workers. The database must be migrated (``gzvpp db upgrade``
    or ``gzvpp serve``).
    """
    from gzvpp.jobs import queue
    from gzvpp.kit.db import resolve_url

    try:
        queue.run_worker(resolve_url(cliparts.database_url(db, database_url)), concurrency)
    except ValueError as err:
        print_error(str(err))
        raise typer.Exit(code=2) from None


db_app = typer.Typer(help="The platform database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(db: DbPath = None, database_url: DatabaseUrl = None) -> None:
    """Migrate the database to the newest schema."""
    from gzvpp.kit.db import upgrade

    report_upgrade(*upgrade(cliparts.database_url(db, database_url)))


@db_app.command("archive-month")
def db_archive_month(
    month: Annotated[str, typer.Argument(metavar="YYYY-MM", help="要归档的月份，如 2025-07。")],
    out: Annotated[Path, typer.Option(help="归档目录：写入 loads_YYYY-MM.parquet。")],
    database_url: DatabaseUrl = None,
) -> None:
    """把一个月的计量数据从 PostgreSQL 移到 Parquet 文件（gzvpp evaluate --loads 可读）。"""
    from gzkit.clock import SystemClock
    from gzkit.errors import DomainError
    from gzvpp.kit.db import make_engine, upgrade
    from gzvpp.meterdata.archive import archive_month

    try:
        if len(month) != len("YYYY-MM"):
            raise ValueError(month)
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        print_error(f"月份须写作 YYYY-MM（如 2025-07），收到 {month!r}")
        raise typer.Exit(code=2) from None
    url = cliparts.database_url(None, database_url)
    upgrade(url)
    engine = make_engine(url)
    try:
        archived = archive_month(engine, first, out, SystemClock().now())
    except DomainError as err:
        fail(err)
    finally:
        engine.dispose()
    typer.echo(
        f"已归档 {month}：{archived.account_days} 个户日、{archived.readings} 个读数写入 "
        f"{archived.path}，该月分区已从数据库删除"
    )


user_app = typer.Typer(help="平台用户及其 API 令牌。", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _user_lines(session: Session, now: dt.datetime, tokens: bool) -> list[str]:
    """``gzvpp user list``: each user's participant, its status and access, and (``--tokens``)
    each API token's last use."""
    from gzvpp.accounts import service
    from gzvpp.console.labels import label
    from gzvpp.display import local_time

    users, _ = service.list_users(session, now)
    lines = ["编号\t名称\t角色\t参与者\t参与者状态\t账户状态\t访问\t有效令牌/全部令牌"]
    for user in users:
        state = f"停用于 {local_time(user.disabled_at)}" if user.disabled_at else "启用"
        lines.append(
            f"{user.id}\t{user.name}\t{label(user.role)}\t{user.participant_id or '—'}\t"
            f"{label(user.participant_status)}\t{state}\t{label(user.access.value, 'Access')}\t"
            f"{user.active_tokens}/{len(user.tokens)}"
        )
        lines.extend(
            f"  令牌 #{token.id}\t{token.prefix or '（旧令牌）'}…"
            f"\t签发 {local_time(token.created_at)}\t到期 {local_time(token.expires_at)}"
            f"\t最近使用 {local_time(token.last_used_at)}"
            f"\t{label(token.status.value, 'TokenStatus')}"
            for token in (user.tokens if tokens else ())
        )
    return lines


def _user_commands() -> UserCommands:
    """The shared ``user`` commands (:class:`gzkit.cli.UserCommands`) bound to the platform."""
    from gzvpp.console.labels import label
    from gzvpp.kit.auth import ACCOUNTS, create_user
    from gzvpp.kit.db import DATABASE
    from gzvpp.kit.policy import token_ttl
    from gzvpp.models import Role

    return UserCommands(
        DATABASE,
        ACCOUNTS,
        token_ttl,
        label,
        lambda _session, user: user.participant_id or "—",
        Role,
        create_user,
        _user_lines,
    )


@user_app.command("set-password")
def user_set_password(
    ref: UserRef,
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """设置或重设用户的控制台登录密码（输入两次，不回显；不接受命令行参数中的密码）。

    保存后该账户解除锁定，已登录的会话全部退出。账户名即用户名称，须唯一。
    """
    from gzvpp.accounts import passwords
    from gzvpp.kit.auth import ACCOUNTS

    password = typer.prompt("新密码", hide_input=True, confirmation_prompt="再次输入新密码")

    def work(session: Session, now: dt.datetime) -> tuple[int, str]:
        user = passwords.set_password(
            session, "cli", now, ACCOUNTS.find_user(session, ref).id, password
        )
        return user.id, user.name

    user_id, name = _user_commands().run(cliparts.database_url(db, database_url), work)
    stderr().print(f"已为用户 #{user_id} {escape(name)} 设置密码，可用账户名与密码登录控制台")


add_user_commands(
    user_app,
    cliparts.DATABASE_OPTIONS,
    _user_commands,
    UserAdd(
        "角色：grid_operator、regulator、aggregator、power_user 或 metering"
        "（计量系统，上传结算用计量数据）。",
        "用户名称，如 广州供电局 调度中心。",
        (
            scope_option(
                "participant_id", "参与者编号；aggregator 与 power_user 必填。", "--participant"
            ),
        ),
        password=False,  # gzvpp user set-password
    ),
)


@app.command("export-inputs")
def export_inputs(
    out: Annotated[Path, typer.Option(help="Directory for the gzvpp evaluate input files.")],
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the platform's awarded events and their meter data as gzvpp evaluate inputs."""
    from gzkit.db import make_sessionmaker, session_scope
    from gzvpp.kit.db import make_engine, upgrade
    from gzvpp.settlement.reproduce import export_evaluation_inputs

    url = cliparts.database_url(db, database_url)
    upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            inputs = export_evaluation_inputs(session, out)
    finally:
        engine.dispose()
    typer.echo(
        f"gzvpp evaluate --loads {inputs.loads} --system-load {inputs.system_load} "
        f"--participants {inputs.participants} --events {inputs.events} --out RESULTS.csv"
    )


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Fixes the synthetic city and every draw.")] = 2025,
    db: Annotated[
        Path, typer.Option(help="SQLite database to create (replaced if present).")
    ] = Path("out/gzvpp-demo.sqlite"),
    out: Annotated[Path, typer.Option(help="Directory for the report and the workbook.")] = Path(
        "out"
    ),
) -> None:
    """Run a summer (July–September 2025) of Guangzhou's virtual power plant end to end."""
    from gzvpp.demo.runner import run_demo
    from gzvpp.demo.simulation import DemoSize
    from gzvpp.demo.summary import print_demo_summary

    console = Console()
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
        MofNCompleteColumn(), TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip
        tasks: dict[str, TaskID] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(STAGE_NAMES.get(stage, stage), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        outcome = run_demo(seed, db, out, DemoSize(), on_progress)
    print_demo_summary(outcome, console)


STAGE_NAMES = {
    "enrolment": "参与者申请与审核 enrolment",
    "meter history": "历史计量数据 meter history",
    "quarter": "7–9 月运行 the quarter",
    "report": "报告与结算 report",
}


app.add_typer(openadr_app, name="openadr")
app.add_typer(loads_app, name="loads")
