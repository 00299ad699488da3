"""Fixtures for the console tests: the app on a fresh SQLite file with a simulated clock,
helpers that enrol participants, issue tokens and upload meter data through the service, and
for the browser tests the app served by uvicorn and Debian's chromium driven by Playwright."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from gzkit.clock import SimulatedClock
from gzkit.db import session_scope
from gzkit.testing import chromium, new_page, served
from gzkit.testing import require_browser as require_browser  # the test modules import it here
from gzvpp.app import create_app
from gzvpp.kit.auth import create_user
from gzvpp.kit.policy import PUBLICITY_ENV
from gzvpp.models import Role

# What a browser sends with a form posted from the console's own page (TestClient's origin).
SAME_ORIGIN = {"Origin": "http://testserver"}
# D-1 of a Tuesday response day, before the day-ahead publication deadline (09:00).
START = dt.datetime(2025, 6, 30, 8, 0)
DAY = dt.date(2025, 7, 1)  # the browser tests' response day, a Tuesday
HISTORY = [dt.date(2025, 6, 1) + dt.timedelta(days=k) for k in range(29)]  # to 06-29
INTERVALS = [dt.timedelta(minutes=15 * k) for k in range(96)]
HAIZHU = "海珠站"
BIDDERS = 24  # power users; with the aggregator more than a page (20) of bids and awards
MEMBERS = 21  # the aggregator's accounts, more than a page
UPLOAD_LIMIT = 100_000  # readings the API takes in one request
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
_numbers = itertools.count(1)
# Tests move the simulated clock ahead; their tokens must not expire on the way.
LONG_LIVED = dt.datetime(2100, 1, 1)
NAMES = {
    Role.GRID_OPERATOR: "调度员张工",
    Role.REGULATOR: "市工信局李科",
    Role.AGGREGATOR: "聚合商操作员",
    Role.POWER_USER: "用户操作员",
}


class Platform:
    """The app, its clock, a client and helpers to set up participants and tokens."""

    def __init__(self, app: FastAPI, clock: SimulatedClock) -> None:
        self.app, self.clock = app, clock
        self.client = TestClient(app)
        self.grid_token = self.token(Role.GRID_OPERATOR)
        self.regulator_token = self.token(Role.REGULATOR)
        self.grid = bearer(self.grid_token)
        self.regulator = bearer(self.regulator_token)

    def token(self, role: Role, participant_id: str | None = None, name: str = "") -> str:
        """A new user's token (what ``gzvpp user add`` prints)."""
        with session_scope(self.app.state.sessionmaker) as session:
            _, token = create_user(
                session,
                name=name or NAMES[role],
                role=role,
                participant_id=participant_id,
                at=self.clock.now(),
                expires_at=LONG_LIVED,
            )
        return token

    def sign_in(self, token: str) -> None:
        """Sign the client in with ``token`` through the sign-in form (the cookie stays)."""
        self.client.cookies.clear()
        response = self.client.post(
            "/console/login", data={"token": token}, headers=SAME_ORIGIN, follow_redirects=False
        )
        assert response.status_code == 303, response.text

    def submit(self, page: str, action: str, **fields: str) -> Response:
        """Post the form with ``action`` on ``page`` as a browser would: from the page's origin,
        with the form's hidden ``csrf_token``."""
        html = self.client.get(page).text
        form = re.search(
            rf'<form method="post" action="{re.escape(action)}"[^>]*>\s*'
            r'<input type="hidden" name="csrf_token" value="([0-9a-f]+)">',
            html,
        )
        assert form is not None, f"no form posting to {action} on {page}"
        return self.client.post(action, data={"csrf_token": form[1], **fields}, headers=SAME_ORIGIN)

    def post(self, action: str, **fields: str) -> Response:
        """Post ``fields`` to ``action`` as the signed-in browser would: from the page's origin,
        with the session's form token (any form of the console carries it)."""
        html = self.client.get("/console/overview").text
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
        assert token is not None, "no console form on the overview"
        return self.client.post(
            action, data={"csrf_token": token[1], **fields}, headers=SAME_ORIGIN
        )

    def event(self, start: str, end: str) -> str:
        """A fixed-price (3 CNY/kWh) day-ahead peak event of 1000 kW created through the API;
        its id."""
        body = {
            "direction": "peak",
            "mode": "day_ahead",
            "start_at": start,
            "end_at": end,
            "demand_kw": "1000",
            "price_mode": "fixed",
            "fixed_price": "3",
        }
        response = self.client.post("/api/events", json=body, headers=self.grid)
        assert response.status_code == 201, response.text
        event_id: str = response.json()["id"]
        return event_id

    def enrol(self, body: dict[str, Any], *, activate: bool = True) -> dict[str, Any]:
        """Enrol through the API (and take it to active); the detail."""
        response = self.client.post("/api/participants", json=body, headers=self.grid)
        assert response.status_code == 201, response.text
        detail: dict[str, Any] = response.json()
        if activate:
            for step, headers in (
                ("start-review", self.grid),
                ("pass-review", self.grid),
                ("clear-publicity", self.regulator),
                ("activate", self.grid),
            ):
                answer = self.client.post(
                    f"/api/participants/{detail['id']}/{step}", headers=headers
                )
                assert answer.status_code == 200, answer.text
        return detail


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def account_id() -> str:
    return f"0300{next(_numbers):08d}"


