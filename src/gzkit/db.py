"""The database: engines, sessions, one transaction per request, and migrations, for every
system (each describes its own database with a :class:`DatabaseConfig`).

The services are synchronous on purpose: SQLAlchemy's sync ``Session`` is simpler to reason about,
FastAPI runs sync endpoints in its thread pool, and the demo drives the app in-process.

A request holds one pooled connection from its first query until its transaction ends, across
several thread-pool hops (dependencies, the endpoint, the commit). So that requests never wait on
each other for connections, an admission middleware lets in at most
:meth:`DatabaseConfig.request_capacity` requests at a time, fewer than the pool holds; the rest
of the pool is kept for the system's background work.

On SQLite, writers take the write lock when their transaction begins; :mod:`gzkit.sqlite` says
how and why.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Annotated, Any, TypeVar

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from fastapi import Depends, Request
from fastapi import Path as PathParameter
from psycopg.types.array import ListBinaryDumper
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Engine,
    Enum,
    Float,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    any_,
    create_engine,
    event,
    literal,
    pool,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import QueryableAttribute, Session, sessionmaker
from sqlalchemy.types import TypeDecorator, TypeEngine

from gzkit.clock import SystemClock
from gzkit.sqlite import READ_ONLY, SqliteConnection, configure_sqlite

DEFAULT_POOL_SIZE = 20

# Stable constraint names, so migrations can refer to them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


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


def make_engine(url: str, pool_size: int = DEFAULT_POOL_SIZE) -> Engine:
    """An engine for ``url`` with a fixed pool of ``pool_size`` connections (no overflow).

    SQLite gets foreign keys, WAL and a busy timeout, and its transactions begin ``IMMEDIATE``
    unless the connection carries the :data:`READ_ONLY` execution option.
    """
    options: dict[str, Any] = {
        "pool_size": pool_size,
        "max_overflow": 0,
        "pool_timeout": 30,
        "json_serializer": _json_text,
        "json_deserializer": orjson.loads,
    }
    if url.startswith("sqlite"):
        options["connect_args"] = {"factory": SqliteConnection}
    else:
        options["pool_pre_ping"] = True  # a server restart must not fail the next requests
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    elif engine.dialect.driver == "psycopg":
        event.listen(engine, "connect", _psycopg_binary_lists)
    return engine


def _json_text(value: Any) -> str:
    # orjson, not the standard library: audit, award and notification rows are written by the
    # ten thousand in one transaction, and their JSON took a tenth of a 20,000-bid ranking.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _psycopg_binary_lists(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.adapters.register_dumper(_BinaryList, ListBinaryDumper)


def make_sessionmaker(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit, so responses can be built from them.

    ``read_only`` sessions begin their transactions deferred on SQLite (see the module note);
    a write in one is still possible but may find the database locked.
    """
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False)


@contextmanager
def count_statements(engine: Engine, *, except_threads: str | None = None) -> Iterator[list[int]]:
    """The number of statements ``engine`` sends inside the block, in a one-element list
    (an executemany counts once): a measure of a code path that the machine's load does not
    change, for benchmarks and tests. ``except_threads`` leaves out the statements of threads
    whose names start with it (a background thread woken by the code path measured)."""
    count = [0]

    def one(*_: object) -> None:
        if except_threads is None or not threading.current_thread().name.startswith(except_threads):
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


def upgrade(url: str, migrations: Path) -> tuple[str | None, str | None]:
    """Bring the database at ``url`` to the newest of ``migrations`` (``alembic upgrade
    head``); the revision it was at (None: empty) and the one it is at now.

    The Alembic configuration lives here rather than in an ``alembic.ini`` so that it works from
    an installed package.
    """
    config = Config()
    config.set_main_option("script_location", str(migrations))
    # Passed as an attribute, not a main option: configparser would mangle '%' in passwords.
    config.attributes["url"] = url
    before = current_revision(url)
    command.upgrade(config, "head")
    return before, current_revision(url)


