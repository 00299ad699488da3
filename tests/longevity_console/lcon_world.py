"""The small world of the longevity console tests: officers (a district's, the military
channel's), a street's elders, one run approved by every payer and one awaiting approval,
built through the service's own functions and API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from gzkit.clock import SimulatedClock
from gzkit.db import session_scope
from gzlongevity.core.identity import check_character
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS
from gzlongevity.kit.auth import create_officer
from gzlongevity.models import Role

YUEXIU = "440104"
LONG_LIVED = dt.datetime(2100, 1, 1)
# Enough waiting elders to fill more than one page (20) of the street's worklist.
WAITING = 23


def citizen_id(birth: dt.date, serial: int) -> str:
    first17 = f"{YUEXIU}{birth:%Y%m%d}{serial:03d}"
    return first17 + check_character(first17)


@dataclass
class World:
    """Tokens by role, the elder who confirms in the browser and her one-time code, and the
    elder the street confirms for (ID number and the reference that names her in routes)."""

    city: str
    street: str
    district: str
    elder_id: str
    elder_name: str
    elder_code: str
    staff_confirms: str
    staff_ref: str
    clock: SimulatedClock
    military: str


def build(app: FastAPI, clock: SimulatedClock) -> World:
    client = TestClient(app)

    def token(role: Role, name: str, district: str | None = None, street: str | None = None) -> str:
        with session_scope(app.state.sessionmaker) as session:
            return create_officer(
                session,
                name=name,
                role=role,
                district=district,
                street=street,
                at=clock.now(),
                expires_at=LONG_LIVED,
            )[1]

    def post(path: str, who: str, body: Any) -> Any:
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {who}"})
        assert response.status_code in (200, 201), response.text
        return response.json()

    clock.set(dt.datetime(2021, 8, 2, 9))
    city = token(Role.CITY, "市民政局 陈科")
    exchange = token(Role.EXCHANGE, "数据共享交换平台")
    street = token(Role.STREET, "北京街 李工", YUEXIU, "北京街")
    districts = {
        code: token(Role.DISTRICT, f"{name}民政局", code)
        for code, name in GUANGZHOU_DISTRICTS.items()
    }
    military = token(Role.MILITARY, "退役军人事务局 军休处")
    people = [
        (citizen_id(dt.date(1935 + k % 15, 1 + k % 12, 1 + k % 27), k), f"长者{k:02d}")
        for k in range(WAITING + 3)
    ]
    rows = [
        {
            "person_id": pid,
            "name": name,
            "birth_date": f"{pid[6:10]}-{pid[10:12]}-{pid[12:14]}",
            "event": "registered",
            "event_date": "2000-01-01",
            "known_on": "2021-08-01",
            "district": YUEXIU,
            "street": "北京街",
        }
        for pid, name in people
    ]
    post(
        "/api/intake/feeds",
        exchange,
        {"source": "public_security", "kind": "snapshot", "name": "snapshot", "rows": rows},
    )
    post("/api/admin/sweep", city, None)

    def ref(pid: str) -> str:
        return str(post("/api/persons/find", city, {"id_number": pid})["ref"])

    confirmed = people[:2]
    for pid, _ in confirmed:
        post(
            f"/api/persons/{ref(pid)}/confirmation",
            street,
            {
                "channel": "street",
                "evidence": "本人签字",
                "bank_name": "工商银行",
                "bank_account": "6222020200001234567",
                "agreement": True,
            },
        )
    elder_id, elder_name = people[2]
    task_id = next(
        item["id"]
        for item in client.get(
            "/api/tasks?limit=100", headers={"Authorization": f"Bearer {street}"}
        ).json()["items"]
        if item["name"] == elder_name
    )
    code = post(
        f"/api/tasks/{task_id}/notify", street, {"channel": "sms", "recipient": "13800000000"}
    )["code"]
    clock.set(dt.datetime(2021, 9, 20, 9))
    post("/api/runs", city, {"month": "2021-09"})
    for who in [*districts.values(), military]:
        post("/api/runs/2021-09/approve", who, None)
    clock.set(dt.datetime(2021, 10, 20, 9))
    post("/api/runs", city, {"month": "2021-10"})
    staff = people[3][0]
    return World(
        city,
        street,
        districts[YUEXIU],
        elder_id,
        elder_name,
        code,
        staff,
        ref(staff),
        clock,
        military,
    )