def power_user(station: str, name: str = "广州某钢铁厂", **overrides: Any) -> dict[str, Any]:
    """An eligible 大工业 power user's application of 800 kW at ``station``."""
    return {
        "kind": "user",
        "name": name,
        "account_id": account_id(),
        "general_taxpayer": True,
        "policy_compliant": True,
        "category": "large_industry",
        "capability_kw": "800",
        "max_load_kw": "5000",
        "response_duration_min": 60,
        "substation": station,
        "feeder": "F01",
        **overrides,
    }


def aggregator(station: str, name: str = "广州某负荷聚合商", members: int = 2) -> dict[str, Any]:
    """An eligible aggregator of ``members`` × 1000 kW members at ``station``."""
    return {
        "kind": "aggregator",
        "name": name,
        "general_taxpayer": True,
        "registered_in_guangzhou": True,
        "registered_capital_cny": "10000000",
        "member_list_on_file": True,
        "delegation_agreement_on_file": True,
        "members": [
            {
                "account_id": account_id(),
                "member_name": f"某商场{i + 1}",
                "capability_kw": "1000",
                "policy_compliant": True,
                "substation": station,
                "feeder": "F12",
            }
            for i in range(members)
        ],
    }


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    path: Path = tmp_path_factory.mktemp("console") / "gzvpp.sqlite"
    clock = SimulatedClock(START)
    with pytest.MonkeyPatch.context() as env:
        env.setenv(PUBLICITY_ENV, "0")  # Platform.enrol takes an application through 公示 at once
        app = create_app(database_url=f"sqlite:///{path}", clock=clock)
        yield Platform(app, clock)
    app.state.engine.dispose()


