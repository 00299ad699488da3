"""The database: engine, declarative base, one transaction per request, and migrations.

The service is synchronous on purpose: SQLAlchemy's sync ``Session`` is simpler to reason about,
FastAPI runs sync endpoints in its thread pool, and the demo drives the app in-process.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from fastapi import Depends, Request
from sqlalchemy import Engine, Enum, MetaData, Numeric, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

DATABASE_URL_ENV = "GZVPP_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///gzvpp.sqlite"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

# Stable constraint names, so migrations can refer to them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every ORM model; ``Decimal`` columns default to kW with 3 decimals."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {Decimal: Numeric(14, 3)}


def enum_type(enum_class: type[StrEnum], name: str) -> Enum:
    """A column type storing ``enum_class``'s values as text, checked by a constraint ``name``.

    Text plus a CHECK rather than a native PostgreSQL enum, so adding a value later is a plain
    constraint change on both databases.
    """
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def resolve_url(url: str | None = None) -> str:
    """``url``, else ``$GZVPP_DATABASE_URL``, else ``sqlite:///gzvpp.sqlite`` in the working dir."""
    return url or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (see :func:`resolve_url`); SQLite gets foreign keys and WAL."""
    engine = create_engine(resolve_url(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off unless asked on every connection; WAL lets readers run while
    # one request writes, and the busy timeout makes a second writer wait instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL still never corrupts the database; it only skips the fsync per commit
    # (a power cut may lose the last transactions), which makes each request many times faster.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Meter data arrives a day for every account at a time, scattered over the (account, day)
    # index: a 64 MiB page cache keeps those pages in memory instead of re-reading them.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit, so responses can be built from them."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back everything if it raises."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _request_session(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.sessionmaker) as session:
        yield session


# scope="function" commits before the response is sent, so a failed commit is an error response,
# never a success reply for data that was not written.
SessionDep = Annotated[Session, Depends(_request_session, scope="function")]


def upgrade(url: str | None = None) -> tuple[str | None, str | None]:
    """Bring the database at ``url`` to the newest migration (``alembic upgrade head``); the
    revision it was at (None: empty) and the one it is at now.

    The Alembic configuration lives here rather than in an ``alembic.ini`` so that it works from
    an installed package.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Passed as an attribute, not a main option: configparser would mangle '%' in passwords.
    config.attributes["url"] = resolve_url(url)
    before = current_revision(url)
    command.upgrade(config, "head")
    return before, current_revision(url)


def current_revision(url: str | None = None) -> str | None:
    """The migration the database at ``url`` is at (None for an empty database)."""
    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
