"""What the credit pool's console tests share besides fixtures: signing in through the form,
posting a page's form as a browser would, and the browser helpers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from gzcreditpool.demo import world
from gzcreditpool.demo.run import DemoRun
from gzkit.testing import new_page
from gzkit.testing import require_browser as require_browser  # the test modules import it here

SAME_ORIGIN = {"Origin": "http://testserver"}
PASSWORD = "demo-password"
BANK_USER = f"{world.BANKS[0][1]}操作员"
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


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


def open_signed_in(
    browser: Any, base_url: str, name: str, viewport: tuple[int, int], blocked: list[str]
) -> Any:
    """A page of a fresh context of ``viewport`` signed in with the password form; what the
    browser refuses under the Content-Security-Policy is appended to ``blocked``."""
    page = new_page(browser, base_url, viewport, blocked)
    page.goto("/console/login")
    page.fill("#password-sign-in input[name=name]", name)
    page.fill("#password-sign-in input[name=password]", PASSWORD)
    page.click("#password-sign-in button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
