"""``gzvpp loads``: meter load files prepared for settlement on a cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gzvpp.cliparts import print_error

loads_app = typer.Typer(help="计量负荷文件（供集群结算）。", no_args_is_help=True)
DEFAULT_GROUPS = 64


@loads_app.command("group")
def loads_group(
    loads: Annotated[
        str, typer.Argument(help="Parquet 负荷文件或数据集目录，可为 fsspec 地址（s3://…）。")
    ],
    out: Annotated[Path, typer.Argument(help="输出数据集目录（不能已存在）。")],
    participants: Annotated[Path, typer.Option(help="参与者文件（CSV），定户号归属。")],
    groups: Annotated[
        int, typer.Option(min=1, max=4096, help="参与者分组数，宜为集群任务数的数倍。")
    ] = DEFAULT_GROUPS,
) -> None:
    """按参与者分组重写负荷数据集（participant_group=K），集群结算时每个任务只读自己的分组。"""
    from rich.progress import Progress

    from gzkit.inputs import InputError
    from gzvpp.evaluation.layout import write_grouped_loads
    from gzvpp.files.location import loads_location
    from gzvpp.files.participants import read_participants

    try:
        known = read_participants(participants)
        with Progress(transient=True) as progress:
            task = progress.add_task("按参与者分组写出", total=None)
            written = write_grouped_loads(
                loads_location(loads),
                known,
                out,
                groups,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except InputError as err:
        print_error(str(err))
        raise typer.Exit(2) from None
    typer.echo(f"已写出 {written:,} 行，{groups} 个参与者分组：{out}")
