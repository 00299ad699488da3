"""Fixtures for the console tests: the app on a fresh SQLite file with a simulated clock, and
helpers that enrol participants and issue tokens through the service."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gzvpp.app import create_app
from gzvpp.kit.auth import create_user
from gzvpp.kit.clock import SimulatedClock
from gzvpp.kit.db import session_scope
from gzvpp.kit.policy import PUBLICITY_ENV
from gzvpp.models import Role

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
