"""The database: engine, declarative base, one transaction per request, and migrations.

The service is synchronous on purpose: SQLAlchemy's sync ``Session`` is simpler to reason about,
FastAPI runs sync endpoints in its thread pool, and the demo drives the app in-process.

A request holds one pooled connection from its first query until its transaction ends, across
several thread-pool hops (dependencies, the endpoint, the commit). So that requests never wait on
each other for connections, :mod:`gzvpp.kit.admission` lets in at most
:func:`request_capacity` requests at a time, fewer than the pool holds; the rest of the pool is
kept for the scheduler and the OpenADR background threads.

On SQLite a transaction that writes takes the write lock when it begins (``BEGIN IMMEDIATE``), so
concurrent writers queue on the busy timeout instead of failing with "database is locked" when
a read transaction tries to become a write one; reads (GET requests) begin deferred and run
beside the writer under WAL.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, Enum, MetaData, Numeric, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from gzvpp.kit.clock import SystemClock

DATABASE_URL_ENV = "GZVPP_DATABASE_URL"
DEFAULT_DATABASE_URL = "sqlite:///gzvpp.sqlite"
POOL_SIZE_ENV = "GZVPP_DB_POOL_SIZE"
DEFAULT_POOL_SIZE = 20
# Connections kept out of the requests' reach: the scheduler, the OpenADR notifier and relay.
BACKGROUND_CONNECTIONS = 4
READ_ONLY = "gzvpp_read_only"  # execution option: this connection's transactions only read
SQLITE_BUSY_TIMEOUT_MS = 30_000
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


# The job queue's own tables, types and functions (procrastinate, PostgreSQL only): created by
# a migration from the schema procrastinate ships, not from the platform's models.
QUEUE_PREFIX = "procrastinate_"


def is_platform_object(name: str | None, type_: str, _parents: Any) -> bool:
    """Whether Alembic's comparison should look at ``name``: the platform's objects, not the
    job queue's."""
    return type_ != "table" or not (name or "").startswith(QUEUE_PREFIX)


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


def pool_size() -> int:
    """Connections per engine: ``$GZVPP_DB_POOL_SIZE``, default 20 (no overflow beyond it)."""
    return max(BACKGROUND_CONNECTIONS + 1, int(os.environ.get(POOL_SIZE_ENV, DEFAULT_POOL_SIZE)))


def request_capacity() -> int:
    """How many requests may hold a connection at once: the pool less the background's share."""
    return pool_size() - BACKGROUND_CONNECTIONS


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (see :func:`resolve_url`) with a fixed pool of :func:`pool_size`.

    SQLite gets foreign keys, WAL and a busy timeout, and its transactions begin ``IMMEDIATE``
    unless the connection carries the :data:`READ_ONLY` execution option.
    """
    resolved = resolve_url(url)
    options: dict[str, Any] = {"pool_size": pool_size(), "max_overflow": 0, "pool_timeout": 30}
    if not resolved.startswith("sqlite"):
        options["pool_pre_ping"] = True  # a server restart must not fail the next requests
    engine = create_engine(resolved, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_begin(connection: Connection) -> None:
    # pysqlite's own implicit BEGIN is switched off in _sqlite_pragmas; this is the only one.
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Transactions are begun by _sqlite_begin, which chooses IMMEDIATE for writers.
    dbapi_connection.isolation_level = None
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
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def make_sessionmaker(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit, so responses can be built from them.

    ``read_only`` sessions begin their transactions deferred on SQLite (see the module note);
    a write in one is still possible but may find the database locked.
    """
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False)


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[int]]:
    """The number of statements ``engine`` sends inside the block, in a one-element list
    (an executemany counts once): a measure of a code path that the machine's load does not
    change, for benchmarks and tests."""
    count = [0]

    def one(*_: object) -> None:
        count[0] += 1

    event.listen(engine, "before_cursor_execute", one)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", one)


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


# Ids are 32-bit integer columns; a larger number is no row (PostgreSQL would refuse the query).
MAX_ROW_ID = 2**31 - 1
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _request_session(request: Request) -> Iterator[Session]:
    state = request.app.state
    factory = state.read_sessionmaker if request.method in READ_METHODS else state.sessionmaker
    with session_scope(factory) as session:
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


T = TypeVar("T")


def in_database(url: str | None, work: Callable[[Session, dt.datetime], T]) -> T:
    """Run ``work`` (given a session and the system clock's time) in one transaction on the
    migrated database at ``url``: what the command line's database commands do."""
    upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            return work(session, SystemClock().now())
    finally:
        engine.dispose()