# ---- browser tests --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(platform: Platform) -> Iterator[str]:
    """The app served by uvicorn in a background thread."""
    with served(platform.app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


# What chromium reports refusing under the pages' Content-Security-Policy (inline script, a
# plotly feature the policy blocks …): the browser tests require it to stay empty.
BLOCKED: list[str] = []


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(
    browser: Any,
    base_url: str,
    token: str,
    name: str | None = None,
    viewport: tuple[int, int] = (1360, 900),
) -> Any:
    """A fresh browser context of ``viewport`` (width, height) signed in with ``token``; its
    page."""
    page = new_page(browser, base_url, viewport, BLOCKED)
    page.goto("/console/login")
    if name:
        shot(page, name)
    token_sign_in(page, token)
    page.wait_for_load_state("networkidle")
    return page


def token_sign_in(page: Any, token: str) -> None:
    """Sign in on the open sign-in page with an API token (its second section)."""
    page.click("details.token-sign-in summary")
    page.fill("#token-sign-in input[name=token]", token)
    page.click("#token-sign-in button[type=submit]")


def csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def system_load_csv(days: list[dt.date], peak_mw: float) -> bytes:
    """A daily shape peaking at ``peak_mw`` in the afternoon."""
    shape = 0.7 + 0.3 * np.sin(np.linspace(0, np.pi, 96)) ** 2
    shape /= shape.max()
    rows = [
        f"{dt.datetime.combine(day, dt.time()) + step:%Y-%m-%d %H:%M},{peak_mw * v:.1f}"
        for day in days
        for step, v in zip(INTERVALS, shape, strict=True)
    ]
    return csv("ts,mw", rows)


def meter_readings(accounts: dict[str, float], days: list[dt.date]) -> list[dict[str, Any]]:
    """Flat 1000 kW per account; on the response day ``accounts[a]`` kW less in 10:00–11:00."""
    readings = []
    for day in days:
        for step in INTERVALS:
            ts = dt.datetime.combine(day, dt.time()) + step
            in_window = day == DAY and dt.time(10) <= ts.time() < dt.time(11)
            for account, cut in accounts.items():
                kw = 1000.0 - (cut if in_window else 0.0)
                readings.append({"account_id": account, "ts": ts.isoformat(), "kw": kw})
    return readings


def upload_last_year_peak(platform: Platform) -> None:
    """Last year's system-load peak (20,000 MW on 2024-07-15), for the 第七条 trigger line."""
    peak = platform.client.post(
        "/api/meterdata/system-load:upload",
        files={"file": ("2024.csv", io.BytesIO(system_load_csv([dt.date(2024, 7, 15)], 20_000.0)))},
        headers=platform.grid,
    )
    assert peak.status_code == 200, peak.text


def create_event(
    platform: Platform, day: dt.date, *, demand_kw: str, substation: str, **price: str
) -> str:
    """A day-ahead 削峰 event in 10:00–11:00 of ``day`` at ``substation``, bidding unless
    ``price`` names a fixed price; its id."""
    created = platform.client.post(
        "/api/events",
        json={
            "direction": "peak",
            "mode": "day_ahead",
            "start_at": f"{day}T10:00",
            "end_at": f"{day}T11:00",
            "demand_kw": demand_kw,
            "scope": {"substations": [substation]},
            "price_mode": "fixed" if price else "bidding",
            **price,
        },
        headers=platform.grid,
    )
    assert created.status_code == 201, created.text
    event_id: str = created.json()["id"]
    return event_id


def upload(platform: Platform, accounts: dict[str, float], days: list[dt.date]) -> None:
    system = platform.client.post(
        "/api/meterdata/system-load:upload",
        files={"file": ("system.csv", io.BytesIO(system_load_csv(days, 19_500.0)), "text/csv")},
        headers=platform.grid,
    )
    assert system.status_code == 200, system.text
    readings = meter_readings(accounts, days)
    for first in range(0, len(readings), UPLOAD_LIMIT):
        loads = platform.client.post(
            "/api/meterdata/loads",
            json={"readings": readings[first : first + UPLOAD_LIMIT]},
            headers=platform.grid,
        )
        assert loads.status_code == 200, loads.text[:300]


@dataclass(frozen=True)
class Programme:
    event_id: str
    user_id: str
    trader_id: str
    user_token: str
    trader_token: str


@pytest.fixture(scope="module")
def programme(platform: Platform) -> Iterator[Programme]:
    """24 power users and an aggregator of 21 members bid for one day-ahead event, which is
    ranked (all 25 accepted), executed and evaluated; the clock stops the morning after. Every
    list it fills is longer than a page (20)."""
    platform.clock.set(START)
    users = [
        platform.enrol(power_user(HAIZHU, name=f"海珠第{k:02d}号工厂")) for k in range(BIDDERS)
    ]
    trader = platform.enrol(aggregator(HAIZHU, name="海珠某负荷聚合商", members=MEMBERS))
    cuts = {u["accounts"][0]["account_id"]: 500.0 for u in users}
    cuts |= {a["account_id"]: 400.0 for a in trader["accounts"]}
    upload_last_year_peak(platform)
    upload(platform, cuts, HISTORY)
    event_id = create_event(platform, DAY, demand_kw="10000", substation=HAIZHU)
    for k, bidder in enumerate([trader, *users]):
        bid = platform.client.post(
            f"/api/events/{event_id}/bids",
            json={"kw": "600", "price": f"{1 + k * 0.1:.1f}", "participant_id": bidder["id"]},
            headers=platform.grid,
        )
        assert bid.status_code == 201, bid.text
    platform.clock.set(dt.datetime(2025, 6, 30, 11, 0))
    assert platform.client.post("/api/admin/tick", headers=platform.grid).status_code == 200
    platform.clock.set(dt.datetime(2025, 7, 2, 9, 0))
    upload(platform, cuts, [dt.date(2025, 6, 30), DAY])
    evaluated = platform.client.post(
        f"/api/results/events/{event_id}:evaluate", headers=platform.grid
    )
    assert evaluated.status_code == 200, evaluated.text
    yield Programme(
        event_id,
        users[0]["id"],
        trader["id"],
        platform.token(Role.POWER_USER, users[0]["id"], "工厂操作员"),
        platform.token(Role.AGGREGATOR, trader["id"], "聚合商操作员"),
    )
