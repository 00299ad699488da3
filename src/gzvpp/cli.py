"""The ``gzvpp`` command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

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

app = typer.Typer(
    name="gzvpp",
    help="广州市虚拟电厂管理平台 — Guangzhou virtual power plant platform.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """广州市虚拟电厂管理平台 — Guangzhou virtual power plant platform."""


@app.command()
def evaluate(
    loads: Annotated[
        Path, typer.Option(help="15-minute meter loads: CSV or Parquet (account_id,ts,kw).")
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
) -> None:
    """Evaluate every event's awards from meter exports (第九条): baselines, scores, subsidy."""
    from gzvpp.evaluation_run import EvaluationInputs, run_evaluation
    from gzvpp.files.errors import InputError
    from gzvpp.reporting import print_evaluation_summary

    console = Console(stderr=True)
    inputs = EvaluationInputs(loads, system_load, participants, events, calendar)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=None)
        try:
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
        except InputError as err:
            progress.stop()
            console.print(f"[bold red]error:[/] {escape(str(err))}")
            raise typer.Exit(code=2) from None
    print_evaluation_summary(summary, out, Console())


DbPath = Annotated[Path | None, typer.Option("--db", help="SQLite database file.")]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL; default $GZVPP_DATABASE_URL, else sqlite:///gzvpp.sqlite.",
    ),
]


def _database_url(db: Path | None, database_url: str | None) -> str | None:
    if db is not None and database_url is not None:
        raise typer.BadParameter("give --db or --database-url, not both")
    return f"sqlite:///{db.resolve()}" if db is not None else database_url


