"""SQLite writers of one process queue on a lock of the process (gzkit.sqlite), not on SQLite's
polling busy handler: the lock is the database file's, held from BEGIN IMMEDIATE until the
transaction ends however it ends, and read-only transactions never take it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from gzkit.db import make_engine, make_sessionmaker, session_scope


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'writers.sqlite'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    engine.dispose()
    return url


def _lock(engine):  # the writer lock the engine's connections share
    with engine.connect() as connection:
        return connection.connection.dbapi_connection.writers


def test_engines_on_one_file_share_the_lock_and_a_commit_frees_it(url: str) -> None:
    first, second = make_engine(url), make_engine(url)
    lock = _lock(first)
    assert _lock(second) is lock
    with first.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        assert lock.locked()
    assert not lock.locked()
    first.dispose()
    second.dispose()


def test_a_waiting_writer_goes_as_soon_as_the_other_commits(url: str) -> None:
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    began = threading.Event()
    order: list[str] = []

    def other() -> None:
        began.wait()
        with session_scope(factory) as session:
            session.execute(text("INSERT INTO t VALUES (2)"))
            order.append("second")

    thread = threading.Thread(target=other)
    thread.start()
    with session_scope(factory) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        began.set()
        time.sleep(0.2)  # the other writer is waiting now
        order.append("first")
    thread.join(5)
    assert order == ["first", "second"]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM t ORDER BY rowid")).scalars().all() == [1, 2]
    engine.dispose()


def test_rollback_and_a_failed_statement_free_the_lock(url: str) -> None:
    engine = make_engine(url)
    lock = _lock(engine)
    factory = make_sessionmaker(engine)
    with pytest.raises(OperationalError), session_scope(factory) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        session.execute(text("INSERT INTO no_such_table VALUES (1)"))
    assert not lock.locked()
    with factory() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        assert lock.locked()
    assert not lock.locked()  # closing the session rolled back
    engine.dispose()


def test_readers_do_not_take_the_lock(url: str) -> None:
    engine = make_engine(url)
    lock = _lock(engine)
    with make_sessionmaker(engine, read_only=True)() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 0
        assert not lock.locked()
    engine.dispose()
