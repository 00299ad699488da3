"""What the command lines' commands share: the database options (``--db`` or
``--database-url``), plain help text; one-line errors on stderr are :mod:`gzkit.cli`'s."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from gzkit.cli import DatabaseOptions, print_error, stderr

__all__ = ["DATABASE_OPTIONS", "DatabaseUrl", "DbPath", "PlainHelp", "print_error", "stderr"]


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


DATABASE_OPTIONS = DatabaseOptions(
    tuple(
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for name, kind in (("db", DbPath), ("database_url", DatabaseUrl))
    ),
    database_url,
)


class PlainHelp(TyperCommand):
    """A command whose help is printed as written: rich markup would turn the fingerprint
    example ``AB:CD:…`` into an emoji (``:cd:``)."""

    def format_help(self, *args: Any, **kwargs: Any) -> None:
        self.rich_markup_mode = None
        super().format_help(*args, **kwargs)
