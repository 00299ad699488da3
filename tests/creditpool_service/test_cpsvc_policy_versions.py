"""The policy's validity and its rule versions (C10; 第三十一条, 第三十二条).

A bank's loan is taken in only when disbursed from 2021-07-01 to 2026-06-30 and carries the
version ``2021``; a loan of the window is claimed on after the window ends (a 2027 claim on a
2025 loan is decided). 市科技局 alone registers an earlier policy (穗科规字〔2019〕4号) and carries
in a loan confirmed under it: listed with its version, outside this policy's yearly caps (the
enterprise's 3000 万 and the banks' lending shares), and a claim on it is refused: it is
handled under the earlier policy.

Lending of this policy in 2021: bank A 10,000,000 (L1) and bank B 10,000,000, so each bank's
cap for 2022 claims is 100,000,000; the 2021 loans carried in (A 1,000,000, B 25,000,000)
change neither.
"""

from __future__ import annotations

from typing import Any

from cpsvc_pool import Pool
from sqlalchemy import select

from gzcreditpool.models import AuditLog
from gzkit.db import session_scope

EARLIER = {
    "code": "2019",
    "title": "穗科规字〔2019〕4号",
    "starts_on": "2019-07-01",
    "ends_on": "2021-06-30",
}
WINDOW = "2021-07-01 至 2026-06-30"


def _refused(pool: Pool, headers: dict[str, str], firm: str, day: str) -> str:
    body = {
        "contract_no": f"HT-{day}",
        "enterprise_uscc": firm,
        "disbursed_on": day,
        "amount": "1000000.00",
        "term_months": 12,
        "credit_part": "600000.00",
        "financing_guarantee": False,
    }
    answer = pool.client.post("/api/loans", json=body, headers=headers)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"] == ["body", "disbursed_on"]
    message: str = error["msg"]
    return message


def _carried(firm: str, bank_code: str, **fields: Any) -> dict[str, Any]:
    return {
        "contract_no": "HT-2019-0001",
        "enterprise_uscc": firm,
        "disbursed_on": "2021-03-10",
        "amount": "25000000.00",
        "term_months": 36,
        "credit_part": "15000000.00",
        "financing_guarantee": False,
        "bank_code": bank_code,
        "confirmed_on": "2021-03-12",
    } | fields


def _claim_ready(pool: Pool, headers: dict[str, str], loan_id: int, as_of: str) -> None:
    classified = {"category": "次级", "as_of": as_of}
    url = f"/api/loans/{loan_id}/classifications"
    pool.ok(pool.client.post(url, json=classified, headers=headers), 201)
    judgment = {"kind": "lawsuit", "case_no": f"(案){loan_id}", "effective_on": as_of}
    document = {"file": ("判决书.pdf", b"%PDF-1.4", "application/pdf")}
    url = f"/api/loans/{loan_id}/legal-actions"
    pool.ok(pool.client.post(url, data=judgment, files=document, headers=headers), 201)


