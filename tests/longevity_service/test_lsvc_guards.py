"""Intake checks and idempotence, conflicting death dates, roles and jurisdiction, masking and
logged full views, the four-eyes bank change, and hostile input (never a 500)."""

from __future__ import annotations

import datetime as dt

from lsvc_api import HAIZHU, Api, bearer, citizen_id, registered
from sqlalchemy import select, text

from gzkit.db import session_scope
from gzlongevity.kit.auth import create_officer
from gzlongevity.models import AuditLog, RegisterEvent, Role

BIRTH = dt.date(1945, 3, 3)
HEADER = "person_id,name,birth_date,event,event_date,known_on,district,street\n"


def test_csv_feeds_in_gb18030_are_checked_line_by_line(api: Api) -> None:
    api.at("2021-08-03")
    good = citizen_id(BIRTH)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    body = (HEADER + f"{good},黄一,1945-03-03,registered,2000-01-01,,440104,北京街\n").encode(
        "gb18030"
    )
    headers = bearer(api.exchange) | {"Content-Type": "text/csv"}
    url = "/api/intake/feeds:upload?source=public_security&kind=snapshot&name=gz.csv"
    response = api.client.post(url, content=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["new_events"] == 1
    again = api.client.post(url, content=body, headers=headers)
    assert again.json()["new_events"] == 0
    wrong = (HEADER + f"{bad},黄二,1945-03-03,registered,2000-01-01,,440104,北京街\n").encode()
    refused = api.client.post(url, content=wrong, headers=headers)
    assert refused.status_code == 422
    assert "gz.csv 第 2 行" in refused.text and "校验码错误" in refused.text
    born_else = (HEADER + f"{good},黄一,1945-03-04,registered,2000-01-01,,440104,北京街\n").encode()
    assert "出生日期不符" in api.client.post(url, content=born_else, headers=headers).text
    outside = (
        HEADER + f"{citizen_id(BIRTH)},黄三,1945-03-03,registered,2000-01-01,,440199,某街\n"
    ).encode()
    assert "不是广州市的区划代码" in api.client.post(url, content=outside, headers=headers).text


def test_two_death_dates_take_the_earliest_and_are_flagged(api: Api) -> None:
    person = citizen_id(BIRTH)
    api.at("2021-08-04")
    api.feed([registered(person, BIRTH, "孙二")])
    death = {"person_id": person, "name": "孙二", "birth_date": BIRTH.isoformat(), "event": "died"}
    api.feed([death | {"event_date": "2021-07-30"}], kind="changes", source="health")
    second = api.feed(
        [death | {"event_date": "2021-07-20"}], kind="changes", source="public_security"
    )
    assert second["conflicts"] == 1
    found = api.get(f"/api/persons/{api.ref(person)}", api.street)
    assert (found["status"], found["death_date"], found["death_conflict"]) == (
        "died",
        "2021-07-20",
        True,
    )
    with session_scope(api.app.state.sessionmaker) as session:
        flags = session.scalars(
            select(RegisterEvent.conflict).where(
                RegisterEvent.person_id == person, RegisterEvent.event == "died"
            )
        ).all()
    assert flags == [True, True]


def test_jurisdiction_masking_and_logged_full_views(api: Api) -> None:
    mine, theirs = citizen_id(BIRTH), citizen_id(BIRTH, HAIZHU)
    api.at("2021-08-05")
    api.feed(
        [registered(mine, BIRTH, "周三"), registered(theirs, BIRTH, "吴四", "南华西街", HAIZHU)]
    )
    api.confirm(mine, account="6222020200001112222")
    masked = api.get(f"/api/persons/{api.ref(mine)}", api.street)
    assert masked["id_number"] == mine[:6] + "********" + mine[-4:]
    assert masked["bank_account"] == "*" * 15 + "2222"
    api.get(
        f"/api/persons/{api.ref(theirs)}", api.street, status=404
    )  # another street's: not found
    api.get(f"/api/persons/{api.ref(theirs)}", api.districts["440104"], status=404)
    assert api.get(f"/api/persons/{api.ref(theirs)}", api.districts[HAIZHU])["name"] == "吴四"
    # Only the acting street sees the full record; the district is refused; the view is logged.
    api.post(f"/api/persons/{api.ref(mine)}/full-view", api.districts["440104"], status=403)
    full = api.post(f"/api/persons/{api.ref(mine)}/full-view", api.street)
    assert (full["id_number"], full["bank_account"]) == (mine, "6222020200001112222")
    with session_scope(api.app.state.sessionmaker) as session:
        views = session.scalars(
            select(AuditLog.actor).where(
                AuditLog.action == "person.view_full", AuditLog.entity_id == api.ref(mine)
            )
        ).all()
    assert views == ["street#3 北京街 李工"]


def test_bank_changes_need_a_second_officer(api: Api) -> None:
    person = citizen_id(BIRTH)
    api.at("2021-08-06")
    api.feed([registered(person, BIRTH, "郑五")])
    api.confirm(person, account="6222020200003334444")
    body = {"told_on": "2021-08-05", "bank_name": "建设银行", "bank_account": "6217000000005556666"}
    change = api.post(f"/api/persons/{api.ref(person)}/changes/bank", api.street, body, 201)
    assert change["status"] == "pending" and change["values"]["bank_account"].endswith("6666")
    api.post(f"/api/changes/{change['id']}/approve", api.street, status=403)  # the same officer
    assert api.get(f"/api/persons/{api.ref(person)}", api.street)["bank_account"].endswith("4444")
    assert api.post(f"/api/changes/{change['id']}/approve", api.street2)["status"] == "applied"
    assert api.get(f"/api/persons/{api.ref(person)}", api.street)["bank_account"].endswith("6666")
    personal = {"told_on": "2021-08-06", "phone": "13912345678"}
    assert (
        api.post(f"/api/persons/{api.ref(person)}/changes/personal", api.street, personal, 201)[
            "status"
        ]
        == "applied"
    )


def test_roles_and_hostile_input_never_reach_a_500(api: Api) -> None:
    api.at("2021-08-07")
    assert api.client.get("/api/persons").status_code == 401
    assert api.client.get("/api/persons", headers=bearer("gzlv_forged")).status_code == 401
    # Finance and audit only read; a street may not compute runs; the exchange may not read people.
    api.post("/api/runs", api.finance, {"month": "2021-09"}, status=403)
    api.post("/api/runs", api.street, {"month": "2021-09"}, status=403)
    api.post(
        "/api/intake/feeds",
        api.street,
        {"source": "health", "kind": "changes", "name": "x", "rows": []},
        status=403,
    )
    # NaN, NUL, unknown fields, a huge body.
    fraud = {"person_ref": "0123456789abcdef", "amount_cny": "NaN", "evidence": "证据"}
    assert (
        api.client.post("/api/recovery/fraud", json=fraud, headers=bearer(api.street)).status_code
        == 422
    )
    assert api.client.get("/api/persons?name=%00", headers=bearer(api.street)).status_code == 422
    nul = {"source": "health", "kind": "changes", "name": "a\x00b", "rows": []}
    assert (
        api.client.post("/api/intake/feeds", json=nul, headers=bearer(api.exchange)).status_code
        == 422
    )
    extra = {"month": "2021-09", "force": True}
    assert api.client.post("/api/runs", json=extra, headers=bearer(api.city)).status_code == 422
    huge = b"{" + b" " * (2 << 20) + b"}"
    response = api.client.post(
        "/api/runs", content=huge, headers=bearer(api.city) | {"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert api.client.get("/api/runs/2021-13", headers=bearer(api.city)).status_code == 422
    assert api.client.get("/api/runs/9999999999-01", headers=bearer(api.city)).status_code in (
        404,
        422,
    )


def test_self_service_confirmations_arrive_in_bulk(api: Api) -> None:
    alive, dead = citizen_id(BIRTH), citizen_id(BIRTH)
    api.at("2021-08-08")
    api.feed([registered(alive, BIRTH, "冯六"), registered(dead, BIRTH, "陈七")])
    death = {"person_id": dead, "name": "陈七", "birth_date": BIRTH.isoformat(), "event": "died"}
    api.feed([death | {"event_date": "2021-08-07"}], kind="changes", source="health")
    item = {
        "confirmed_on": "2021-08-08",
        "bank_name": "邮储银行",
        "bank_account": "6210980000000000001",
        "agreement": True,
    }
    body = {"items": [item | {"person_id": alive}, item | {"person_id": dead}]}
    first = api.post("/api/confirmations/batch", api.exchange, body)
    assert (first["confirmed"], first["already"], first["refused"]) == (1, 0, 1)
    again = api.post("/api/confirmations/batch", api.exchange, body)
    assert (again["confirmed"], again["already"], again["refused"]) == (0, 1, 1)
    shown = api.get(f"/api/persons/{api.ref(alive)}", api.street)
    assert (shown["confirm_channel"], shown["agreement_signed_on"]) == ("app", "2021-08-08")
    stranger = citizen_id(BIRTH)  # not in the register yet: sent back to be sent again
    later = api.post(
        "/api/confirmations/batch", api.exchange, {"items": [item | {"person_id": stranger}]}
    )
    assert (later["confirmed"], later["refused"], later["unknown_items"]) == (0, 0, [0])
    assert stranger not in str(later)
    future = {"items": [item | {"person_id": alive, "confirmed_on": "2021-08-09"}]}
    api.post("/api/confirmations/batch", api.exchange, future, status=422)


def test_overdue_tasks_escalate_and_applications_join_the_list(api: Api) -> None:
    late, missed = citizen_id(dt.date(1940, 1, 1)), citizen_id(dt.date(1941, 1, 1))
    api.at("2021-08-09")
    api.feed(
        [
            registered(late, dt.date(1940, 1, 1), "卫八"),
            registered(missed, dt.date(1941, 1, 1), "蒋九"),
        ]
    )
    api.post("/api/admin/sweep", api.city)
    # 蒋九 was missed by the data (say): she applies at the committee; the task is hers now.
    with session_scope(api.app.state.sessionmaker) as session:
        session.execute(text("DELETE FROM intake_tasks WHERE person_id = :p"), {"p": missed})
    task = api.post("/api/applications", api.committee, {"id_number": missed, "name": "蒋九"}, 201)
    assert (task["origin"], task["status"]) == ("application", "open")
    api.post("/api/applications", api.committee, {"id_number": missed, "name": "蒋九"}, 409)
    api.post("/api/applications", api.committee, {"id_number": late, "name": "别人"}, 422)
    # Not notified within 3 months: escalated to the district, shown overdue.
    api.at("2021-11-10")
    assert api.post("/api/admin/sweep", api.city)["tasks_escalated"] >= 2
    overdue = api.get("/api/tasks?overdue=true&limit=100", api.districts["440104"])["items"]
    assert {"卫八", "蒋九"} <= {item["name"] for item in overdue}
    assert all(
        item["overdue"] and item["escalated_on"] == "2021-11-10"
        for item in overdue
        if item["name"] in ("卫八", "蒋九")
    )


def test_the_outbox_is_read_and_marked_by_the_sender(api: Api) -> None:
    person = citizen_id(dt.date(1942, 2, 2))
    api.at("2021-08-10")
    api.feed([registered(person, dt.date(1942, 2, 2), "沈十")])
    api.post("/api/admin/sweep", api.city)
    task = next(
        t for t in api.get("/api/tasks?limit=100", api.street)["items"] if t["name"] == "沈十"
    )
    sent = api.post(
        f"/api/tasks/{task['id']}/notify",
        api.street,
        {"channel": "sms", "recipient": "13700000000"},
    )
    waiting = api.get("/api/notices?channel=sms&limit=100", api.exchange)["items"]
    notice = next(n for n in waiting if n["id"] == sent["notice_id"])
    assert sent["code"] in notice["body"] and notice["recipient"] == "13700000000"
    api.get("/api/notices", api.street, status=403)
    assert api.post(f"/api/notices/{notice['id']}/sent", api.exchange)["sent_at"] is not None
    api.post(f"/api/notices/{notice['id']}/sent", api.exchange, status=409)


def test_military_cadres_leave_the_streets_view(api: Api) -> None:
    cadre = citizen_id(dt.date(1938, 3, 3))
    military = api.token(Role.MILITARY, "退役军人事务局 军休处")
    api.at("2021-08-11")
    api.feed([registered(cadre, dt.date(1938, 3, 3), "韩十一")])
    ref = api.ref(cadre)
    response = api.client.put(
        f"/api/persons/{ref}/military?military=true", headers=bearer(api.city)
    )
    assert response.status_code == 200, response.text
    api.get(f"/api/persons/{ref}", api.street, status=404)
    assert api.get(f"/api/persons/{ref}", military)["military"] is True
    api.post("/api/persons/find", api.street, {"id_number": cadre}, status=404)


def test_a_move_hands_the_case_to_the_new_street_from_the_next_month(api: Api) -> None:
    person = citizen_id(dt.date(1944, 4, 4))
    api.at("2021-08-12")
    api.feed([registered(person, dt.date(1944, 4, 4), "杨十二")])
    api.post("/api/admin/sweep", api.city)
    moved = {
        "person_id": person,
        "name": "杨十二",
        "birth_date": "1944-04-04",
        "event": "moved",
        "event_date": "2021-08-10",
        "known_on": "2021-08-12",
        "district": HAIZHU,
        "street": "南华西街",
    }
    api.feed([moved], kind="changes")
    # The rest of August the case stays with 北京街 (the old place pays the month, L6).
    assert api.get(f"/api/persons/{api.ref(person)}", api.street)["name"] == "杨十二"
    api.get(f"/api/persons/{api.ref(person)}", api.other_street, status=404)
    assert "杨十二" in {t["name"] for t in api.get("/api/tasks?limit=100", api.street)["items"]}
    api.at("2021-09-01")
    api.get(f"/api/persons/{api.ref(person)}", api.street, status=404)
    assert api.get(f"/api/persons/{api.ref(person)}", api.other_street)["street"] == "南华西街"
    assert "杨十二" in {
        t["name"] for t in api.get("/api/tasks?limit=100", api.other_street)["items"]
    }
    assert api.get(f"/api/persons/{api.ref(person)}", api.districts[HAIZHU])["district"] == HAIZHU


def test_wrong_passwords_lock_the_account_for_a_while(api: Api) -> None:
    api.at("2021-08-13")
    with session_scope(api.app.state.sessionmaker) as session:
        create_officer(
            session,
            name="荔湾区 刘科",
            role=Role.DISTRICT,
            district="440103",
            street=None,
            at=api.clock.now(),
            password="正确的密码-2021",
        )
    origin = {"Origin": "http://testserver"}

    def sign_in(password: str) -> int:
        data = {"name": "荔湾区 刘科", "password": password}
        return api.client.post(
            "/console/login", data=data, headers=origin, follow_redirects=False
        ).status_code

    assert [sign_in("错误的密码-0000") for _ in range(5)] == [401] * 5
    assert sign_in("正确的密码-2021") == 401  # locked, and told no more than for a wrong one
    with session_scope(api.app.state.sessionmaker) as session:
        logged = session.scalars(
            select(AuditLog.action)
            .where(AuditLog.action.in_(["officer.sign_in_failed", "officer.lockout"]))
            .order_by(AuditLog.id)
        ).all()
    assert logged[-7:] == [*["officer.sign_in_failed"] * 5, "officer.lockout",
                           "officer.sign_in_failed"]  # fmt: skip
    api.at("2021-08-13", hour=10)
    assert sign_in("正确的密码-2021") == 303
    api.client.cookies.clear()


def test_the_committee_sees_only_what_helping_elders_needs(api: Api) -> None:
    api.at("2021-08-14")
    assert api.get("/api/tasks", api.committee)["pagination"]["total_count"] >= 0
    for path in ("/api/recovery", "/api/changes", "/api/statistics/series"):
        api.get(path, api.committee, status=403)


def test_a_feed_that_is_not_a_register_file_is_refused_naming_it(api: Api) -> None:
    api.at("2021-08-15")
    headers = bearer(api.exchange) | {"Content-Type": "text/csv"}
    url = "/api/intake/feeds:upload?source=health&kind=changes&name=deaths.csv"
    response = api.client.post(url, content="姓名,日期\n某,2021-08-01\n".encode(), headers=headers)
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert message.startswith("deaths.csv") and "person_id" in message and "/tmp" not in message


def test_an_old_clients_search_is_refused(api: Api) -> None:
    """``GET /api/persons?q=…`` was silently unfiltered; now a 422 pointing to
    ``POST /api/persons/find``, and the ID number is not echoed."""
    person = citizen_id(BIRTH)
    response = api.client.get(f"/api/persons?q={person}", headers=bearer(api.street))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "q"] and "POST /api/persons/find" in error["msg"]
    assert "\n" not in error["msg"] and person not in response.text
    assert api.client.get("/api/persons?name=周三", headers=bearer(api.street)).status_code == 200
