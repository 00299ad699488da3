"""PostgreSQL advisory locks: work that one process at a time may do when several serve.

A system served by N processes on one PostgreSQL database (``gzvpp serve --workers N``) has
work that must not run in all of them at once. Each system names its locks with an
:class:`AdvisoryLock` (the first key its namespace, the second the member); gzvpp's:

- the scheduler (closing bidding, ranking, the plan) runs in one *elected* process:
  :class:`Leadership` holds a session-level lock (``pg_try_advisory_lock``) on a connection of
  its own for as long as the process lives. PostgreSQL releases the lock when that connection
  ends, so when the process dies (even ``kill -9``) another one takes it at its next try;
- the OpenADR relay runs in whichever process gets there first: :func:`try_transaction_lock`
  takes a lock that its transaction's end releases, and a process that finds it taken skips
  that round;
- changes to the monthly partitions of ``meter_days`` (an upload adding a month, an archive
  detaching one) and evaluations (background jobs, :mod:`gzvpp.jobs`) wait their turn:
  :func:`transaction_lock` blocks until the lock is free and holds it until the transaction
  ends.

SQLite serves one process, where every lock is always had.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os

from sqlalchemy import Connection, Engine, create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

# A dead client's connection is noticed by the server within about 10 + 3 × 5 s (TCP
# keepalives), so a leader on a machine that lost power or network is replaced too.
KEEPALIVES = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"

log = logging.getLogger(__name__)


class AdvisoryLock(enum.IntEnum):
    """Base of a system's locks: each member is the second of the two 32-bit keys (which work
    the lock is for), :meth:`namespace` the first (whose)."""

    @classmethod
    def namespace(cls) -> int:
        """The first key of every lock of the system."""
        raise NotImplementedError


def is_postgres(engine: Engine) -> bool:
    """Whether ``engine`` is on PostgreSQL (where several processes may serve)."""
    return engine.dialect.name == "postgresql"


def try_transaction_lock(session: Session, lock: AdvisoryLock) -> bool:
    """Take ``lock`` until ``session``'s transaction ends; False if another holds it now.

    Always True on SQLite, which serves one process.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(lock.namespace(), int(lock)))))


def transaction_lock(session: Session, lock: AdvisoryLock) -> None:
    """Wait for ``lock`` and hold it until ``session``'s transaction ends.

    Nothing to do on SQLite, where a writing transaction already excludes every other writer.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(lock.namespace(), int(lock))))


def is_held(session: Session, lock: AdvisoryLock) -> bool:
    """Whether some process holds the session-level ``lock`` on this database now; on the
    scheduler's lock: whether a service is running here. Always False on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    held = session.scalar(
        text(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = :namespace AND objid = :lock AND objsubid = 2)"
        ),
        {"namespace": lock.namespace(), "lock": int(lock)},
    )
    return bool(held)


class Leadership:
    """The election of one process for ``lock``, by a session-level advisory lock held on a
    dedicated connection to ``engine``'s database (outside its pool, in autocommit, so it never
    sits idle in a transaction).

    Call :meth:`holds` before each run of the work: it takes the lock if it is free, checks
    that the connection holding it is still alive, and says whether this process may work.
    The connection is named ``<system>-<work> pid=<pid>`` in ``pg_stat_activity``.
    """

    def __init__(self, engine: Engine, lock: AdvisoryLock, system: str) -> None:
        self.lock = lock
        self.application_name = f"{system}-{lock.name.lower()} pid={os.getpid()}"
        self._engine = create_engine(
            engine.url,
            poolclass=NullPool,
            connect_args={
                "application_name": self.application_name,
                "options": KEEPALIVES,
                "connect_timeout": 10,
            },
        )
        self._connection: Connection | None = None

    def holds(self) -> bool:
        """Whether this process holds the lock now, taking it if it is free."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except DBAPIError:
                log.warning("%s: lost the connection holding the lock", self.application_name)
                self._close()
        try:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except DBAPIError:
            log.warning("%s: cannot reach the database", self.application_name, exc_info=True)
            return False
        try:
            taken = connection.scalar(
                select(func.pg_try_advisory_lock(self.lock.namespace(), int(self.lock)))
            )
        except DBAPIError:
            connection.close()
            log.warning("%s: could not ask for the lock", self.application_name, exc_info=True)
            return False
        if not taken:
            connection.close()
            return False
        log.info("%s: elected to do the %s work", self.application_name, self.lock.name)
        self._connection = connection
        return True

    def release(self) -> None:
        """Give the lock up (closing its connection), e.g. when the process stops."""
        self._close()
        self._engine.dispose()

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(DBAPIError):  # already gone: so is the lock
                connection.close()
