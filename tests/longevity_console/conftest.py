"""Fixtures of the longevity console tests: the app on a fresh SQLite file with a simulated
clock and a small world (:mod:`lcon_world`), a signed-in client for page tests, and for the
browser tests the app served by uvicorn and Debian's chromium driven by Playwright."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lcon_world import World, build

from gzkit.clock import SimulatedClock
from gzkit.testing import chromium, new_page, served
from gzkit.testing import require_browser as require_browser  # the test modules import it here
from gzlongevity.app import create_app

SAME_ORIGIN = {"Origin": "http://testserver"}
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
BLOCKED: list[str] = []  # what chromium refused under the Content-Security-Policy


@pytest.fixture(scope="module")
def lcon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, World]]:
    path = tmp_path_factory.mktemp("lcon") / "gzlongevity.sqlite"
    clock = SimulatedClock(__import__("datetime").datetime(2021, 8, 2, 9))
    app = create_app(database_url=f"sqlite:///{path}", clock=clock)
    yield app, build(app, clock)
    app.state.engine.dispose()


def signed_in(app: FastAPI, token: str) -> TestClient:
    """A client signed in with ``token`` through the sign-in form."""
    client = TestClient(app)
    response = client.post(
        "/console/login", data={"token": token}, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client


def form_token(client: TestClient, page: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(page).text)
    assert found is not None, f"no form on {page}"
    return found[1]


@pytest.fixture(scope="module")
def lcon_url(lcon: tuple[FastAPI, World]) -> Iterator[str]:
    """The app served by uvicorn in a background thread."""
    with served(lcon[0]) as url:
        yield url


@pytest.fixture(scope="module")
def lcon_browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def open_page(
    browser: Any, base_url: str, viewport: tuple[int, int], token: str | None = None
) -> Any:
    """A fresh context of ``viewport``; signed in with ``token`` through the token form."""
    page = new_page(browser, base_url, viewport, BLOCKED)
    if token is not None:
        page.goto("/console/login")
        page.click("details.token-sign-in summary")
        page.fill("#token-sign-in input[name=token]", token)
        page.click("#token-sign-in button[type=submit]")
        page.wait_for_load_state("networkidle")
    return page


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"longevity-{name}.png"), full_page=True)


def fits(page: Any, width: int) -> bool:
    """No horizontal scrolling at ``width`` (2 px of tolerance)."""
    scroll: int = page.evaluate("document.documentElement.scrollWidth")
    return scroll <= width + 2
