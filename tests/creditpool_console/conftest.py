"""Fixtures of the credit pool's console tests: a small demo world (60 SMEs, 2021–2025) run
through the service on SQLite, a client signed in per role, and for the browser tests the app
served by uvicorn with Debian's chromium driven by Playwright."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from cpcon_helpers import CHROMIUM

from gzcreditpool.demo import world
from gzcreditpool.demo.run import DemoRun, simulate


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    database = tmp_path_factory.mktemp("pool") / "pool.sqlite"
    run = simulate(f"sqlite:///{database}", world.build(60, seed=7))
    yield run
    run.close()


# ---- browser tests --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(demo_run: DemoRun) -> Iterator[str]:
    """The app served by uvicorn in a background thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(demo_run.client.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield launched
        launched.close()