def test_the_window_the_versions_and_the_earlier_policy(pool: Pool) -> None:
    client = pool.client
    pool.at("2021-06-01")
    code_a, a = pool.partner_bank("甲银行广州分行")
    code_b, b = pool.partner_bank("乙银行广州分行")
    firm = pool.enterprise(a)
    firm_b = pool.enterprise(b)

    # The versions: this policy only, for the staff; a bank may not look.
    [current] = pool.ok(client.get("/api/policy-versions", headers=pool.bureau))["items"]
    assert current == {
        "code": "2021",
        "title": "穗科规字〔2021〕2号",
        "starts_on": "2021-07-01",
        "ends_on": "2026-06-30",
        "earlier": False,
        "loans": 0,
    }
    assert client.get("/api/policy-versions", headers=a).status_code == 403

    # 市科技局 alone registers the earlier policy; it must end before 2021-07-01.
    for headers in (pool.trustee, pool.auditor, a):
        answer = client.post("/api/policy-versions", json=EARLIER, headers=headers)
        assert answer.status_code == 403
    late = EARLIER | {"ends_on": "2021-07-01"}
    assert client.post("/api/policy-versions", json=late, headers=pool.bureau).status_code == 422
    pool.ok(client.post("/api/policy-versions", json=EARLIER, headers=pool.bureau), 201)
    again = client.post("/api/policy-versions", json=EARLIER, headers=pool.bureau)
    assert again.status_code == 409

    # The window's first day: the day before is refused, naming the day and the window.
    pool.at("2021-06-30")
    message = _refused(pool, a, firm, "2021-06-30")
    assert "2021-06-30" in message and WINDOW in message and "第三十二条" in message
    pool.at("2021-07-01")
    l1 = pool.loan(a, firm, disbursed_on="2021-07-01", amount="10000000.00",
                   credit_part="6000000.00")  # fmt: skip
    assert (l1["policy_code"], l1["earlier_policy"]) == ("2021", False)

    # Carried in under the earlier policy: 市科技局 only, confirmed within that policy.
    url = "/api/policy-versions/2019/loans"
    for headers in (pool.trustee, a):
        assert client.post(url, json=_carried(firm, code_a), headers=headers).status_code == 403
    into_current = client.post(
        "/api/policy-versions/2021/loans", json=_carried(firm, code_a), headers=pool.bureau
    )
    assert into_current.status_code == 409
    late_confirmation = _carried(firm, code_a, confirmed_on="2021-07-01")
    assert client.post(url, json=late_confirmation, headers=pool.bureau).status_code == 422
    small = _carried(firm, code_a, amount="1000000.00", credit_part="600000.00")
    carried = pool.ok(client.post(url, json=small, headers=pool.bureau), 201)
    assert (carried["status"], carried["policy_code"], carried["earlier_policy"]) == (
        "confirmed",
        "2019",
        True,
    )
    big = _carried(firm_b, code_b, contract_no="HT-2019-0002")
    carried_b = pool.ok(client.post(url, json=big, headers=pool.bureau), 201)
    l_b = pool.loan(b, firm_b, disbursed_on="2021-07-01", amount="10000000.00",
                    credit_part="6000000.00")  # fmt: skip
    # The enterprise's 3000 万 of 2021 counts this policy's loans only: bank B's 10,000,000
    # is taken in beside the 25,000,000 carried in.
    pool.ok(client.post("/api/loans/forward", json={}, headers=pool.trustee))
    pool.ok(client.post("/api/loans/confirm", json={}, headers=pool.bureau))
    listed = pool.ok(client.get("/api/loans?limit=100", headers=a))["items"]
    assert {(x["id"], x["status"], x["policy_code"]) for x in listed} == {
        (l1["id"], "confirmed", "2021"),
        (carried["id"], "confirmed", "2019"),
    }
    answer = pool.ok(client.get(f"/api/loans/{l_b['id']}", headers=b))
    assert (answer["status"], answer["reason"]) == ("confirmed", None)
    with session_scope(pool.app.state.sessionmaker) as session:
        actions = session.scalars(
            select(AuditLog.action).where(
                AuditLog.action.in_(["policy_version.register", "loan.carry_in"])
            )
        ).all()
    assert sorted(actions) == ["loan.carry_in", "loan.carry_in", "policy_version.register"]

    # The banks' caps for 2022 claims: this policy's 2021 lending only, half each.
    caps = pool.ok(client.get("/api/claims/caps/2022", headers=pool.bureau))
    assert {c["bank_code"]: c["cap"] for c in caps["items"]} == {
        code_a: "100000000.00",
        code_b: "100000000.00",
    }

    # A claim on the carried loan is handled under the earlier policy.
    pool.at("2022-03-01")
    _claim_ready(pool, a, carried["id"], "2022-01-04")
    refused = client.post(
        "/api/claims", json={"loan_id": carried["id"], "npl_balance": "1000000.00"}, headers=a
    )
    assert refused.status_code == 409 and "按原政策办理" in refused.json()["detail"]
    assert carried_b["earlier_policy"]

    # The window's last day is taken, the day after is refused.
    pool.at("2025-03-03")
    l2025 = pool.loan(a, firm, disbursed_on="2025-03-03")
    pool.at("2026-06-30")
    last = pool.loan(a, firm, disbursed_on="2026-06-30")
    assert last["policy_code"] == "2021"
    pool.ok(client.post("/api/loans/forward", json={}, headers=pool.trustee))
    pool.ok(client.post("/api/loans/confirm", json={}, headers=pool.bureau))
    pool.at("2026-07-01")
    message = _refused(pool, a, firm, "2026-07-01")
    assert "2026-07-01" in message and WINDOW in message

    # The obligations outlive the policy: a 2027 claim on the 2025 loan is decided and paid.
    pool.at("2026-11-02")
    _claim_ready(pool, a, l2025["id"], "2026-10-09")
    pool.at("2027-02-01")
    claim = {"loan_id": l2025["id"], "npl_balance": "800000.00"}
    filed = pool.ok(client.post("/api/claims", json=claim, headers=a), 201)
    [reviewed] = pool.ok(client.post("/api/claims/review", json={}, headers=pool.trustee))
    assert (reviewed["id"], reviewed["amount"]) == (filed["id"], "400000.00")
    [approved] = pool.ok(client.post("/api/claims/approve", json={}, headers=pool.bureau))
    assert (approved["status"], approved["budget_year"]) == ("approved", 2028)

    versions = pool.ok(client.get("/api/policy-versions?limit=1", headers=pool.auditor))
    assert versions["pagination"]["total_count"] == 2
    assert [(v["code"], v["loans"]) for v in versions["items"]] == [("2021", 4)]
