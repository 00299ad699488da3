"""SQLite as the services use it: pragmas, transactions that write begun ``IMMEDIATE``, and the
process's writer lock.

A transaction that writes takes SQLite's write lock when it begins (``BEGIN IMMEDIATE``), so
concurrent writers queue instead of failing with "database is locked" when a read transaction
tries to become a write one; reads (GET requests) begin deferred and run beside the writer under
WAL. Writers of one process queue on a lock of the process (one per database file) before they
ask SQLite: SQLite's busy handler polls, sleeping up to 100 ms between tries, so under many
concurrent writers the write lock stood free while every waiter slept. The busy timeout still
orders writers of different processes (a command line beside the server).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

from sqlalchemy import Connection, Engine, event

READ_ONLY = "read_only_transactions"  # execution option: this connection's transactions only read
SQLITE_BUSY_TIMEOUT_MS = 30_000


def configure_sqlite(engine: Engine) -> None:
    """Pragmas on every connection of ``engine`` and its transactions begun by
    :func:`_sqlite_begin`; its connections must be :class:`SqliteConnection` (``connect_args``
    ``factory``)."""
    writers = _writer_lock(engine.url.database)
    event.listen(engine, "connect", lambda dbapi, _: setattr(dbapi, "writers", writers))
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)


_WRITER_LOCKS: dict[str, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def _writer_lock(database: str | None) -> threading.Lock:
    # One lock per database file for every engine of the process; an in-memory database is
    # the engine's own.
    if not database or database == ":memory:" or database.startswith("file:"):
        return threading.Lock()
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(os.path.realpath(database), threading.Lock())


class SqliteConnection(sqlite3.Connection):
    """A pysqlite connection that holds its process's writer lock (``writers``, set on
    connect) from ``BEGIN IMMEDIATE`` until its transaction ends."""

    writers: threading.Lock
    writing = False

    def start_writing(self) -> None:
        if not self.writers.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            raise sqlite3.OperationalError("database is locked")
        self.writing = True

    def stop_writing(self) -> None:
        if self.writing:
            self.writing = False
            self.writers.release()

    def commit(self) -> None:
        super().commit()  # a failed commit leaves the transaction open, for the rollback
        self.stop_writing()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.stop_writing()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.stop_writing()


def _sqlite_begin(connection: Connection) -> None:
    # pysqlite's own implicit BEGIN is switched off in _sqlite_pragmas; this is the only one.
    if connection.get_execution_options().get(READ_ONLY, False):
        connection.exec_driver_sql("BEGIN")
        return
    dbapi = connection.connection.dbapi_connection
    assert isinstance(dbapi, SqliteConnection)
    dbapi.start_writing()
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        dbapi.stop_writing()
        raise


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
