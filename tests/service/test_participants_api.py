"""The participants API over HTTP (R1, 第四条, 第六条), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from service_api import Api
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from gzvpp.kit.policy import PUBLICITY_ENV, check_settings
from gzvpp.models import AuditLog, Role
from gzvpp.participants.repository import ParticipantRepository


def test_enrol_power_user(api: Api) -> None:
    application = api.user(name="广州某钢铁厂", capability_kw="600.5")
    body = api.enrol(application)
    assert body["kind"] == "user"
    assert body["status"] == "submitted"
    assert body["capability_kw"] == "600.500"
    assert body["submitted_at"] == api.clock.now().isoformat()
    assert body["eligible"] is True
    assert [a["account_id"] for a in body["accounts"]] == [application["account_id"]]
    assert body["accounts"][0]["substation"] == "天河站"

    again = api.client.get(f"/api/participants/{body['id']}", headers=api.grid)
    assert again.status_code == 200
    assert again.json() == body


def test_enrol_aggregator_with_members(api: Api) -> None:
    members = [api.member(capability_kw="700.25"), api.member(capability_kw="1300.75")]
    body = api.enrol(api.aggregator(members=members))
    assert body["kind"] == "aggregator"
    assert body["capability_kw"] == "2001.000"
    assert body["registered_capital_cny"] == "10000000.00"
    assert body["eligible"] is True
    assert [(a["account_id"], a["capability_kw"], a["member_name"]) for a in body["accounts"]] == [
        (m["account_id"], f"{m['capability_kw']}0", "某商场") for m in members
    ]
    codes = [c["code"] for c in body["eligibility"]]
    assert "registered_capital" in codes and "member_accounts" in codes


@pytest.mark.parametrize(
    ("overrides", "failed"),
    [
        ({"general_taxpayer": False}, "general_taxpayer"),
        ({"policy_compliant": False}, "policy"),
        ({"capability_kw": "499.999"}, "capability"),
        ({"category": "general_commercial", "capability_kw": "199"}, "capability"),
        ({"capability_kw": "1000.001"}, "peak_share"),
        ({"response_duration_min": 29}, "duration"),
        ({"realtime_capable": True, "realtime_capability_kw": "500"}, "realtime_monitoring"),
    ],
)
def test_user_eligibility_failure_is_named(
    api: Api, overrides: dict[str, Any], failed: str
) -> None:
    body = api.enrol(api.user(**overrides))
    assert body["status"] == "submitted"
    assert body["eligible"] is False
    assert [c["code"] for c in body["eligibility"] if not c["passed"]] == [failed]
    refused = api.step(body["id"], "start-review", api.grid)
    assert refused.status_code == 200
    refused = api.step(body["id"], "pass-review", api.grid)
    assert refused.status_code == 409
    assert failed in refused.json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "failed"),
    [
        ({"general_taxpayer": False}, "general_taxpayer"),
        ({"registered_in_guangzhou": False}, "registered_in_guangzhou"),
        ({"registered_capital_cny": "4999999.99"}, "registered_capital"),
        ({"member_list_on_file": False}, "member_list"),
        ({"delegation_agreement_on_file": False}, "delegation_agreement"),
    ],
)
def test_aggregator_eligibility_failure_is_named(
    api: Api, overrides: dict[str, Any], failed: str
) -> None:
    body = api.enrol(api.aggregator(**overrides))
    assert [c["code"] for c in body["eligibility"] if not c["passed"]] == [failed]


def test_aggregator_member_failures_are_named(api: Api) -> None:
    members = [api.member(capability_kw="999.999"), api.member(policy_compliant=False)]
    body = api.enrol(api.aggregator(members=members))
    failed = {c["code"]: c["message"] for c in body["eligibility"] if not c["passed"]}
    assert set(failed) == {"capability", "member_policy"}
    assert members[1]["account_id"] in failed["member_policy"]


def test_workflow_to_active(api: Api) -> None:
    pid = api.enrol(api.user())["id"]
    expected = [
        ("start-review", api.grid, "grid_review", "review_started_at"),
        ("pass-review", api.grid, "publicity", "publicity_started_at"),
        ("clear-publicity", api.regulator, "publicity", "publicity_cleared_at"),
        ("activate", api.grid, "active", "activated_at"),
    ]
    for step, headers, status, stamp in expected:
        api.clock.advance(dt.timedelta(days=1))
        response = api.step(pid, step, headers)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
        assert response.json()[stamp] == api.clock.now().isoformat()


@pytest.mark.parametrize(
    ("done", "step", "role"),
    [
        ([], "start-review", Role.REGULATOR),
        ([], "start-review", Role.POWER_USER),
        (["start-review"], "pass-review", Role.REGULATOR),
        (["start-review", "pass-review"], "clear-publicity", Role.GRID_OPERATOR),
        (["start-review", "pass-review", "clear-publicity"], "activate", Role.REGULATOR),
    ],
)
def test_step_by_the_wrong_role_is_forbidden(
    api: Api, done: list[str], step: str, role: Role
) -> None:
    pid = api.enrol(api.user())["id"]
    for earlier in done:
        headers = api.regulator if earlier == "clear-publicity" else api.grid
        assert api.step(pid, earlier, headers).status_code == 200
    headers = api.token(role, pid if role.participant_scoped else None)
    response = api.step(pid, step, headers)
    assert response.status_code == 403
    assert role.value in response.json()["detail"]


def test_steps_out_of_order_conflict(api: Api) -> None:
    pid = api.enrol(api.user())["id"]
    skipped = api.step(pid, "pass-review", api.grid)
    assert skipped.status_code == 409
    assert "submitted" in skipped.json()["detail"]
    api.step(pid, "start-review", api.grid)
    api.step(pid, "pass-review", api.grid)
    early = api.step(pid, "activate", api.grid)
    assert early.status_code == 409
    assert "not cleared" in early.json()["detail"]
    assert api.step(pid, "clear-publicity", api.regulator).status_code == 200
    assert api.step(pid, "clear-publicity", api.regulator).status_code == 409


def test_unknown_participant_is_404(api: Api) -> None:
    assert api.client.get("/api/participants/nope", headers=api.grid).status_code == 404
    assert api.step("nope", "start-review", api.grid).status_code == 404


def reject(api: Api, pid: str, headers: dict[str, str], reason: str = "资料不全") -> Any:
    return api.client.post(
        f"/api/participants/{pid}/reject", json={"reason": reason}, headers=headers
    )


def test_rejection_with_reason_releases_accounts(api: Api) -> None:
    application = api.user()
    pid = api.enrol(application)["id"]
    response = reject(api, pid, api.grid, "  营业执照过期  ")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected"
    assert body["rejection_reason"] == "营业执照过期"
    assert body["rejected_at"] == api.clock.now().isoformat()
    assert body["accounts"][0]["released_at"] == api.clock.now().isoformat()

    # The released account may apply again; the old application now sees it taken.
    api.enrol({**api.user(), "account_id": application["account_id"]})
    old = api.client.get(f"/api/participants/{pid}", headers=api.grid).json()
    assert [c["code"] for c in old["eligibility"] if not c["passed"]] == ["account"]
    assert reject(api, pid, api.grid).status_code == 409


def test_who_may_reject_depends_on_the_status(api: Api) -> None:
    pid = api.enrol(api.user())["id"]
    assert reject(api, pid, api.regulator).status_code == 403
    api.step(pid, "start-review", api.grid)
    api.step(pid, "pass-review", api.grid)
    forbidden = reject(api, pid, api.grid)
    assert forbidden.status_code == 403
    assert "regulator" in forbidden.json()["detail"]
    assert reject(api, pid, api.regulator, "公示期间收到异议").json()["status"] == "rejected"

    active = api.enrol(api.user())["id"]
    api.activate(active)
    assert reject(api, active, api.grid).status_code == 409


def test_reject_needs_a_reason(api: Api) -> None:
    pid = api.enrol(api.user())["id"]
    response = reject(api, pid, api.grid, "   ")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "reason"]


def test_account_enrolled_twice_conflicts(api: Api) -> None:
    first = api.enrol(api.user(name="先申请的用户"))
    account = first["accounts"][0]["account_id"]
    for application in (
        api.user(account_id=account),
        api.aggregator(members=[api.member(), api.member(account_id=account)]),
    ):
        response = api.client.post("/api/participants", json=application, headers=api.grid)
        assert response.status_code == 409
        detail = response.json()["detail"]
        assert account in detail and first["id"] in detail and "先申请的用户" in detail
    # Nothing of the refused aggregator was written.
    listed = api.client.get("/api/participants", params={"q": account}, headers=api.grid).json()
    assert [p["id"] for p in listed["items"]] == [first["id"]]


def test_same_account_twice_in_one_application(api: Api) -> None:
    member = api.member()
    response = api.client.post(
        "/api/participants",
        json=api.aggregator(members=[member, api.member(), dict(member)]),
        headers=api.grid,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "aggregator", "members", 2, "account_id"]


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"capability_kw": "-1"}, ["body", "user", "capability_kw"]),
        ({"capability_kw": "1.0001"}, ["body", "user", "capability_kw"]),
        ({"capability_kw": "1e20"}, ["body", "user", "capability_kw"]),
        ({"capability_kw": "many"}, ["body", "user", "capability_kw"]),
        ({"capability_kw": "NaN"}, ["body", "user", "capability_kw"]),
        ({"max_load_kw": "Infinity"}, ["body", "user", "max_load_kw"]),
        ({"category": "居民"}, ["body", "user", "category"]),
        ({"response_duration_min": 0}, ["body", "user", "response_duration_min"]),
        ({"name": "x" * 201}, ["body", "user", "name"]),
        ({"account_id": "03 01"}, ["body", "user", "account_id"]),
        ({"feeder": ""}, ["body", "user", "feeder"]),
        ({"capabilty_kw": "1"}, ["body", "user", "capabilty_kw"]),
        ({"realtime_capable": True}, ["body", "user"]),
    ],
)
def test_bad_payload_names_the_field(api: Api, overrides: dict[str, Any], loc: list[Any]) -> None:
    response = api.client.post("/api/participants", json=api.user(**overrides), headers=api.grid)
    assert response.status_code == 422
    assert loc in [e["loc"] for e in response.json()["detail"]]


def test_bad_kind_and_body(api: Api) -> None:
    for body in ({"kind": "household"}, {"name": "no kind"}, [1, 2]):
        response = api.client.post("/api/participants", json=body, headers=api.grid)
        assert response.status_code == 422
    not_json = api.client.post(
        "/api/participants",
        content=b"{not json",
        headers={**api.grid, "Content-Type": "application/json"},
    )
    assert not_json.status_code == 422


def test_participant_token_sees_only_its_own(api: Api) -> None:
    mine = api.enrol(api.user())["id"]
    other = api.enrol(api.user())["id"]
    aggregator = api.enrol(api.aggregator())["id"]
    headers = api.token(Role.POWER_USER, mine)
    assert api.client.get(f"/api/participants/{mine}", headers=headers).status_code == 200
    for hidden in (other, aggregator, "nope"):
        response = api.client.get(f"/api/participants/{hidden}", headers=headers)
        assert response.status_code == 404
        assert response.json() == {"detail": f"participant {hidden} not found"}
    listed = api.client.get("/api/participants", headers=headers).json()
    assert [p["id"] for p in listed["items"]] == [mine]
    assert api.client.get("/api/participants/publicity", headers=headers).status_code == 403
    enrol = api.client.post("/api/participants", json=api.user(), headers=headers)
    assert enrol.status_code == 403
    assert reject(api, mine, headers).status_code == 403

    agg_headers = api.token(Role.AGGREGATOR, aggregator)
    assert api.client.get(f"/api/participants/{mine}", headers=agg_headers).status_code == 404
    assert api.client.get(f"/api/participants/{aggregator}", headers=agg_headers).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer gzvpp_not-a-real-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
    ],
)
def test_missing_or_invalid_token_is_401(api: Api, headers: dict[str, str]) -> None:
    for method, path in (
        ("GET", "/api/participants"),
        ("GET", "/api/participants/publicity"),
        ("POST", "/api/participants/x/start-review"),
    ):
        response = api.client.request(method, path, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert "token" in response.json()["detail"]


def test_audit_records_every_change(api: Api) -> None:
    pid = api.enrol(api.user())["id"]
    api.activate(pid)
    with api.session() as session:
        rows = session.scalars(
            select(AuditLog).where(AuditLog.entity_id == pid).order_by(AuditLog.id)
        ).all()
    assert [r.action for r in rows] == [
        "participant.enrol",
        "participant.start_review",
        "participant.pass_review",
        "participant.clear_publicity",
        "participant.activate",
    ]
    assert rows[0].before is None and rows[0].after is not None
    assert rows[0].after["status"] == "submitted"
    assert rows[0].after["accounts"][0]["capability_kw"] == "800.000"
    assert [(r.before and r.before["status"], r.after and r.after["status"]) for r in rows[1:]] == [
        ("submitted", "grid_review"),
        ("grid_review", "publicity"),
        ("publicity", "publicity"),
        ("publicity", "active"),
    ]
    assert rows[3].before is not None and rows[3].before["publicity_cleared_at"] is None
    assert rows[3].after is not None and rows[3].after["publicity_cleared_at"] is not None
    assert rows[3].actor.startswith("regulator#")
    assert all(r.actor.startswith("grid_operator#") for r in rows if r is not rows[3])


def test_audit_log_refuses_update_and_delete(api: Api) -> None:
    api.enrol(api.user())
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), api.session() as session:
            session.execute(text(statement))
    with api.session() as session:
        assert "someone else" not in session.scalars(select(AuditLog.actor)).all()


def test_race_on_an_account_writes_nothing(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two enrolments of one account at once: the unique index decides, and the loser's
    participant row, flushed before its accounts, is rolled back with them."""
    taken = api.enrol(api.user())["accounts"][0]["account_id"]
    audit_rows = select(func.count()).select_from(AuditLog)
    with api.session() as session:
        audited = session.scalar(audit_rows)
    monkeypatch.setattr(ParticipantRepository, "holders", lambda self, ids: {})
    response = api.client.post(
        "/api/participants",
        json=api.aggregator(name="竞争者", members=[api.member(), api.member(account_id=taken)]),
        headers=api.grid,
    )
    assert response.status_code == 409
    assert "conflicts with data stored meanwhile" in response.json()["detail"]
    listed = api.client.get("/api/participants", params={"q": "竞争者"}, headers=api.grid)
    assert listed.json()["pagination"]["total_count"] == 0
    with api.session() as session:
        assert session.scalar(audit_rows) == audited