def current_revision(url: str) -> str | None:
    """The migration the database at ``url`` is at (None for an empty database)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


T = TypeVar("T")


@dataclass(frozen=True)
class DatabaseConfig:
    """One system's database: where it is, how large its pool is, and its migrations.

    Parameters
    ----------
    env_prefix : str
        Prefix of the environment variables: ``<prefix>_DATABASE_URL`` (the URL) and
        ``<prefix>_DB_POOL_SIZE`` (connections per engine).
    default_url : str
        The URL when neither an argument nor the environment names one (an embedded SQLite).
    migrations : Path
        The system's Alembic script directory.
    background_connections : int
        Connections kept out of the requests' reach, for the system's background threads.
    """

    env_prefix: str
    default_url: str
    migrations: Path
    background_connections: int = 0

    @property
    def url_env(self) -> str:
        """The environment variable holding the database URL."""
        return f"{self.env_prefix}_DATABASE_URL"

    @property
    def pool_size_env(self) -> str:
        """The environment variable holding the pool size."""
        return f"{self.env_prefix}_DB_POOL_SIZE"

    def resolve_url(self, url: str | None = None) -> str:
        """``url``, else the environment's, else :attr:`default_url`."""
        return url or os.environ.get(self.url_env) or self.default_url

    def pool_size(self) -> int:
        """Connections per engine: the environment's, default 20 (no overflow beyond it)."""
        configured = int(os.environ.get(self.pool_size_env, DEFAULT_POOL_SIZE))
        return max(self.background_connections + 1, configured)

    def request_capacity(self) -> int:
        """How many requests may hold a connection at once: the pool less the background's."""
        return self.pool_size() - self.background_connections

    def make_engine(self, url: str | None = None) -> Engine:
        """:func:`make_engine` for :meth:`resolve_url` with :meth:`pool_size`."""
        return make_engine(self.resolve_url(url), self.pool_size())

    def upgrade(self, url: str | None = None) -> tuple[str | None, str | None]:
        """:func:`upgrade` of the database at :meth:`resolve_url` to the newest migration."""
        return upgrade(self.resolve_url(url), self.migrations)

    def current_revision(self, url: str | None = None) -> str | None:
        """The migration the database at :meth:`resolve_url` is at."""
        return current_revision(self.resolve_url(url))

    def run_migrations(
        self, metadata: MetaData, include_name: Callable[..., bool] | None = None
    ) -> None:
        """What a system's Alembic ``env.py`` does: run its migrations on the URL
        :meth:`upgrade` passed (else :meth:`resolve_url`'s), comparing against ``metadata``
        (only the objects ``include_name`` accepts, if given); batch mode on SQLite (copy and
        swap a table; write later ALTERs with ``op.batch_alter_table`` so one migration works
        on both databases). Offline (``--sql``) migrations are refused."""
        from alembic import context

        if context.is_offline_mode():
            program = self.env_prefix.lower()
            raise RuntimeError(
                f"offline (--sql) migrations are not supported; run {program} db upgrade"
            )
        url = self.resolve_url(context.config.attributes.get("url"))
        engine = create_engine(url, poolclass=pool.NullPool)
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                include_name=include_name,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()

    def in_database(self, url: str | None, work: Callable[[Session, dt.datetime], T]) -> T:
        """Run ``work`` (given a session and the system clock's time) in one transaction on
        the migrated database at ``url``: what the command lines' database commands do."""
        self.upgrade(url)
        engine = self.make_engine(url)
        try:
            with session_scope(make_sessionmaker(engine)) as session:
                return work(session, SystemClock().now())
        finally:
            engine.dispose()


# Parameters in one statement: SQLite's limit since 3.32.
MAX_PARAMETERS = 32_766
#: Ids per ``IN`` list on SQLite: well inside :data:`MAX_PARAMETERS`, whatever else is bound.
IDS_PER_QUERY = 500


class _BinaryList(list[Any]):
    """A list that psycopg sends as an array in binary format, on an engine of
    :func:`make_engine`: each element dumped in C, where a list sent as text goes through a
    regular expression in Python per element (20,000 ids: 0.033 s of CPU against 0.005 s)."""


class _BinaryArray(TypeDecorator[Any]):
    """``ARRAY`` of ``item_type`` whose bound values go to the driver as :class:`_BinaryList`
    (a type decorator: the dialect puts its own class in place of an ``ARRAY`` subclass)."""

    impl = ARRAY
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any]:
        process = super().bind_processor(dialect)
        assert process is not None  # ARRAY always has one
        return lambda value: _BinaryList(process(value))


def in_ids(
    session: Session, column: ColumnElement[Any] | QueryableAttribute[Any], ids: Sequence[Any]
) -> list[ColumnElement[bool]]:
    """Conditions selecting the rows whose ``column`` is one of ``ids``, one per query to
    send, none for no ids. On PostgreSQL one ``column = ANY(array)``: a single parameter
    however many ids, where psycopg would parse a list of placeholders in every query
    (20,000 bidders: about a second of CPU), sent in binary format (:class:`_BinaryList`).
    Elsewhere ``column IN (…)`` of
    :data:`IDS_PER_QUERY` ids each, inside SQLite's bound-parameter limit."""
    if not ids:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return [column == any_(literal(list(ids), _BinaryArray(column.type)))]
    return [
        column.in_(ids[start : start + IDS_PER_QUERY])
        for start in range(0, len(ids), IDS_PER_QUERY)
    ]


