"""Fixtures of the credit pool's console tests: a small demo world (60 SMEs, 2021–2025) run
through the service on SQLite, a client signed in per role, and for the browser tests the app
served by uvicorn with Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from gzcreditpool.demo import world
from gzcreditpool.demo.run import DemoRun, simulate

SAME_ORIGIN = {"Origin": "http://testserver"}
PASSWORD = "demo-password"
CHROMIUM = "/usr/bin/chromium"
BANK_USER = f"{world.BANKS[0][1]}操作员"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    database = tmp_path_factory.mktemp("pool") / "pool.sqlite"
    run = simulate(f"sqlite:///{database}", world.build(60, seed=7))
    yield run
    run.close()


def signed_in(run: DemoRun, name: str) -> TestClient:
    """A client of the app signed in through the password form as ``name``."""
    client = TestClient(run.client.app)
    answer = client.post(
        "/console/login",
        data={"name": name, "password": PASSWORD},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def submit(client: TestClient, page: str, action: str, **fields: str) -> Any:
    """Post a form of ``page`` as a browser would: its origin and the page's form token."""
    html = client.get(page).text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert token is not None, f"no form on {page}"
    return client.post(action, data={"csrf_token": token[1], **fields}, headers=SAME_ORIGIN)


# ---- browser tests --------------------------------------------------------------------------


def require_browser() -> None:
    """Skip without chromium or Playwright, unless GZVPP_REQUIRE_BROWSER=1."""
    required = os.environ.get("GZVPP_REQUIRE_BROWSER") == "1"
    if not Path(CHROMIUM).exists():
        if required:
            raise RuntimeError(f"GZVPP_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"no chromium at {CHROMIUM}", allow_module_level=True)
    pytest.importorskip("playwright.sync_api")


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


def open_signed_in(
    browser: Any, base_url: str, name: str, viewport: tuple[int, int], blocked: list[str]
) -> Any:
    """A page of a fresh context of ``viewport`` signed in with the password form; what the
    browser refuses under the Content-Security-Policy is appended to ``blocked``."""
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
    page.goto("/console/login")
    page.fill("#password-sign-in input[name=name]", name)
    page.fill("#password-sign-in input[name=password]", PASSWORD)
    page.click("#password-sign-in button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
