"""The ``gzvpp`` command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

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

from gzvpp import cliparts
from gzvpp.cliparts import DatabaseUrl, DbPath, print_error, stderr
from gzvpp.evaluation.cli import loads_app
from gzvpp.openadr.cli import openadr_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")

app = typer.Typer(
    name="gzvpp",
    help="广州市虚拟电厂管理平台 — Guangzhou virtual power plant platform.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """广州市虚拟电厂管理平台 — Guangzhou virtual power plant platform."""


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

    before, after = upgrade(cliparts.database_url(db, database_url))
    if before == after:
        typer.echo(f"数据库已是最新版本 {after}，无需升级")
    else:
        typer.echo(f"数据库已升级到 {after}（原为 {before or '空库'}）")


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
        _fail(err)
    finally:
        engine.dispose()
    typer.echo(
        f"已归档 {month}：{archived.account_days} 个户日、{archived.readings} 个读数写入 "
        f"{archived.path}，该月分区已从数据库删除"
    )


user_app = typer.Typer(help="平台用户及其 API 令牌。", no_args_is_help=True)
app.add_typer(user_app, name="user")
UserRef = Annotated[str, typer.Argument(metavar="NAME|ID", help="用户编号，或唯一的用户名称。")]
TtlDays = Annotated[
    int | None,
    typer.Option(
        "--ttl-days",
        min=1,
        max=3650,
        help="令牌有效天数；默认取 GZVPP_TOKEN_TTL_DAYS，未设置则 90 天。",
    ),
]


def _fail(err: Exception) -> NoReturn:
    """Print a refusal in Chinese (the first half of a bilingual message) and exit 2."""
    from gzkit.errors import DomainError
    from gzvpp.console.labels import zh

    print_error(zh(err.message) if isinstance(err, DomainError) else str(err))
    raise typer.Exit(code=2)


def _in_user_database(url: str | None, work: Callable[[Session, dt.datetime], T]) -> T:
    """``work`` in one transaction on the migrated database; a refusal ends the command."""
    from gzkit.errors import DomainError
    from gzvpp.kit.db import in_database

    try:
        return in_database(url, work)
    except (DomainError, ValueError) as err:  # ValueError: a bad GZVPP_TOKEN_TTL_DAYS
        _fail(err)


def _expiry(now: dt.datetime, ttl_days: int | None) -> dt.datetime | None:
    return None if ttl_days is None else now + dt.timedelta(days=ttl_days)


@user_app.command("add")
def user_add(
    role: Annotated[
        str,
        typer.Option(
            help="角色：grid_operator、regulator、aggregator、power_user 或 metering"
            "（计量系统，上传结算用计量数据）。"
        ),
    ],
    name: Annotated[str, typer.Option(help="用户名称，如 广州供电局 调度中心。")],
    participant: Annotated[
        str | None, typer.Option(help="参与者编号；aggregator 与 power_user 必填。")
    ] = None,
    ttl_days: TtlDays = None,
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """新建平台用户并输出其令牌（令牌明文只显示这一次）。"""
    from gzvpp.kit.auth import create_user
    from gzvpp.models import Role

    if role not in Role._value2member_map_:
        raise typer.BadParameter(f"未知角色 {role!r}", param_hint="--role")
    user, token = _in_user_database(
        cliparts.database_url(db, database_url),
        lambda session, now: create_user(
            session,
            name=name,
            role=Role(role),
            participant_id=participant,
            at=now,
            expires_at=_expiry(now, ttl_days),
        ),
    )
    stderr().print(f"已创建用户 #{user.id} {escape(user.name)}（{user.role.value}）")
    typer.echo(token)


@user_app.command("list")
def user_list(
    tokens: Annotated[
        bool, typer.Option("--tokens", help="同时列出每个令牌（不含明文）。")
    ] = False,
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """列出用户：角色、参与者、状态、有效令牌数（从不显示令牌明文）。"""
    from gzvpp.accounts import service
    from gzvpp.console.labels import label
    from gzvpp.display import local_time

    users, _ = _in_user_database(
        cliparts.database_url(db, database_url),
        lambda session, now: service.list_users(session, now),
    )
    typer.echo("编号\t名称\t角色\t参与者\t参与者状态\t账户状态\t访问\t有效令牌/全部令牌")
    for user in users:
        state = f"停用于 {local_time(user.disabled_at)}" if user.disabled_at else "启用"
        typer.echo(
            f"{user.id}\t{user.name}\t{label(user.role)}\t{user.participant_id or '—'}\t"
            f"{label(user.participant_status)}\t{state}\t{label(user.access.value, 'Access')}\t"
            f"{user.active_tokens}/{len(user.tokens)}"
        )
        for token in user.tokens if tokens else ():
            typer.echo(
                f"  令牌 #{token.id}\t{token.prefix or '（旧令牌）'}…"
                f"\t签发 {local_time(token.created_at)}\t到期 {local_time(token.expires_at)}"
                f"\t最近使用 {local_time(token.last_used_at)}"
                f"\t{label(token.status.value, 'TokenStatus')}"
            )


def _set_disabled(ref: str, url: str | None, disabled: bool) -> None:
    from gzvpp.accounts import service

    def work(session: Session, now: dt.datetime) -> Any:
        user = service.find_user(session, ref)
        change = service.disable_user if disabled else service.enable_user
        return change(session, "cli", now, user.id)

    user = _in_user_database(url, work)
    verb = "已停用，其全部令牌立即失效" if disabled else "已启用"
    stderr().print(f"用户 #{user.id} {escape(user.name)} {verb}")


@user_app.command("disable")
def user_disable(ref: UserRef, db: DbPath = None, database_url: DatabaseUrl = None) -> None:
    """停用用户：其全部令牌立即失效（401），直到再次启用。"""
    _set_disabled(ref, cliparts.database_url(db, database_url), True)


@user_app.command("enable")
def user_enable(ref: UserRef, db: DbPath = None, database_url: DatabaseUrl = None) -> None:
    """重新启用用户：其未过期、未吊销的令牌恢复有效。"""
    _set_disabled(ref, cliparts.database_url(db, database_url), False)


@user_app.command("set-password")
def user_set_password(ref: UserRef, db: DbPath = None, database_url: DatabaseUrl = None) -> None:
    """设置或重设用户的控制台登录密码（输入两次，不回显；不接受命令行参数中的密码）。

    保存后该账户解除锁定，已登录的会话全部退出。账户名即用户名称，须唯一。
    """
    from gzvpp.accounts import passwords, service

    password = typer.prompt("新密码", hide_input=True, confirmation_prompt="再次输入新密码")

    def work(session: Session, now: dt.datetime) -> tuple[int, str]:
        user = passwords.set_password(
            session, "cli", now, service.find_user(session, ref).id, password
        )
        return user.id, user.name

    user_id, name = _in_user_database(cliparts.database_url(db, database_url), work)
    stderr().print(f"已为用户 #{user_id} {escape(name)} 设置密码，可用账户名与密码登录控制台")


@user_app.command("revoke-token")
def user_revoke_token(
    token_id: Annotated[int, typer.Argument(help="令牌编号（见 gzvpp user list --tokens）。")],
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """吊销一个令牌：它立即失效，该用户的其他令牌不受影响。"""
    from gzvpp.accounts import service

    _in_user_database(
        cliparts.database_url(db, database_url),
        lambda session, now: service.revoke_token(session, "cli", now, token_id),
    )
    stderr().print(f"已吊销令牌 #{token_id}")


@user_app.command("rotate")
def user_rotate(
    ref: UserRef, ttl_days: TtlDays = None, db: DbPath = None, database_url: DatabaseUrl = None
) -> None:
    """轮换令牌：签发新令牌并吊销其余令牌；新令牌只显示这一次。"""
    from gzvpp.accounts import service

    def work(session: Session, now: dt.datetime) -> Any:
        user = service.find_user(session, ref)
        return service.rotate(session, "cli", now, user.id, ttl_days=ttl_days)

    issued, revoked = _in_user_database(cliparts.database_url(db, database_url), work)
    old = "、".join(f"#{i}" for i in revoked) or "无"
    stderr().print(
        f"已为用户 #{issued.user_id} 签发令牌 #{issued.id}"
        f"（到期 {issued.expires_at:%Y-%m-%d %H:%M}），吊销旧令牌：{old}"
    )
    typer.echo(issued.token)


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
