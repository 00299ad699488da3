"""Each payer — a district, or the military channel for its cadres (第二十五条) — approves and
locks its own list of a run (第十三条); a recomputation never touches an approved list; the
next month's list of a payer waits for its approval of the month before; the payers' accounts
are data the city keeps, and a bank file needs one. Through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from lsvc_api import HAIZHU, YUEXIU, Api, bearer, citizen_id, registered
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DatabaseError

from gzkit.db import bulk_insert, session_scope
from gzlongevity.models import AuditLog, PaymentRun, Person, RunLine

A_BIRTH = dt.date(1940, 5, 10)  # 81 in 2021: 100 CNY
H_BIRTH = dt.date(1945, 1, 1)  # 76: 30 CNY
G_BIRTH = dt.date(1946, 2, 2)  # 75: 30 CNY
M_BIRTH = dt.date(1938, 3, 3)  # 83, a military cadre: 100 CNY


def bank_file(api: Api, month: str, token: str, payer: str = "") -> Any:
    """The payer's CSV bank file rows as (payee, amount, direction), or the refusal."""
    query = f"?payer={payer}" if payer else ""
    response = api.client.get(f"/api/runs/{month}/bank-file.csv{query}", headers=bearer(token))
    if response.status_code != 200:
        return response.status_code, response.json()["detail"]
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return [(row["payee_name"], row["amount_cny"], row["direction"]) for row in rows]


def payer(progress: dict[str, Any], code: str) -> dict[str, Any]:
    return next(item for item in progress["payers"] if item["payer"] == code)


def lines_of(api: Api, month: str, code: str) -> list[tuple[Any, ...]]:
    """Every stored line of ``code``'s list of ``month``, with its row id."""
    number = int(month[:4]) * 12 + int(month[5:]) - 1
    with session_scope(api.app.state.sessionmaker) as session:
        rows = session.execute(
            select(RunLine.id, RunLine.person_id, RunLine.kind, RunLine.for_month, RunLine.city_fen)
            .join(PaymentRun, PaymentRun.id == RunLine.run_id)
            .where(PaymentRun.month == number, RunLine.payer == code)
            .order_by(RunLine.id)
        ).all()
    return [tuple(row) for row in rows]


def died(person_id: str, birth: dt.date, name: str, on: str, known_on: str) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "name": name,
        "birth_date": birth.isoformat(),
        "event": "died",
        "event_date": on,
        "known_on": known_on,
    }


def test_payer_accounts_are_kept_by_the_city(api: Api) -> None:
    api.at("2021-08-02")
    listed = api.get("/api/payers", api.city)
    assert [item["code"] for item in listed][-1] == "military" and len(listed) == 12
    assert not any(item["configured"] for item in listed)
    body = {
        "account_name": "越秀区长寿保健金专户",
        "account_number": "3602000100001234",
        "bank": "工商银行",
    }
    assert (
        api.client.put(
            f"/api/payers/{YUEXIU}", json=body, headers=bearer(api.districts[YUEXIU])
        ).status_code
        == 403
    )
    refused = api.client.put("/api/payers/440199", json=body, headers=bearer(api.city))
    assert refused.status_code == 404 and "没有付款方" in refused.json()["detail"]
    short = api.client.put(
        f"/api/payers/{YUEXIU}", json=body | {"account_number": "12ab"}, headers=bearer(api.city)
    )
    assert short.status_code == 422
    saved = api.client.put(f"/api/payers/{YUEXIU}", json=body, headers=bearer(api.city)).json()
    assert saved["configured"] and saved["account_masked"] == "************1234"
    assert "3602000100001234" not in str(api.get("/api/payers", api.city))
    own = api.get("/api/payers", api.districts[YUEXIU])
    assert [(item["code"], item["bank"]) for item in own] == [(YUEXIU, "工商银行")]
    assert [item["code"] for item in api.get("/api/payers", api.military)] == ["military"]
    api.get("/api/payers", api.street, status=403)
    with session_scope(api.app.state.sessionmaker) as session:
        logged = session.scalars(select(AuditLog).where(AuditLog.action == "payer.account")).all()
    assert [(entry.entity_id, entry.before) for entry in logged] == [(YUEXIU, None)]


