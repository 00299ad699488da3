"""One street's elders through intake, confirmation, monthly runs, a late death recovered
through the deduction agreement and one escalated to 责令退回, a failed check — through the API,
on SQLite and PostgreSQL. Every amount is worked out by hand from 第四条 (30/100/200/300 CNY,
1,000 CNY in October at 100+)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from lsvc_api import Api, bearer, citizen_id, registered
from sqlalchemy import select

from gzkit.db import session_scope
from gzlongevity.models import AuditLog, ChangeRequest, Person

A_BIRTH = dt.date(1940, 5, 10)  # 81: tier 80, 100 CNY
B_BIRTH = dt.date(1951, 11, 15)  # turns 70 in November 2021
C_BIRTH = dt.date(1921, 3, 1)  # 100: 300 CNY and 1,000 in October
E_BIRTH = dt.date(1950, 2, 2)  # 71; dies 2021-09-05, known 2021-11-25; no agreement
F_BIRTH = dt.date(1948, 6, 6)  # 73; dies 2021-10-10, known 2021-12-01; agreement signed


def lines_of(api: Api, month: str) -> dict[str, str]:
    """The run's CSV bank file for 越秀区: payee name → amount (pay), or 'return …'."""
    response = api.client.get(
        f"/api/runs/{month}/bank-file.csv", headers=bearer(api.districts["440104"])
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {
        row["payee_name"]: row["amount_cny"]
        if row["direction"] == "pay"
        else f"return {row['amount_cny']}"
        for row in rows
    }


def test_a_street_from_intake_to_recovery(api: Api) -> None:
    a, b, c, e, f = (citizen_id(birth) for birth in (A_BIRTH, B_BIRTH, C_BIRTH, E_BIRTH, F_BIRTH))
    names = {a: "陈甲", b: "李乙", c: "王丙", e: "赵戊", f: "钱己"}
    births = {a: A_BIRTH, b: B_BIRTH, c: C_BIRTH, e: E_BIRTH, f: F_BIRTH}
    rows = [registered(pid, births[pid], names[pid]) for pid in names]
    api.at("2021-08-02")
    first = api.feed(rows)
    assert (first["new_events"], first["new_persons"]) == (5, 5)
    again = api.feed(rows)  # the same snapshot again: nothing new (idempotent)
    assert (again["rows"], again["new_events"], again["new_persons"]) == (5, 0, 0)

    # 第八条: a task 3 months before the 70th birthday; B (70 on 2021-11-15) not yet on 08-02.
    sweep = api.post("/api/admin/sweep", api.city)
    assert sweep["tasks_created"] == 4
    api.at("2021-08-16")
    assert api.post("/api/admin/sweep", api.city)["tasks_created"] == 1
    tasks = api.get("/api/tasks", api.street)["items"]
    assert {task["name"] for task in tasks} == set(names.values())
    assert all(task["person_id_masked"].count("*") == 8 for task in tasks)
    assert api.get("/api/tasks", api.other_street)["pagination"]["total_count"] == 0

    # Staff confirm A, C, E, F (E without the agreement); B confirms herself with the code.
    api.at("2021-09-01")
    api.confirm(e, agreement=False)
    api.confirm(f, account="6222020200007654321")
    api.at("2021-09-10")
    api.confirm(a)
    api.confirm(c)
    task_b = next(task for task in tasks if task["name"] == "李乙")
    sent = api.post(
        f"/api/tasks/{task_b['id']}/notify",
        api.street,
        {"channel": "sms", "recipient": "13800000000"},
    )
    wrong = {
        "id_number": b,
        "name": "李乙",
        "code": "000000" if sent["code"] != "000000" else "111111",
        "bank_name": "农业银行",
        "bank_account": "6228480000000000001",
        "agreement": True,
    }
    assert api.client.post("/api/confirmations/self", json=wrong).status_code == 422

    api.at("2021-09-20")
    api.accounts()
    api.run("2021-09")
    assert lines_of(api, "2021-09") == {
        "陈甲": "100.00",
        "王丙": "300.00",
        "赵戊": "30.00",
        "钱己": "30.00",
    }

    api.at("2021-10-20")
    api.run("2021-10")
    assert lines_of(api, "2021-10") == {
        "陈甲": "100.00",
        "王丙": "1300.00",
        "赵戊": "30.00",
        "钱己": "30.00",
    }

    api.at("2021-11-05")
    confirmed = api.client.post("/api/confirmations/self", json=wrong | {"code": sent["code"]})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["bank_account_masked"].endswith("0001")
    # E's death (2021-09-05) reaches civil affairs on 11-25, after the November run day.
    api.at("2021-11-25")
    api.feed(
        [
            {
                "person_id": e,
                "name": "赵戊",
                "birth_date": E_BIRTH.isoformat(),
                "event": "died",
                "event_date": "2021-09-05",
                "known_on": "2021-11-25",
            }
        ],
        kind="changes",
        source="health",
    )
    api.at("2021-11-20")
    api.run("2021-11")
    assert lines_of(api, "2021-11") == {
        "陈甲": "100.00",
        "王丙": "300.00",
        "李乙": "30.00",
        "赵戊": "30.00",
        "钱己": "30.00",
    }

    api.at("2021-12-01")
    api.feed(
        [
            {
                "person_id": f,
                "name": "钱己",
                "birth_date": F_BIRTH.isoformat(),
                "event": "died",
                "event_date": "2021-10-10",
            }
        ],
        kind="changes",
        source="health",
    )
    api.at("2021-12-20")
    api.post("/api/runs", api.city, {"month": "2021-12"})
    found = api.get("/api/runs/2021-12/exceptions", api.street)
    overpaid = sorted(
        (item["name"], item["for_month"], item["amount_cny"])
        for item in found
        if item["what"].startswith("多领")
    )
    assert overpaid == [
        ("赵戊", "2021-10", "30.00"),
        ("赵戊", "2021-11", "30.00"),
        ("钱己", "2021-11", "30.00"),
    ]
    # Not approved while 北京街 has not reviewed its exceptions.
    refused = api.client.post("/api/runs/2021-12/approve", headers=bearer(api.districts["440104"]))
    assert refused.status_code == 409 and "北京街" in refused.json()["detail"]
    api.run("2021-12")  # recomputes (nothing approved yet), reviews, approves everywhere
    assert lines_of(api, "2021-12") == {"陈甲": "100.00", "王丙": "300.00", "李乙": "30.00"}
    # Locked: no recompute after approval.
    assert (
        api.client.post(
            "/api/runs", json={"month": "2021-12"}, headers=bearer(api.city)
        ).status_code
        == 409
    )

    cases = {case["name"]: case for case in api.get("/api/recovery", api.street)}
    assert (cases["赵戊"]["status"], cases["赵戊"]["amount_cny"]) == ("notified", "60.00")
    assert (cases["钱己"]["status"], cases["钱己"]["clawback_month"]) == ("clawback", "2022-01")

    # 越秀区 raises its 80–89 standard to 120 CNY: not for an approved month; from January on.
    standard = {"district": "440104", "tier": 80, "monthly_cny": "120.00", "from_month": "2021-12"}
    api.post("/api/rules/standards", api.city, standard, status=409)
    api.post("/api/rules/standards", api.city, standard | {"from_month": "2022-01"}, status=201)
    december = api.get("/api/statistics/months/2021-12", api.city)
    assert december["amount_cny"] == "430.00"

    # A failed home visit on 2022-01-05 stops A's payment from February.
    api.at("2022-01-05")
    check = {
        "kind": "home_visit",
        "checked_on": "2022-01-05",
        "passed": False,
        "note": "多次上门未见本人",
    }
    assert (
        api.post(f"/api/persons/{api.ref(a)}/checks", api.street, check, 201)["suspended_from"]
        == "2022-02"
    )

    api.at("2022-01-20")
    api.run("2022-01")
    assert lines_of(api, "2022-01") == {
        "陈甲": "120.00",
        "王丙": "300.00",
        "李乙": "30.00",
        "钱己": "return 30.00",
    }
    # December's figures stand as at its end: asked back 90, nothing back yet; January's count
    # the claw-back of 钱己 (30 of 90).
    again = api.get("/api/statistics/months/2021-12", api.city)
    assert again == december
    assert (december["owed_cny"], december["recovered_cny"]) == ("90.00", "0.00")
    january = api.get("/api/statistics/months/2022-01", api.city)
    assert (january["owed_cny"], january["recovered_cny"]) == ("90.00", "30.00")
    assert january["recovery_rate"] == "0.3333"
    cases = {case["name"]: case for case in api.get("/api/recovery", api.street)}
    assert (cases["钱己"]["status"], cases["钱己"]["recovered_cny"]) == ("closed", "30.00")

    api.at("2022-02-20")
    february = api.run("2022-02")
    assert february["held"] == 1
    assert lines_of(api, "2022-02") == {"王丙": "300.00", "李乙": "30.00"}
    # Passed on a later visit: February is paid as arrears in March.
    api.at("2022-03-01")
    check |= {"checked_on": "2022-03-01", "passed": True, "note": "本人在家"}
    assert (
        api.post(f"/api/persons/{api.ref(a)}/checks", api.street, check, 201)["suspended_from"]
        is None
    )

    # 3 months after the notice (2021-12-20) E's family has not returned the 60 CNY: 责令退回.
    api.at("2022-03-19")
    assert api.post("/api/admin/sweep", api.city)["orders"] == 0
    api.at("2022-03-20")
    assert api.post("/api/admin/sweep", api.city)["orders"] == 1
    api.run("2022-03")
    assert lines_of(api, "2022-03") == {"陈甲": "240.00", "王丙": "300.00", "李乙": "30.00"}
    ordered = next(case for case in api.get("/api/recovery", api.street) if case["name"] == "赵戊")
    assert ordered["status"] == "ordered"
    repaid = api.post(
        f"/api/recovery/{ordered['id']}/repayments", api.street, {"amount_cny": "60.00"}
    )
    assert (repaid["status"], repaid["recovered_cny"]) == ("closed", "60.00")
    # Asked later, January still stands as at its end; March counts the repayment.
    assert api.get("/api/statistics/months/2022-01", api.city) == january
    march = api.get("/api/statistics/months/2022-03", api.city)
    assert (march["recovered_cny"], march["recovery_rate"]) == ("90.00", "1.0000")

    figures = api.get("/api/statistics/months/2021-10", api.city)
    assert figures["beneficiaries"] == 4
    assert figures["by_tier"] == {"70": 2, "80": 1, "100": 1}
    assert figures["centenarian_cny"] == "1000.00"
    assert figures["amount_cny"] == "1460.00"
    # The city standard is split half and half (the configured share); the 100+ payment is
    # the district's (第五条).
    assert (figures["city_share_cny"], figures["district_share_cny"]) == ("230.00", "1230.00")
    report = api.client.get("/api/statistics/months/2021-10/report.xlsx", headers=bearer(api.city))
    assert report.status_code == 200 and report.content[:2] == b"PK"
    series = api.get("/api/statistics/series", api.city)
    owed = dict(zip(series["months"], series["recovery_owed"], strict=True))
    back = dict(zip(series["months"], series["recovered"], strict=True))
    assert (owed["2021-12"], back["2022-01"], back["2022-03"]) == (90.0, 30.0, 60.0)
    assert sum(owed.values()) == 90.0 and sum(back.values()) == 90.0


def test_the_audit_log_names_people_by_reference(api: Api) -> None:
    """After the scenario and the other steps that log a person (a batch confirmation, the
    agreement, data and bank changes, a fraud case, a notice sent, the military mark, a full
    view), no audit row holds a full ID number nor a full bank account: each names the person
    by ref and masked ID, and an account by its last 4 digits (第二十一条)."""
    late = citizen_id(dt.date(1945, 7, 7))
    api.at("2022-03-21")
    api.feed([registered(late, dt.date(1945, 7, 7), "孙庚")], kind="changes")
    item = {"person_id": late, "confirmed_on": "2022-03-21", "bank_name": "工商银行"}
    batch = {"items": [item | {"bank_account": "6222020200005556666", "agreement": False}]}
    assert api.post("/api/confirmations/batch", api.exchange, batch)["confirmed"] == 1
    ref = api.ref(late)
    api.post(f"/api/persons/{ref}/agreement", api.street)
    told = {"told_on": "2022-03-21"}
    api.post(
        f"/api/persons/{ref}/changes/personal", api.street, told | {"phone": "13912345678"}, 201
    )
    bank = told | {"bank_name": "农业银行", "bank_account": "6228480000000000002"}
    change = api.post(f"/api/persons/{ref}/changes/bank", api.street, bank, 201)
    api.post(f"/api/changes/{change['id']}/approve", api.street2)
    fraud = {"person_ref": ref, "amount_cny": "30.00", "evidence": "冒领证据"}
    api.post("/api/recovery/fraud", api.street, fraud, 201)
    notice = api.get("/api/notices", api.city)["items"][0]
    api.post(f"/api/notices/{notice['id']}/sent", api.city)
    api.post(f"/api/persons/{ref}/full-view", api.street)
    marked = api.client.put(f"/api/persons/{ref}/military?military=true", headers=bearer(api.city))
    assert marked.status_code == 200, marked.text
    with session_scope(api.app.state.sessionmaker) as session:
        ids = set(session.scalars(select(Person.id_number)))
        # The batch's account (replaced by the change) and every account held or asked for.
        accounts = {
            "6222020200005556666",
            *session.scalars(select(Person.bank_account).where(Person.bank_account.is_not(None))),
            *(
                change.values["bank_account"]
                for change in session.scalars(select(ChangeRequest))
                if "bank_account" in change.values
            ),
        }
        rows = session.execute(
            select(AuditLog.action, AuditLog.entity_id, AuditLog.before, AuditLog.after)
        ).all()
    actions = {action for action, *_ in rows}
    assert {
        "person.confirm",
        "person.sign_agreement",
        "person.change",
        "change.approve",
        "recovery.open",
        "recovery.clawback",
        "recovery.order",
        "recovery.repay",
        "notice.sent",
        "intake_task.notify",
        "person.military",
        "person.suspend",
        "person.view_full",
    } <= actions
    assert {"6228480000000000002", "6222020200001234567"} <= accounts
    leaks = [(action, key) for action, *text in rows for key in ids | accounts if key in str(text)]
    assert leaks == []
    shown = [
        snapshot["bank_account"]
        for action, _, *snapshots in rows
        if action in ("person.confirm", "person.change")
        for snapshot in snapshots
        if snapshot and snapshot.get("bank_account")
    ]
    assert shown and all(re.fullmatch(r"\*+\d{4}", account) for account in shown)
