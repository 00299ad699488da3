"""Who may do what, and hostile input: nothing answers 500, every refusal is clear."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from cpsvc_pool import Pool, bearer, uscc
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from gzcreditpool.models import AuditLog, Role
from gzkit.db import session_scope
from gzkit.sheets import xlsx_bytes

SAME_ORIGIN = {"Origin": "http://testserver"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_tokens_roles_and_bank_scope(pool: Pool) -> None:
    client = pool.client
    pool.at("2023-05-04")
    assert client.get("/api/banks").status_code == 401
    assert client.get("/api/banks", headers=bearer("gzcp_nonsense")).status_code == 401
    # The auditor reads but never writes.
    assert client.get("/api/banks", headers=pool.auditor).status_code == 200
    refused = client.post("/api/loans/forward", json={}, headers=pool.auditor)
    assert refused.status_code == 403 and "只读" in refused.json()["detail"]
    code, bank = pool.partner_bank("丙银行")
    _, other = pool.partner_bank("丁银行")
    firm = pool.enterprise(bank)
    loan = pool.loan(bank, firm)
    # A bank may not act for the trustee or 市科技局, nor see another bank's loan.
    assert client.post("/api/loans/confirm", json={}, headers=bank).status_code == 403
    assert (
        client.post(f"/api/banks/{code}/revocation", json={"reason": "x"}, headers=bank).status_code
        == 403
    )
    assert client.get(f"/api/loans/{loan['id']}", headers=other).status_code == 404
    assert client.get(f"/api/loans/{loan['id']}/tracking", headers=other).status_code == 404
    listed = client.get("/api/loans", headers=other).json()
    assert all(item["bank_code"] != code for item in listed["items"])
    # A bank that is not (yet) a partner may not report.
    body = {
        "call_id": pool.call_id,
        "code": "NEW01",
        "name": "戊银行",
        "conditions": [
            {"key": "branch", "met": True, "evidence": "有"},
            {"key": "policies", "met": False, "evidence": "缺风险容忍政策"},
            {"key": "process", "met": True, "evidence": "有"},
        ],
    }
    pool.ok(client.post("/api/banks", json=body, headers=pool.bureau), 201)
    applicant = bearer(pool.token(Role.BANK, "NEW01"))
    loan_body = {
        "contract_no": "NEW-1",
        "enterprise_uscc": firm,
        "disbursed_on": "2023-05-04",
        "amount": "1000.00",
        "term_months": 12,
        "credit_part": "600.00",
        "financing_guarantee": False,
    }
    refused = client.post("/api/loans", json=loan_body, headers=applicant)
    assert refused.status_code == 403 and "不是合作银行" in refused.json()["detail"]
    refused = client.post(
        "/api/recoveries",
        json={"loan_id": loan["id"], "received_on": "2023-05-04", "gross": "1.00", "fees": "0.00"},
        headers=applicant,
    )
    assert refused.status_code == 403


def test_selection_needs_every_condition_and_publicity_over(pool: Pool) -> None:
    client = pool.client
    pool.at("2023-06-01")
    body = {
        "call_id": pool.call_id,
        "code": "NEW02",
        "name": "己银行",
        "conditions": [
            {"key": "branch", "met": True, "evidence": "有"},
            {"key": "policies", "met": False, "evidence": "缺风险容忍政策"},
            {"key": "process", "met": True, "evidence": "有"},
        ],
    }
    pool.ok(client.post("/api/banks", json=body, headers=pool.trustee), 201)
    pool.ok(client.post("/api/banks/NEW02/review", json={"scores": ["70"]}, headers=pool.trustee))
    pool.ok(
        client.post("/api/banks/NEW02/publicity", json={"until": "2023-06-08"}, headers=pool.bureau)
    )
    early = client.post("/api/banks/NEW02/decision", json={"selected": True}, headers=pool.bureau)
    assert early.status_code == 409 and "公示期" in early.json()["detail"]
    pool.at("2023-06-09")
    unmet = client.post("/api/banks/NEW02/decision", json={"selected": True}, headers=pool.bureau)
    assert unmet.status_code == 409 and "风险容忍" in unmet.json()["detail"]
    done = pool.ok(
        client.post("/api/banks/NEW02/decision", json={"selected": False}, headers=pool.bureau)
    )
    assert done["status"] == "not_selected"


def test_password_sign_in_and_forged_forms(pool: Pool) -> None:
    client = pool.client
    with session_scope(pool.app.state.sessionmaker) as session:
        from gzcreditpool.kit.auth import create_user

        create_user(
            session,
            name="科技局王科",
            role=Role.BUREAU,
            bank_code=None,
            at=pool.clock.now(),
            password="correct horse",
        )
    wrong = client.post(
        "/console/login", data={"name": "科技局王科", "password": "wrong pass"}, headers=SAME_ORIGIN
    )
    assert wrong.status_code == 401 and "账户名或密码不正确" in wrong.text
    forged = client.post(
        "/console/login",
        data={"name": "科技局王科", "password": "correct horse"},
        headers={"Origin": "http://evil.example"},
    )
    assert forged.status_code == 403
    signed = client.post(
        "/console/login",
        data={"name": "科技局王科", "password": "correct horse"},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert signed.status_code == 303 and "gzcreditpool_token" in signed.cookies
    # A cookie-signed API change needs the page's form token.
    assert client.post("/api/loans/confirm", json={}).status_code == 403
    client.cookies.clear()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/loans",
            {
                "contract_no": "a",
                "enterprise_uscc": "x" * 18,
                "disbursed_on": "2023-01-01",
                "amount": "NaN",
                "term_months": 12,
                "credit_part": "1",
                "financing_guarantee": False,
            },
        ),
        (
            "/api/loans",
            {
                "contract_no": "a\x00b",
                "enterprise_uscc": "x" * 18,
                "disbursed_on": "2023-01-01",
                "amount": "1",
                "term_months": 12,
                "credit_part": "1",
                "financing_guarantee": False,
            },
        ),
        (
            "/api/enterprises",
            {
                "uscc": "914401010000000010",
                "name": "坏码",
                "registered_in_guangzhou": True,
                "independent_legal_person": True,
                "revenue": "1",
            },
        ),
        ("/api/claims", {"loan_id": 2**40, "npl_balance": "1"}),
        (
            "/api/recoveries",
            {"loan_id": 1, "received_on": "2023-13-01", "gross": "1e309", "fees": "0"},
        ),
    ],
)
def test_hostile_bodies_are_refused_with_422(
    pool: Pool, path: str, body: dict[str, object]
) -> None:
    _, bank = pool.partner_bank("庚银行")
    method = pool.client.put if path == "/api/enterprises" else pool.client.post
    answer = method(path, json=body, headers=bank)
    assert answer.status_code == 422, answer.text


def test_hostile_requests_never_answer_500(pool: Pool) -> None:
    client = pool.client
    assert client.get("/api/loans/99999999999", headers=pool.trustee).status_code == 422
    assert client.get("/api/loans?status=%00", headers=pool.trustee).status_code == 422
    assert client.get("/api/enterprises/a%00b", headers=pool.trustee).status_code == 422
    huge = client.post(
        "/api/banks",
        content=b"{" + b" " * (2 << 20) + b"}",
        headers=pool.trustee | {"Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    uncovered = client.get("/api/loans/deadline?disbursed_on=1990-01-02", headers=pool.trustee)
    assert uncovered.status_code == 422 and "工作日历未覆盖" in uncovered.text
    assert client.get("/api/loans?page=99999999999", headers=pool.trustee).status_code == 422
    assert client.get("/console/nowhere").status_code == 404
    assert "未找到" in client.get("/console/nowhere").text


def test_bad_upload_line_is_named_and_nothing_is_written(pool: Pool) -> None:
    client = pool.client
    pool.at("2023-07-03")
    _, bank = pool.partner_bank("辛银行")
    firm = pool.enterprise(bank)
    before = client.get("/api/loans", headers=bank).json()["pagination"]["total_count"]
    rows = [
        "contract_no,enterprise_uscc,disbursed_on,amount,term_months,credit_part,financing_guarantee",
        f"OK-1,{firm},2023-07-03,1000.00,12,600.00,false",
        f"BAD-2,{uscc(999_999)},2023-07-03,1000.00,12,600.00,false",
    ]
    answer = client.post(
        "/api/loans/upload",
        headers=bank,
        files={"file": ("loans.csv", io.BytesIO("\n".join(rows).encode()), "text/csv")},
    )
    assert answer.status_code == 422 and "第 3 行" in answer.text
    assert client.get("/api/loans", headers=bank).json()["pagination"]["total_count"] == before
    no_file = client.post("/api/loans/upload", headers=bank, json={"x": 1})
    assert no_file.status_code == 422 and "未收到有效的上传" in no_file.text
    wrong = client.post(
        "/api/loans/upload",
        headers=bank,
        files={"file": ("loans.txt", io.BytesIO(b"x"), "text/plain")},
    )
    assert wrong.status_code == 422 and ".xlsx" in wrong.text


def _mistyped(code: str) -> str:
    """``code`` with a wrong check character."""
    return code[:17] + ("0" if code[17] != "0" else "1")


def test_enterprise_code_check_and_dishonest_flag(pool: Pool) -> None:
    client = pool.client
    pool.at("2023-08-01")
    _, bank = pool.partner_bank("壬银行")
    bad = client.put(
        "/api/enterprises",
        headers=bank,
        json={
            "uscc": _mistyped(uscc(12345)),
            "name": "某公司",
            "registered_in_guangzhou": True,
            "independent_legal_person": True,
            "revenue": "1.00",
        },
    )
    assert bad.status_code == 422 and "校验码" in bad.text
    firm = pool.enterprise(bank)
    # Only the trustee corrects a registration; the same data again changes nothing.
    shown = pool.ok(client.get(f"/api/enterprises/{firm}", headers=bank))
    keys = ("uscc", "name", "registered_in_guangzhou", "independent_legal_person", "revenue",
            "high_tech_certificate_no", "high_tech_valid_until")  # fmt: skip
    again = {k: shown[k] for k in keys}
    pool.ok(client.put("/api/enterprises", json=again, headers=bank))
    changed = again | {"revenue": "600000000.00"}
    refused = client.put("/api/enterprises", json=changed, headers=bank)
    assert refused.status_code == 409 and "受托管理机构" in refused.json()["detail"]
    corrected = pool.ok(client.put("/api/enterprises", json=changed, headers=pool.trustee))
    assert corrected["revenue"] == "600000000.00" and not corrected["eligible_today"]
    pool.ok(client.put("/api/enterprises", json=again, headers=pool.trustee))
    pool.ok(
        client.post(
            f"/api/enterprises/{firm}/dishonest",
            json={"reason": "失信被执行人"},
            headers=pool.bureau,
        )
    )
    shown = pool.ok(client.get(f"/api/enterprises/{firm}", headers=bank))
    assert not shown["eligible_today"] and "失信" in shown["problems_today"][0]
    loan = pool.loan(bank, firm)
    assert not loan["enterprise_eligible"]


def test_the_audit_log_is_append_only(pool: Pool) -> None:
    with pytest.raises(DBAPIError), session_scope(pool.app.state.sessionmaker) as session:
        session.execute(text("UPDATE audit_log SET actor = 'x'"))


def test_an_xlsx_upload_reports_its_loans(pool: Pool) -> None:
    client = pool.client
    pool.at("2023-09-04")
    _, bank = pool.partner_bank("癸银行")
    firm = pool.enterprise(bank)
    header = (
        "contract_no", "enterprise_uscc", "disbursed_on", "amount", "term_months",
        "credit_part", "financing_guarantee",
    )  # fmt: skip
    rows = [
        ("X-1", firm, dt.date(2023, 9, 1), Decimal("500000.00"), 12, Decimal("300000.00"), "false"),
        ("X-2", firm, dt.date(2023, 9, 4), Decimal("800000.50"), 24, Decimal("500000.00"), "true"),
    ]
    template = client.get("/api/loans/upload-template.xlsx", headers=bank)
    assert template.status_code == 200 and template.content[:2] == b"PK"
    data = xlsx_bytes({"贷款": (header, rows)})
    answer = client.post(
        "/api/loans/upload", headers=bank, files={"file": ("贷款.xlsx", io.BytesIO(data), XLSX)}
    )
    made = pool.ok(answer, 201)
    assert made["reported"] == 2
    second = pool.ok(client.get(f"/api/loans/{made['loan_ids'][1]}?full=true", headers=bank))
    assert (second["contract_no"], second["amount"], second["financing_guarantee"]) == (
        "X-2", "800000.50", True,
    )  # fmt: skip


def test_wrong_passwords_lock_the_account_for_a_while(pool: Pool) -> None:
    client = pool.client
    pool.at("2023-10-09")
    with session_scope(pool.app.state.sessionmaker) as session:
        from gzcreditpool.kit.auth import create_user

        user, _ = create_user(session, name="受托经办", role=Role.TRUSTEE, bank_code=None,
                              at=pool.clock.now(), password="right password")  # fmt: skip
        user_id = str(user.id)

    def attempt(password: str, name: str = "受托经办") -> str:
        """``ok``, or the refusal's words."""
        answer = client.post(
            "/console/login", data={"name": name, "password": password}, headers=SAME_ORIGIN,
            follow_redirects=False,
        )  # fmt: skip
        client.cookies.clear()
        refused = re.search(r'<p class="error" role="alert">(.*?)</p>', answer.text)
        return "ok" if answer.status_code == 303 else refused.group(1) if refused else answer.text

    unknown = attempt("right password", "没有这个人")
    assert unknown.startswith("账户名或密码不正确")
    for _ in range(5):
        assert attempt("wrong password") == unknown
    # Locked: the right password is refused too, in the same words (a guesser learns nothing).
    assert attempt("right password") == unknown
    pool.clock.set(pool.clock.now().replace(minute=16))  # the lock ended at 09:15
    assert attempt("right password") == "ok"
    with session_scope(pool.app.state.sessionmaker) as session:
        logged = session.scalars(
            select(AuditLog.action)
            .where(AuditLog.entity == "user", AuditLog.entity_id == user_id)
            .order_by(AuditLog.id)
        ).all()
    assert logged == [
        "user.create", *["user.sign_in_failed"] * 5, "user.lockout", "user.sign_in_failed"
    ]  # fmt: skip