def bulk_insert(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    binary_types: Sequence[str] | None = None,
) -> None:
    """Insert ``rows`` (tuples of plain values in ``columns``' order: text, numbers, booleans,
    dates; an enum as its value) into ``table`` through the driver, in the session's
    transaction: for hundreds of thousands of rows, where per-value type processing would cost
    more than the writing. On PostgreSQL by ``COPY``, its fastest way in (18,000 audit rows:
    half the time of an executemany), in binary format where ``binary_types`` names each
    column's psycopg type (see :func:`insert_rows`). Nothing is audited or validated here.

    On SQLite many rows go in each statement (``VALUES (…), (…), …``), not one statement per
    row (``executemany``): SQLite gives every statement that a trigger may abort a statement
    journal of its own, copying each page the statement changes, so where a table has
    triggers a statement per row took 2.5 times as long (100,000 run lines: 3.6 s of CPU
    against 1.5 s; the same as without the triggers)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection, f"COPY {table} ({', '.join(columns)}) FROM STDIN", rows, binary_types)
        return
    one = f"({', '.join('?' for _ in columns)})"
    into = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    per_statement = max(MAX_PARAMETERS // len(columns), 1)
    for start in range(0, len(rows), per_statement):
        part = rows[start : start + per_statement]
        # Through the engine's events, so that count_statements sees each statement.
        connection.exec_driver_sql(
            into + ", ".join([one] * len(part)), tuple(chain.from_iterable(part))
        )


def _copy(
    connection: Connection,
    sql: str,
    rows: Sequence[Sequence[Any]],
    binary_types: Sequence[str] | None,
) -> None:
    """``COPY … FROM STDIN`` of ``rows`` by psycopg, in binary format with ``binary_types``,
    announced to the engine's listeners as a statement so that :func:`count_statements` sees
    it."""
    if binary_types is not None:
        sql += " (FORMAT BINARY)"
    cursor = connection.connection.cursor()
    try:
        connection.dispatch.before_cursor_execute(connection, cursor, sql, rows, None, True)
        with cursor.copy(sql) as copy:
            if binary_types is not None:
                copy.set_types(binary_types)
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def bulk_update(session: Session, table: str, key: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Update the rows of ``table`` named by ``key``: each of ``rows`` maps ``key`` and the
    columns to set (the first row's columns, the same in every row) to plain values, as for
    :func:`bulk_insert`; through the driver's ``executemany``, in the session's transaction.
    Objects of those rows already in the session are not refreshed; nothing is audited."""
    if not rows:
        return
    columns = [column for column in rows[0] if column != key]
    _update(session, table, key, columns, [[row[c] for c in columns] + [row[key]] for row in rows])


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` by :func:`bulk_insert` (``COPY`` on PostgreSQL, multi-row
    INSERTs on SQLite), in the session's transaction: each row maps the same columns (the first
    row's) to values as the ORM takes them (Decimal, datetime, enum members, JSON-able values),
    converted by each column's type.

    For the tens of thousands of rows of one transaction (a ranking's awards, plans and audit
    rows), where SQLAlchemy's handling of each row's parameters costs more than the writing:
    the values are converted a column at a time. What is stored is what a Core INSERT of the
    same rows stores. A column left out takes its server default; leaving out one with a
    Python-side default is an error, since nothing here would apply it.
    """
    if not rows:
        return
    columns = list(rows[0])
    defaulted = sorted(c.name for c in table.columns if c.name not in columns and c.default)
    if defaulted:
        raise ValueError(f"insert_rows into {table.name} leaves out {', '.join(defaulted)}")
    stored = _stored(session, table, columns, rows, copy=True)
    binary = None
    if session.connection().dialect.name == "postgresql":
        binary = _binary_types(table, columns, stored)
    bulk_insert(session, table.name, columns, stored, binary_types=binary)


# For COPY in binary format: psycopg's type for a column type, and the Python types of the
# values its binary dumper takes (JSON columns get their text, see _stored; the server reads
# each field by the column's own type, so text serves every string column). The first match
# counts: Float before Numeric, BigInteger before Integer, which they subclass.
_BINARY_TYPES: tuple[tuple[type[TypeEngine[Any]], str, frozenset[type]], ...] = (
    (JSON, "text", frozenset({str})),
    (Boolean, "bool", frozenset({bool})),
    (BigInteger, "int8", frozenset({int})),
    (SmallInteger, "int2", frozenset({int})),
    (Integer, "int4", frozenset({int})),
    (Float, "float8", frozenset({float})),
    (Numeric, "numeric", frozenset({Decimal})),
    (DateTime, "timestamp", frozenset({dt.datetime})),
    (Date, "date", frozenset({dt.date})),
    (String, "text", frozenset({str})),
)


def _binary_types(
    table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[str] | None:
    """psycopg's type of each column for ``COPY`` in binary format (18,000 audit rows: half
    the time as text, the server parsing no timestamps or numbers, psycopg dumping in C); None
    when a column's type or one of its values is not one :data:`_BINARY_TYPES` covers, and the
    rows go as text."""
    names: list[str] = []
    for i, name in enumerate(columns):
        kind = table.c[name].type
        match = next((m for m in _BINARY_TYPES if isinstance(kind, m[0])), None)
        # jsonb's binary form is not its text (a version byte comes first).
        if (
            match is None
            or isinstance(kind, JSONB)
            or (isinstance(kind, DateTime) and kind.timezone)
        ):
            return None
        if not set(map(type, map(itemgetter(i), rows))) <= match[2] | {type(None)}:
            return None
        names.append(match[1])
    return names


def update_rows(
    session: Session, table: Table, key: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """:func:`bulk_update` of rows holding values as the ORM takes them, converted by each
    column's type as in :func:`insert_rows`. On PostgreSQL one ``UPDATE … FROM unnest(…)`` of
    the columns as arrays, not a statement per row."""
    if not rows:
        return
    columns = [column for column in rows[0] if column != key]
    stored = _stored(session, table, [*columns, key], rows)
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        _update(session, table.name, key, columns, stored)
        return
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    names = [quote(name) for name in [*columns, key]]
    # %b: each array in psycopg's binary format, dumped in C; as text (%s) every element went
    # through Python (20,000 bids' standing: 0.19 s of CPU against 0.07 s).
    arrays = ", ".join(f"%b::{table.c[name].type.compile(dialect)}[]" for name in [*columns, key])
    assignments = ", ".join(f"{name} = v.{name}" for name in names[:-1])
    connection.exec_driver_sql(
        f"UPDATE {quote(table.name)} SET {assignments} FROM unnest({arrays}) "
        f"AS v({', '.join(names)}) WHERE {quote(table.name)}.{names[-1]} = v.{names[-1]}",
        tuple(list(values) for values in zip(*stored, strict=True)),
    )


def _update(
    session: Session, table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Set ``columns`` of the rows named by ``key``: each of ``rows`` holds their values, then
    the key's."""
    assignments = ", ".join(f"{column} = {{mark}}" for column in columns)
    _executemany(session, f"UPDATE {table} SET {assignments} WHERE {key} = {{mark}}", rows)


def _stored(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    copy: bool = False,
) -> list[tuple[Any, ...]]:
    """``rows`` as tuples of ``columns``' values in the form the driver takes, each column's
    converted by its type's bind processor for the session's database. ``copy``: for
    :func:`bulk_insert`, which on PostgreSQL sends text (``COPY``), so JSON goes as the text
    the engine's serializer makes, as on SQLite, rather than wrapped for psycopg's JSON
    dumper: the same bytes, by psycopg's dumper of text, written in C, instead of a Python
    call per value (54,000 values in a 20,000-bid ranking)."""
    dialect = session.connection().dialect
    values: list[list[Any]] = []
    for name in columns:
        column = [row[name] for row in rows]
        kind = table.c[name].type.dialect_impl(dialect)
        if copy and isinstance(kind, JSON):
            # The generic JSON type's processor (the engine's serializer), not psycopg's.
            process = JSON.bind_processor(kind, dialect)  # type: ignore[no-untyped-call]
        else:
            process = kind.bind_processor(dialect)
        values.append([process(value) for value in column] if process else column)
    return list(zip(*values, strict=True))


def _executemany(session: Session, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """``sql`` (with ``{mark}`` for each parameter) for each of ``rows`` by the driver; through
    the engine's events, so that :func:`count_statements` sees it."""
    if not rows:
        return
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    # SQLAlchemy takes only tuples (or mappings) as the rows of an executemany.
    connection.exec_driver_sql(sql.replace("{mark}", mark), [tuple(row) for row in rows])


# A row id in a path: a larger number is no row, answered 422 before any query (SQLite cannot
# take a 64-bit overflow, PostgreSQL an int4 one).
RowId = Annotated[int, PathParameter(ge=1, le=MAX_ROW_ID, description="A row id.")]