@app.command()
def serve(
    db: DbPath = None,
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
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
    simulation ended, so the console opens on the demo's quarter.
    """
    import uvicorn

    from gzvpp.app import create_app
    from gzvpp.kit import settings
    from gzvpp.kit.clock import SystemClock
    from gzvpp.kit.db import session_scope

    app = create_app(database_url=_database_url(db, database_url), clock=SystemClock(clock_start))
    if clock_start is not None:
        app.state.clock_name = "设定时钟"
        typer.echo(f"设定时钟：自 {clock_start:%Y-%m-%d %H:%M:%S}（广州时间）起按实际速度运行。")
    else:
        with session_scope(app.state.read_sessionmaker) as session:
            demo_start = settings.demo_clock(session)
        if demo_start is not None:
            app.state.clock = SystemClock(demo_start)
            app.state.clock_name = "演示时钟"
            typer.echo(
                f"演示时钟：本库为演示数据，时钟自演示结束时刻 {demo_start:%Y-%m-%d %H:%M:%S}"
                "（广州时间）起按实际速度运行；用 --clock-start 可另行指定。"
            )
    uvicorn.run(app, host=host, port=port)


db_app = typer.Typer(help="The platform database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(db: DbPath = None, database_url: DatabaseUrl = None) -> None:
    """Migrate the database to the newest schema."""
    from gzvpp.kit.db import upgrade

    upgrade(_database_url(db, database_url))


user_app = typer.Typer(help="Platform users and their API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    role: Annotated[str, typer.Option(help="grid_operator, regulator, aggregator or power_user.")],
    name: Annotated[str, typer.Option(help="Who the user is, e.g. 广州供电局 调度中心.")],
    participant: Annotated[
        str | None, typer.Option(help="Participant id; required for aggregator and power_user.")
    ] = None,
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a platform user and print its bearer token (shown only this once)."""
    from gzvpp.kit.auth import create_user
    from gzvpp.kit.clock import SystemClock
    from gzvpp.kit.db import make_engine, make_sessionmaker, session_scope, upgrade
    from gzvpp.kit.errors import DomainError
    from gzvpp.models import Role

    if role not in Role._value2member_map_:
        raise typer.BadParameter(f"unknown role {role!r}", param_hint="--role")
    url = _database_url(db, database_url)
    upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            user, token = create_user(
                session,
                name=name,
                role=Role(role),
                participant_id=participant,
                at=SystemClock().now(),
            )
    except DomainError as err:
        Console(stderr=True).print(f"[bold red]error:[/] {err.message}")
        raise typer.Exit(code=2) from None
    finally:
        engine.dispose()
    Console(stderr=True).print(f"created user #{user.id} {user.name} ({user.role.value})")
    typer.echo(token)


@app.command("export-inputs")
def export_inputs(
    out: Annotated[Path, typer.Option(help="Directory for the gzvpp evaluate input files.")],
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the platform's awarded events and their meter data as gzvpp evaluate inputs."""
    from gzvpp.kit.db import make_engine, make_sessionmaker, session_scope, upgrade
    from gzvpp.settlement.reproduce import export_evaluation_inputs

    url = _database_url(db, database_url)
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
    from gzvpp.reporting import print_demo_summary

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


openadr_app = typer.Typer(
    help="OpenADR clients: VENs of participants, and business-logic clients.",
    no_args_is_help=True,
)
app.add_typer(openadr_app, name="openadr")


@openadr_app.command("add-ven")
def openadr_add_ven(
    participant: Annotated[str, typer.Option(help="The active participant the VEN acts for.")],
    ven_name: Annotated[
        str | None, typer.Option(help="Unique venName; generated when left out.")
    ] = None,
    protocol: Annotated[str, typer.Option(help="3.1.0 (OAuth2 client) or 2.0b.")] = "3.1.0",
    fingerprint: Annotated[
        str | None, typer.Option(help="2.0b: the VEN certificate's fingerprint (AB:CD:…).")
    ] = None,
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Provision a VEN for a participant and print its credentials (the secret only now)."""
    from gzvpp.kit.errors import DomainError
    from gzvpp.openadr.provisioning import add_ven, in_database

    if protocol not in ("3.1.0", "2.0b"):
        raise typer.BadParameter("3.1.0 or 2.0b", param_hint="--protocol")
    try:
        credentials, _ = in_database(
            _database_url(db, database_url),
            lambda session, now: add_ven(
                session,
                "cli",
                now,
                participant,
                protocol="2.0b" if protocol == "2.0b" else "3.1.0",
                ven_name=ven_name,
                fingerprint=fingerprint,
            ),
        )
    except DomainError as err:
        Console(stderr=True).print(f"[bold red]error:[/] {err.message}")
        raise typer.Exit(code=2) from None
    for name in ("protocol", "ven_name", "ven_id", "client_id", "client_secret", "fingerprint"):
        value = getattr(credentials, name)
        if value is not None:
            typer.echo(f"{name}: {value}")
    if credentials.targets:
        typer.echo(f"targets: {', '.join(credentials.targets)}")


@openadr_app.command("add-bl")
def openadr_add_bl(
    name: Annotated[str, typer.Option(help="Which system of the grid operator it is.")],
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a business-logic client of the OpenADR 3 VTN; print client_id and secret."""
    from gzvpp.openadr.provisioning import add_bl, in_database

    credentials = in_database(
        _database_url(db, database_url), lambda session, now: add_bl(session, "cli", now, name)
    )
    typer.echo(f"client_id: {credentials.client_id}")
    typer.echo(f"client_secret: {credentials.client_secret}")


@openadr_app.command("revoke")
def openadr_revoke(
    client_id: Annotated[str, typer.Argument(help="The client to revoke.")],
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke an OpenADR client: its tokens stop working at once."""
    from gzvpp.kit.errors import DomainError
    from gzvpp.openadr.provisioning import in_database, revoke

    try:
        in_database(
            _database_url(db, database_url),
            lambda session, now: revoke(session, "cli", now, client_id),
        )
    except DomainError as err:
        Console(stderr=True).print(f"[bold red]error:[/] {err.message}")
        raise typer.Exit(code=2) from None
    Console(stderr=True).print(f"revoked {client_id}")
