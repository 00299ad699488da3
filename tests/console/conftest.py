"""Fixtures for the console tests: the app on a fresh SQLite file with a simulated clock, and
helpers that enrol participants and issue tokens through the service."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from gzvpp.app import create_app
from gzvpp.kit.auth import create_user
from gzvpp.kit.clock import SimulatedClock
from gzvpp.kit.db import session_scope
from gzvpp.kit.policy import PUBLICITY_ENV
from gzvpp.models import Role

# What a browser sends with a form posted from the console's own page (TestClient's origin).
SAME_ORIGIN = {"Origin": "http://testserver"}
# D-1 of a Tuesday response day, before the day-ahead publication deadline (09:00).
START = dt.datetime(2025, 6, 30, 8, 0)
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
