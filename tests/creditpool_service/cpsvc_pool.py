"""The credit pool's service as the tests drive it: users made in the database, everything
else through the API with bearer tokens."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from gzcreditpool.core.uscc import uscc_check_character
from gzcreditpool.kit.auth import create_user
from gzcreditpool.models import Role
from gzkit.clock import SimulatedClock
from gzkit.db import session_scope

LONG_LIVED = dt.datetime(2100, 1, 1)
CONDITIONS = [
    {"key": "branch", "met": True, "evidence": "广州分行营业执照；科技支行批复"},
    {"key": "policies", "met": True, "evidence": "科技信贷五项专门政策文件"},
    {"key": "process", "met": True, "evidence": "科技贷产品手册"},
]
_serial = itertools.count(1)


def uscc(serial: int) -> str:
    """A valid 统一社会信用代码 for ``serial`` (a Guangzhou enterprise's)."""
    first17 = f"91440101{serial:09d}"
    return first17 + uscc_check_character(first17)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Pool:
    """The app, its clock, a client and one token per staff role."""

    def __init__(self, app: FastAPI, clock: SimulatedClock) -> None:
        self.app, self.clock = app, clock
        self.client = TestClient(app)
        self.bureau = bearer(self.token(Role.BUREAU))
        self.trustee = bearer(self.token(Role.TRUSTEE))
        self.auditor = bearer(self.token(Role.AUDITOR))
        # One call for partner banks, open all along.
        call = {"title": "合作银行申报指南", "opens_on": "2000-01-01", "closes_on": "2099-12-31"}
        self.call_id: int = self.ok(
            self.client.post("/api/banks/calls", json=call, headers=self.bureau), 201
        )["id"]

    def token(self, role: Role, bank_code: str | None = None, password: str | None = None) -> str:
        """A new user's token (what ``gzcreditpool user add`` prints)."""
        with session_scope(self.app.state.sessionmaker) as session:
            _, token = create_user(
                session,
                name=f"{role.value}-{next(_serial)}",
                role=role,
                bank_code=bank_code,
                at=self.clock.now(),
                password=password,
                expires_at=LONG_LIVED,
            )
        return token

    def ok(self, response: Response, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()

    def partner_bank(self, name: str) -> tuple[str, dict[str, str]]:
        """A bank taken through application, review, publicity and selection; its code and a
        bank user's headers. Moves the clock past the publicity."""
        code = f"B{next(_serial):03d}"
        body = {"call_id": self.call_id, "code": code, "name": name, "conditions": CONDITIONS}
        self.ok(self.client.post("/api/banks", json=body, headers=self.trustee), 201)
        self.ok(
            self.client.post(
                f"/api/banks/{code}/review", json={"scores": ["80", "90"]}, headers=self.trustee
            )
        )
        until = self.clock.now().date() + dt.timedelta(days=5)
        self.ok(
            self.client.post(
                f"/api/banks/{code}/publicity",
                json={"until": until.isoformat()},
                headers=self.bureau,
            )
        )
        back = self.clock.now()
        self.clock.set(dt.datetime.combine(until + dt.timedelta(days=1), dt.time(9)))
        self.ok(
            self.client.post(
                f"/api/banks/{code}/decision", json={"selected": True}, headers=self.bureau
            )
        )
        self.clock.set(back)
        return code, bearer(self.token(Role.BANK, code))

    def enterprise(self, headers: dict[str, str], **fields: Any) -> str:
        """A registered enterprise (eligible: a valid 高新技术企业 certificate) and its code."""
        code = uscc(next(_serial))
        body = {
            "uscc": code,
            "name": f"广州科技企业{code[-6:]}有限公司",
            "registered_in_guangzhou": True,
            "independent_legal_person": True,
            "revenue": "80000000.00",
            "high_tech_certificate_no": "GR202344001234",
            "high_tech_valid_until": "2026-12-31",
        } | fields
        self.ok(self.client.put("/api/enterprises", json=body, headers=headers))
        return code

    def loan(self, headers: dict[str, str], enterprise: str, **fields: Any) -> dict[str, Any]:
        body = {
            "contract_no": f"HT-{next(_serial):06d}",
            "enterprise_uscc": enterprise,
            "disbursed_on": self.clock.now().date().isoformat(),
            "amount": "1000000.00",
            "term_months": 12,
            "credit_part": "600000.00",
            "financing_guarantee": False,
        } | fields
        result: dict[str, Any] = self.ok(
            self.client.post("/api/loans", json=body, headers=headers), 201
        )
        return result

    def at(self, day: str, hour: int = 9) -> None:
        self.clock.set(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))
