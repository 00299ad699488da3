"""Helpers every system's tests share: a throwaway PostgreSQL database, and an app served by
uvicorn in a background thread for browser tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def throwaway_postgres(server_url: str, prefix: str) -> Iterator[str]:
    """A new, uniquely named database on the PostgreSQL server at ``server_url``, dropped
    afterwards; its URL (password included).

    Raises
    ------
    sqlalchemy.exc.OperationalError
        The server cannot be reached (the caller decides whether to skip or fail).
    """
    server = make_url(server_url)
    name = f"{prefix}_{uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(app: object, start_timeout_s: float = 20) -> Iterator[str]:
    """``app`` served by uvicorn on a free local port in a daemon thread; its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")  # type: ignore[arg-type]
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
