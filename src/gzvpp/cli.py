"""The ``gzvpp`` command line."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="gzvpp",
    help="广州市虚拟电厂管理平台 — Guangzhou virtual power plant platform.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """广州市虚拟电厂管理平台 — Guangzhou virtual power plant platform."""