def test_applications_only_within_a_published_call(pool: Pool) -> None:
    client = pool.client
    pool.at("2023-11-01")
    backwards = {"title": "倒置", "opens_on": "2023-11-10", "closes_on": "2023-11-01"}
    assert client.post("/api/banks/calls", json=backwards, headers=pool.bureau).status_code == 422
    assert client.post("/api/banks/calls", json=backwards, headers=pool.trustee).status_code == 403
    call = {"title": "2023 年第二批申报指南", "opens_on": "2023-11-06", "closes_on": "2023-11-10"}
    call_id = pool.ok(client.post("/api/banks/calls", json=call, headers=pool.bureau), 201)["id"]
    body = {"call_id": call_id, "code": "LATE1", "name": "庚银行", "conditions": [
        {"key": key, "met": True, "evidence": "有"} for key in ("branch", "policies", "process")
    ]}  # fmt: skip
    early = client.post("/api/banks", json=body, headers=pool.trustee)
    assert early.status_code == 409 and "不在申报期内" in early.json()["detail"]
    pool.at("2023-11-10")
    made = pool.ok(client.post("/api/banks", json=body, headers=pool.trustee), 201)
    assert made["call_id"] == call_id and made["status"] == "applied"
    calls = pool.ok(client.get("/api/banks/calls", headers=pool.auditor))["items"]
    assert calls[0]["title"] == "2023 年第二批申报指南"