def test_each_payer_approves_and_locks_its_own_list(api: Api) -> None:
    a = citizen_id(A_BIRTH)
    h, g = citizen_id(H_BIRTH, HAIZHU), citizen_id(G_BIRTH, HAIZHU)
    m = citizen_id(M_BIRTH)
    api.at("2021-08-10")
    api.feed(
        [
            registered(a, A_BIRTH, "陈甲"),
            registered(m, M_BIRTH, "韩军"),
            registered(h, H_BIRTH, "黄海", "南华西街", HAIZHU),
            registered(g, G_BIRTH, "郭珠", "南华西街", HAIZHU),
        ]
    )
    api.confirm(a)
    api.confirm(m)
    api.confirm(h, street=api.other_street)
    api.confirm(g, street=api.other_street)
    with session_scope(api.app.state.sessionmaker) as session:
        session.execute(update(Person).where(Person.id_number == m).values(military=True))

    api.at("2021-09-20")
    computed = api.post("/api/runs", api.city, {"month": "2021-09"})
    assert [
        (payer(computed, code)["lines"], payer(computed, code)["status"])
        for code in (
            YUEXIU,
            HAIZHU,
            "military",
        )
    ] == [(1, "computed"), (2, "computed"), (1, "computed")]
    # 越秀区 approves: its list is locked and its bank file written at once; 海珠区's is not.
    approved = api.post("/api/runs/2021-09/approve", api.districts[YUEXIU])
    assert payer(approved, YUEXIU)["status"] == "approved" and approved["status"] == "computed"
    assert bank_file(api, "2021-09", api.districts[YUEXIU]) == [("陈甲", "100.00", "pay")]
    assert bank_file(api, "2021-09", api.districts[HAIZHU])[0] == 409
    api.post("/api/runs/2021-09/approve", api.districts[YUEXIU], status=409)
    api.post("/api/runs/2021-09/review", api.street, status=409)  # its district has approved
    # The military channel approves its cadres' list; without an account its bank file names
    # what is missing.
    api.post("/api/runs/2021-09/approve", api.military)
    status, detail = bank_file(api, "2021-09", api.military)
    assert status == 409 and "退役军人事务部门的付款账户尚未配置" in detail
    api.accounts()
    assert bank_file(api, "2021-09", api.military) == [("韩军", "100.00", "pay")]
    assert bank_file(api, "2021-09", api.finance, "military") == [("韩军", "100.00", "pay")]

    # Deaths known before the run day reach the database after 越秀区 approved: recomputing
    # changes 海珠区's list (黄海 is gone), never 越秀区's (陈甲 stays, row for row).
    locked = lines_of(api, "2021-09", YUEXIU)
    api.feed(
        [
            died(a, A_BIRTH, "陈甲", "2021-08-05", "2021-09-19"),
            died(h, H_BIRTH, "黄海", "2021-08-05", "2021-09-19"),
        ],
        kind="changes",
        source="health",
    )
    again = api.post("/api/runs", api.city, {"month": "2021-09"})
    assert lines_of(api, "2021-09", YUEXIU) == locked and len(locked) == 1
    assert payer(again, HAIZHU)["lines"] == 1 and payer(again, YUEXIU)["lines"] == 1
    assert [row[1] for row in lines_of(api, "2021-09", HAIZHU)] == [g]
    # Below the code, the database itself refuses to change an approved list.
    copied = [column for column in RunLine.__table__.c if column.key != "id"]
    for statement in (
        delete(RunLine).where(RunLine.id == locked[0][0]),
        update(RunLine).where(RunLine.id == locked[0][0]).values(city_fen=1),
        insert(RunLine).from_select(
            [column.key for column in copied],
            select(*copied).where(RunLine.id == locked[0][0]),
        ),
    ):
        with pytest.raises(DatabaseError), session_scope(api.app.state.sessionmaker) as session:
            session.execute(statement)
    # The run's own way of writing lines too (multi-row INSERTs on SQLite, COPY on PostgreSQL).
    names = [column.key for column in copied]
    with (
        pytest.raises(Exception, match="INSERT of an approved list refused"),
        session_scope(api.app.state.sessionmaker) as session,
    ):
        row = session.execute(
            text(f"SELECT {', '.join(names)} FROM run_lines WHERE id = :id"), {"id": locked[0][0]}
        ).one()
        bulk_insert(session, "run_lines", names, [tuple(row), tuple(row)])
    assert lines_of(api, "2021-09", YUEXIU) == locked

    # October: only the payers that approved September get a list; 海珠区 waits.
    api.at("2021-10-20")
    october = api.post("/api/runs", api.city, {"month": "2021-10"})
    assert payer(october, HAIZHU)["status"] == "waiting" and payer(october, HAIZHU)["lines"] == 0
    assert (
        "2021-09"
        in api.client.post(
            "/api/runs/2021-10/approve", headers=bearer(api.districts[HAIZHU])
        ).json()["detail"]
    )
    # 陈甲's paid September is an overpayment of 越秀区's list: a case once 越秀区 approves.
    assert payer(october, YUEXIU)["streets_to_review"] == ["北京街"]
    api.post("/api/runs/2021-10/review", api.street)
    assert api.get("/api/recovery", api.street) == []
    api.post("/api/runs/2021-10/approve", api.districts[YUEXIU])
    cases = api.get("/api/recovery", api.street)
    assert [(case["name"], case["amount_cny"]) for case in cases] == [("陈甲", "100.00")]
    api.post("/api/runs/2021-10/approve", api.military)
    military = lines_of(api, "2021-10", "military")
    # After the 25th, each payer that has not approved is late; the others are not.
    api.at("2021-10-26")
    late = api.get("/api/runs/2021-10", api.city)
    assert payer(late, HAIZHU)["late"] and not payer(late, YUEXIU)["late"] and late["late"]

    # 海珠区 approves September, the city computes October again: 海珠区's list appears with
    # October only (September is not paid twice); the approved lists are untouched.
    api.post("/api/runs/2021-09/approve", api.districts[HAIZHU])
    october = api.post("/api/runs", api.city, {"month": "2021-10"})
    assert payer(october, HAIZHU)["status"] == "computed"
    assert [(row[1], row[2], row[3]) for row in lines_of(api, "2021-10", HAIZHU)] == [
        (g, "monthly", 2021 * 12 + 9)
    ]
    assert lines_of(api, "2021-10", "military") == military
    for code, token in api.districts.items():
        if code not in (YUEXIU, HAIZHU):
            api.post("/api/runs/2021-09/approve", token)
    assert api.get("/api/runs/2021-09", api.city)["status"] == "approved"
    api.post("/api/runs", api.city, {"month": "2021-10"})
    for code, token in api.districts.items():
        if code != YUEXIU:
            finished = api.post("/api/runs/2021-10/approve", token)
    assert finished["status"] == "approved" and not finished["late"]
    api.post("/api/runs", api.city, {"month": "2021-10"}, status=409)
