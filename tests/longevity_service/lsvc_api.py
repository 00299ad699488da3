"""Helpers of the longevity service tests: valid citizen numbers, officers and their tokens,
register rows, and the steps of a monthly run through the API."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from gzkit.clock import SimulatedClock
from gzkit.db import session_scope
from gzlongevity.core.identity import check_character
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS, MILITARY, PAYERS
from gzlongevity.kit.auth import create_officer
from gzlongevity.models import Role

LONG_LIVED = dt.datetime(2100, 1, 1)
YUEXIU, HAIZHU = "440104", "440105"
_sequence = itertools.count(1)


def citizen_id(birth: dt.date, district: str = YUEXIU) -> str:
    """A fresh valid 居民身份证号 born on ``birth``."""
    first17 = f"{district}{birth:%Y%m%d}{next(_sequence) % 1000:03d}"
    return first17 + check_character(first17)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def registered(
    person_id: str,
    birth: dt.date,
    name: str,
    street: str = "北京街",
    district: str = YUEXIU,
    known_on: str = "2021-08-01",
) -> dict[str, Any]:
    """A snapshot row: registered since 2000 at ``district``/``street``."""
    return {
        "person_id": person_id,
        "name": name,
        "birth_date": birth.isoformat(),
        "event": "registered",
        "event_date": "2000-01-01",
        "known_on": known_on,
        "district": district,
        "street": street,
    }


class Api:
    """The app, its clock, a client and one officer per role (a street officer pair in
    越秀区北京街 for the four-eyes rule, an approver in every district and the military
    channel)."""

    def __init__(self, app: FastAPI, clock: SimulatedClock) -> None:
        self.app, self.clock = app, clock
        self.client = TestClient(app)
        self.city = self.token(Role.CITY, "市民政局 陈科")
        self.exchange = self.token(Role.EXCHANGE, "数据共享交换平台")
        self.street = self.token(Role.STREET, "北京街 李工", YUEXIU, "北京街")
        self.street2 = self.token(Role.STREET, "北京街 赵工", YUEXIU, "北京街")
        self.other_street = self.token(Role.STREET, "南华西街 周工", HAIZHU, "南华西街")
        self.committee = self.token(Role.COMMITTEE, "北京街某社区居委 何姨", YUEXIU, "北京街")
        self.finance = self.token(Role.FINANCE, "市财政局 钱科")
        self.districts = {
            code: self.token(Role.DISTRICT, f"{name}民政局", code)
            for code, name in GUANGZHOU_DISTRICTS.items()
        }
        self.military = self.token(Role.MILITARY, "退役军人事务局 军休处")
        self.payers = {**self.districts, MILITARY: self.military}

    def token(
        self, role: Role, name: str, district: str | None = None, street: str | None = None
    ) -> str:
        with session_scope(self.app.state.sessionmaker) as session:
            _, token = create_officer(
                session,
                name=name,
                role=role,
                district=district,
                street=street,
                at=self.clock.now(),
                expires_at=LONG_LIVED,
            )
        return token

    def post(self, path: str, token: str, body: Any = None, status: int = 200) -> Any:
        response = self.client.post(path, json=body, headers=bearer(token))
        assert response.status_code == status, response.text
        return response.json()

    def get(self, path: str, token: str, status: int = 200) -> Any:
        response = self.client.get(path, headers=bearer(token))
        assert response.status_code == status, response.text
        return response.json()

    def feed(
        self,
        rows: list[dict[str, Any]],
        kind: str = "snapshot",
        source: str = "public_security",
        status: int = 201,
    ) -> Any:
        body = {"source": source, "kind": kind, "name": f"feed-{next(_sequence)}", "rows": rows}
        return self.post("/api/intake/feeds", self.exchange, body, status)

    def at(self, day: str, hour: int = 9) -> None:
        self.clock.set(dt.datetime.fromisoformat(day) + dt.timedelta(hours=hour))

    def ref(self, id_number: str, token: str | None = None) -> str:
        """The reference that names the person in routes, found by ID number in a body."""
        found = self.post("/api/persons/find", token or self.city, {"id_number": id_number})
        return str(found["ref"])

    def confirm(
        self,
        person_id: str,
        account: str = "6222020200001234567",
        agreement: bool = True,
        street: str | None = None,
    ) -> Any:
        body = {
            "channel": "street",
            "evidence": "本人到街道签字确认",
            "bank_name": "工商银行",
            "bank_account": account,
            "agreement": agreement,
        }
        return self.post(
            f"/api/persons/{self.ref(person_id)}/confirmation", street or self.street, body
        )

    def accounts(self) -> None:
        """Every payer's account, set by the city."""
        for n, code in enumerate(PAYERS, start=1):
            body = {"account_name": f"{PAYERS[code]}专户", "account_number": f"3602{n:012d}"}
            self.client.put(
                f"/api/payers/{code}", json=body | {"bank": "工商银行"}, headers=bearer(self.city)
            ).raise_for_status()

    def run(self, month: str) -> Any:
        """Compute, review (北京街) and approve by every payer; the approved run."""
        self.post("/api/runs", self.city, {"month": month})
        todo = self.get(f"/api/runs/{month}", self.city)
        for payer in todo["payers"]:
            assert set(payer["streets_to_review"]) <= {"北京街"}, payer
            if payer["streets_to_review"]:
                self.post(f"/api/runs/{month}/review", self.street)
        for token in self.payers.values():
            result = self.post(f"/api/runs/{month}/approve", token)
        assert result["status"] == "approved"
        return result
