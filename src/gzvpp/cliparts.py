"""What the command lines' commands share: one-line errors on stderr, the database options,
plain help text."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand


def stderr() -> Console:
    """The console for messages on stderr: one line each, never folded at the terminal's width
    (a log or a CI job would otherwise get a message cut in pieces at 80 columns)."""
    return Console(stderr=True, soft_wrap=True)


def print_error(message: str) -> None:
    """Print ``错误：message`` on one line of stderr; the message is text, not markup."""
    stderr().print(f"[bold red]错误：[/]{escape(message)}")


DbPath = Annotated[Path | None, typer.Option("--db", help="SQLite database file.")]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL; default $GZVPP_DATABASE_URL, else sqlite:///gzvpp.sqlite.",
    ),
]


def database_url(db: Path | None, database_url: str | None) -> str | None:
    if db is not None and database_url is not None:
        raise typer.BadParameter("give --db or --database-url, not both")
    return f"sqlite:///{db.resolve()}" if db is not None else database_url


class PlainHelp(TyperCommand):
    """A command whose help is printed as written: rich markup would turn the fingerprint
    example ``AB:CD:…`` into an emoji (``:cd:``)."""

    def format_help(self, *args: Any, **kwargs: Any) -> None:
        self.rich_markup_mode = None
        super().format_help(*args, **kwargs)
