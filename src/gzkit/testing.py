"""Helpers every system's tests share: a test module's database on SQLite or on a throwaway
PostgreSQL database, an app served by uvicorn in a background thread, and Debian's chromium
driven by Playwright for the browser tests.

``GZVPP_TEST_POSTGRES_URL`` names the PostgreSQL server (default the local one, user postgres);
without it a PostgreSQL test is skipped, unless ``GZVPP_REQUIRE_POSTGRES=1`` (CI: a skip would
hide the gap). Without chromium or Playwright a browser test module is skipped, unless
``GZVPP_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

POSTGRES_URL = os.environ.get(
    "GZVPP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# The params of a module's database fixture: each test module runs on both.
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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


@contextmanager
def module_database(
    backend: str, tmp_path_factory: pytest.TempPathFactory, prefix: str
) -> Iterator[str]:
    """A new, empty database of ``backend`` (one of :data:`DATABASES`): a SQLite file, or a
    uniquely named PostgreSQL database on :data:`POSTGRES_URL`, dropped afterwards; its URL."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / f'{prefix}.sqlite'}"
        return
    try:
        with throwaway_postgres(POSTGRES_URL, prefix) as url:
            yield url
    except OperationalError as err:
        where = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        if os.environ.get("GZVPP_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"no PostgreSQL at {where}: {err}")
        pytest.skip(f"no PostgreSQL at {where}: {err}")


def database_fixture(name: str, prefix: str) -> Any:
    """A module-scoped pytest fixture ``name`` giving each test module a new, empty database
    on each of :data:`DATABASES` (:func:`module_database`); bind it in a conftest as
    ``name = database_fixture("name", "prefix")``."""

    @pytest.fixture(scope="module", params=DATABASES, name=name)
    def database(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[str]:
        with module_database(request.param, tmp_path_factory, prefix) as url:
            yield url

    return database


def require_browser() -> None:
    """Skip the calling test module without chromium or Playwright, unless
    ``GZVPP_REQUIRE_BROWSER=1`` (then their absence is an error)."""
    required = os.environ.get("GZVPP_REQUIRE_BROWSER") == "1"
    if not Path(CHROMIUM).exists():
        if required:
            raise RuntimeError(f"GZVPP_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"no chromium at {CHROMIUM}", allow_module_level=True)
    if required:
        import playwright.sync_api  # noqa: F401
    else:
        pytest.importorskip("playwright.sync_api")


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, launched by Playwright."""
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_page(browser: Any, base_url: str, viewport: tuple[int, int], blocked: list[str]) -> Any:
    """A page of a fresh browser context of ``viewport`` (width, height) at ``base_url``; what
    the browser refuses under the Content-Security-Policy is appended to ``blocked``."""
    width, height = viewport
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": height}, locale="zh-CN"
    )
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page


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
