"""No full ID number in a URL (第二十一条): every route names a person by ``ref``, an ID number
in its place is no person (404), searching by ID number goes by a request body, answers carry
the ``ref`` and only the logged full view the full number; check audit entries name the ref
and the masked ID."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.routing import APIRoute, iter_route_contexts
from lsvc_api import HAIZHU, Api, bearer, citizen_id, registered
from sqlalchemy import select

from gzkit.db import session_scope
from gzlongevity.models import AuditLog

BIRTH = dt.date(1946, 6, 6)
ID_NAMES = re.compile(r"id_number|person_id|citizen|身份")


# A valid body for each API route naming a person, so that only the person can be wrong.
BODIES: dict[str, dict[str, object] | None] = {
    "/api/persons/{ref}/confirmation": {
        "channel": "street",
        "evidence": "本人签字",
        "bank_name": "工商银行",
        "bank_account": "6222020200001234567",
    },
    "/api/persons/{ref}/checks": {"kind": "phone", "checked_on": "2021-08-02", "passed": True},
    "/api/persons/{ref}/changes/personal": {"told_on": "2021-08-02", "phone": "13912345678"},
    "/api/persons/{ref}/changes/bank": {
        "told_on": "2021-08-02",
        "bank_name": "建设银行",
        "bank_account": "6217000000005556666",
    },
}


def test_no_route_takes_an_id_number_in_its_path_or_query(api: Api) -> None:
    person = citizen_id(BIRTH)
    api.at("2021-08-02")
    api.feed([registered(person, BIRTH, "钱一")])
    ref = api.ref(person, api.street)
    walked, naming = 0, 0
    for route in iter_route_contexts(api.app.routes):
        path = route.path or ""
        parameters = re.findall(r"{(\w+)", path)
        walked += bool(parameters)
        assert not any(ID_NAMES.search(name) for name in parameters), path
        if isinstance(route.original_route, APIRoute):
            queries = [field.name for field in route.original_route.dependant.query_params]
            assert not any(ID_NAMES.search(name) for name in queries), path
        if "/persons/{" not in path:
            continue
        naming += 1
        assert parameters == ["ref"], path
        if not path.startswith("/api/"):
            continue  # the console's: test_lcon_privacy_pages
        old = path.replace("{ref}", person) + ("?military=true" if "military" in path else "")
        for method in route.methods or ():
            who = api.city if "military" in path else api.street  # a role the route serves
            response = api.client.request(method, old, json=BODIES.get(path), headers=bearer(who))
            assert response.status_code == 404, (method, old, response.text)
            assert person not in response.text
    assert walked > 20 and naming >= 17  # the API's and the console's person routes
    assert api.get(f"/api/persons/{ref}", api.street)["name"] == "钱一"


def test_searching_by_id_number_goes_in_the_body(api: Api) -> None:
    mine, theirs = citizen_id(BIRTH), citizen_id(BIRTH, HAIZHU)
    api.at("2021-08-03")
    api.feed(
        [registered(mine, BIRTH, "孙二"), registered(theirs, BIRTH, "李三", "南华西街", HAIZHU)]
    )
    found = api.post("/api/persons/find", api.street, {"id_number": mine.lower()})
    assert found["name"] == "孙二" and found["masked"] and mine not in str(found)
    assert re.fullmatch(r"[0-9a-f]{16}", found["ref"])
    api.post("/api/persons/find", api.street, {"id_number": theirs}, status=404)
    listed = api.get("/api/persons?name=孙二", api.street)["items"]
    assert [item["ref"] for item in listed] == [found["ref"]]
    refused = api.get(f"/api/persons?name={mine}", api.street, status=422)
    assert "身份证号不得出现在网址中" in refused["detail"][0]["msg"] + str(refused)


def test_answers_carry_the_ref_and_checks_are_logged_by_it(api: Api) -> None:
    person = citizen_id(BIRTH)
    api.at("2021-08-04")
    api.feed([registered(person, BIRTH, "周四")])
    api.post("/api/admin/sweep", api.city)
    ref = api.ref(person)
    tasks = api.get("/api/tasks?limit=100", api.street)["items"]
    assert next(task for task in tasks if task["name"] == "周四")["person_ref"] == ref
    answers = [
        api.confirm(person),
        api.post(
            f"/api/persons/{ref}/checks",
            api.street,
            {"kind": "phone", "checked_on": "2021-08-04", "passed": True},
            201,
        ),
        api.get(f"/api/persons/{ref}/checks", api.street),
        api.post(
            f"/api/persons/{ref}/changes/personal",
            api.street,
            {"told_on": "2021-08-04", "phone": "13912345678"},
            201,
        ),
        api.get("/api/changes", api.street),
        api.get(f"/api/persons/{ref}", api.street),
        api.get("/api/tasks?limit=100", api.street),
    ]
    assert answers[0]["person_ref"] == ref and answers[3]["person_ref"] == ref
    assert all(person not in str(answer) for answer in answers)
    full = api.post(f"/api/persons/{ref}/full-view", api.street)
    assert full["id_number"] == person and full["ref"] == ref
    with session_scope(api.app.state.sessionmaker) as session:
        logged = session.scalars(
            select(AuditLog.after).where(AuditLog.action == "check.record")
        ).all()
    after = next(entry for entry in logged if entry and entry.get("person_ref") == ref)
    assert after["person_id"] == person[:6] + "*" * 8 + person[-4:]
