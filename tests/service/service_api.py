"""Test helper for the service tests: a client on the app, tokens per role, valid applications."""

from __future__ import annotations

import datetime as dt
import itertools
from contextlib import AbstractContextManager
from typing import Any
from uuid import uuid4

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gzkit.clock import SimulatedClock
from gzkit.db import session_scope
from gzvpp.kit.auth import create_user
from gzvpp.models import Role

_account_numbers = itertools.count(1)
# Tests move the simulated clock months ahead; their tokens must not expire on the way.
LONG_LIVED = dt.datetime(2100, 1, 1)


class Api:
    """A test client plus helpers; ``grid``, ``regulator`` and ``metering`` (the metering
    system's identity) are ready-made auth headers."""

    def __init__(self, app: FastAPI, clock: SimulatedClock) -> None:
        self.app = app
        self.clock = clock
        self.client = TestClient(app)
        self.grid = self.token(Role.GRID_OPERATOR)
        self.regulator = self.token(Role.REGULATOR)
        self.metering = self.token(Role.METERING)

    def session(self) -> AbstractContextManager[Session]:
        """A transaction on the app's database (commits at the end of the ``with``)."""
        return session_scope(self.app.state.sessionmaker)

    def token(self, role: Role, participant_id: str | None = None) -> dict[str, str]:
        """Authorization headers for a new user with ``role``."""
        with self.session() as session:
            _, token = create_user(
                session,
                name=f"测试 {role.value}",
                role=role,
                participant_id=participant_id,
                at=self.clock.now(),
                expires_at=LONG_LIVED,
            )
        return {"Authorization": f"Bearer {token}"}

    @staticmethod
    def account_id() -> str:
        """An account id no other test uses."""
        return f"0300{uuid4().int % 10**6:06d}{next(_account_numbers):06d}"

    def user(self, **overrides: Any) -> dict[str, Any]:
        """An eligible 大工业 power user's application, with ``overrides`` applied."""
        return {
            "kind": "user",
            "name": "广州某钢铁厂",
            "account_id": self.account_id(),
            "general_taxpayer": True,
            "policy_compliant": True,
            "category": "large_industry",
            "capability_kw": "800",
            "max_load_kw": "5000",
            "response_duration_min": 60,
            "substation": "天河站",
            "feeder": "F01",
            **overrides,
        }

    def member(self, **overrides: Any) -> dict[str, Any]:
        """One aggregator member of 1000 kW."""
        return {
            "account_id": self.account_id(),
            "member_name": "某商场",
            "capability_kw": "1000",
            "policy_compliant": True,
            "substation": "海珠站",
            "feeder": "F12",
            **overrides,
        }

    def aggregator(self, **overrides: Any) -> dict[str, Any]:
        """An eligible aggregator's application (3 × 1000 kW members)."""
        return {
            "kind": "aggregator",
            "name": "广州某负荷聚合商",
            "general_taxpayer": True,
            "registered_in_guangzhou": True,
            "registered_capital_cny": "10000000",
            "member_list_on_file": True,
            "delegation_agreement_on_file": True,
            "members": [self.member() for _ in range(3)],
            **overrides,
        }

    def enrol(self, application: dict[str, Any]) -> dict[str, Any]:
        """Enrol as the grid operator; the new participant's detail."""
        response = self.client.post("/api/participants", json=application, headers=self.grid)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def step(self, participant_id: str, step: str, headers: dict[str, str]) -> httpx.Response:
        """POST one workflow step."""
        return self.client.post(f"/api/participants/{participant_id}/{step}", headers=headers)

    def activate(self, participant_id: str) -> None:
        """Take a participant through every step to ``active``."""
        for step, headers in (
            ("start-review", self.grid),
            ("pass-review", self.grid),
            ("clear-publicity", self.regulator),
            ("activate", self.grid),
        ):
            response = self.step(participant_id, step, headers)
            assert response.status_code == 200, response.text