def test_openapi_docs(api: Api) -> None:
    assert api.client.get("/docs").status_code == 200
    spec = api.client.get("/openapi.json").json()
    assert spec["info"]["title"] == "广州市虚拟电厂管理平台"
    assert "/api/participants/{participant_id}/clear-publicity" in spec["paths"]


def test_an_ineligible_review_is_refused_naming_the_checks_in_both_languages(api: Api) -> None:
    pid = api.enrol(api.user(capability_kw="1000.001", general_taxpayer=False))["id"]
    api.step(pid, "start-review", api.grid)
    refused = api.step(pid, "pass-review", api.grid)
    assert refused.status_code == 409
    chinese, english = refused.json()["detail"].split(" / ")
    assert chinese == "未满足准入条件（第四条）：一般纳税人、响应能力占最大负荷比例"
    assert "general_taxpayer, peak_share" in english


def test_publicity_cannot_be_cleared_before_its_working_days_are_over(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PUBLICITY_ENV, "5")
    # From Monday 29 September 2025: National Day and Mid-autumn (1–8 October) are off and
    # Saturday 11 October is worked, so the 5 working days are 30 September, 9, 10, 11 and 13
    # October; the regulator may clear from 14 October.
    api.clock.set(dt.datetime(2025, 9, 29, 10, 0))
    pid = api.enrol(api.user())["id"]
    api.step(pid, "start-review", api.grid)
    passed = api.step(pid, "pass-review", api.grid)
    assert passed.json()["publicity_ends_at"] == "2025-10-14T00:00:00"
    api.clock.set(dt.datetime(2025, 9, 29, 10, 1))
    early = api.step(pid, "clear-publicity", api.regulator)
    assert early.status_code == 409
    assert early.json()["detail"].startswith("公示期未满：5 个工作日的公示至 2025-10-14 00:00 结束")
    assert "until 2025-10-14 00:00" in early.json()["detail"]
    api.clock.set(dt.datetime(2025, 10, 13, 23, 59))
    assert api.step(pid, "clear-publicity", api.regulator).status_code == 409
    api.clock.set(dt.datetime(2025, 10, 14, 0, 0))
    assert api.step(pid, "clear-publicity", api.regulator).status_code == 200


def test_a_bad_publicity_setting_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PUBLICITY_ENV, "five")
    with pytest.raises(ValueError, match=PUBLICITY_ENV):
        check_settings()
