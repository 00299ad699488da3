"""The pool's whole way through the service, hand-computed (C2–C8): banks selected, loans
reported (one by upload), checked, confirmed; claims under the loan and bank caps; recoveries
with refunds and their due days; the trustee's fee, the budget line; a sanction.

Lending in 2023: bank A 1,000,000 (one loan), bank B 14 × 30,000,000 = 420,000,000, all in
the pool; so bank A's cap for 2024 claims is 200,000,000 × 1,000,000 ÷ 421,000,000 =
475,059.382… → 475,059.38 and bank B's 199,524,940.62.
"""

from __future__ import annotations

import io
from decimal import Decimal

from cpsvc_pool import Pool
from sqlalchemy import func, select

from gzcreditpool.models import AuditLog
from gzkit.db import session_scope


def _audit_count(pool: Pool, action: str) -> int:
    with session_scope(pool.app.state.sessionmaker) as session:
        return session.scalar(select(func.count()).where(AuditLog.action == action)) or 0


def test_the_pool_from_bank_selection_to_sanction(pool: Pool) -> None:
    client = pool.client
    pool.at("2023-02-01")
    bank_a, a = pool.partner_bank("甲银行广州分行")
    bank_b, b = pool.partner_bank("乙银行广州分行")

    # Enterprises: one eligible for A, one not (revenue over 5 亿 and no type), 14 for B.
    e1 = pool.enterprise(a)
    e2 = pool.enterprise(
        a, revenue="600000000.00", high_tech_certificate_no=None, high_tech_valid_until=None
    )
    firms_b = [
        pool.enterprise(
            b,
            high_tech_certificate_no=None,
            high_tech_valid_until=None,
            sme_database_no=f"KJ{k:04d}",
        )
        for k in range(14)
    ]

    # 2023-02-27 (Mon) disbursed; the 7th working day after is 2023-03-08, reported 03-01.
    pool.at("2023-03-01")
    deadline = pool.ok(client.get("/api/loans/deadline?disbursed_on=2023-02-27", headers=a))
    assert deadline == {
        "disbursed_on": "2023-02-27",
        "deadline": "2023-03-08",
        "working_days_left": 5,
    }
    l1 = pool.loan(a, e1, disbursed_on="2023-02-27")
    assert l1["report_deadline"] == "2023-03-08" and l1["status"] == "reported"
    l2 = pool.loan(a, e2, disbursed_on="2023-03-01")
    assert not l2["enterprise_eligible"] and "5 亿" in l2["eligibility_note"]
    l3 = pool.loan(
        a, e1, disbursed_on="2023-03-01", amount="29000001.00", credit_part="20000000.00"
    )
    late = pool.loan(a, e1, disbursed_on="2023-02-01", amount="100.00", credit_part="60.00")

    # Bank B reports its 14 loans by a GB18030 CSV upload.
    lines = [
        "contract_no,enterprise_uscc,disbursed_on,amount,term_months,credit_part,financing_guarantee"
    ]
    lines += [
        f"乙-{k},{firm},2023-03-01,30000000.00,36,16000000.00,false"
        for k, firm in enumerate(firms_b)
    ]
    data = ("\n".join(lines) + "\n").encode("gb18030")
    uploaded = client.post(
        "/api/loans/upload", files={"file": ("贷款.csv", io.BytesIO(data), "text/csv")}, headers=b
    )
    assert pool.ok(uploaded, 201)["reported"] == 14

    # The trustee checks and forwards (the rules decide), 市科技局 confirms in bulk.
    assert client.post("/api/loans/forward", json={}, headers=a).status_code == 403
    forwarded = pool.ok(client.post("/api/loans/forward", json={}, headers=pool.trustee))
    assert forwarded == {"forwarded": 18, "registrable": 15}
    confirmations = pool.ok(client.post("/api/loans/confirm", json={}, headers=pool.bureau))
    assert [(c["bank_code"], c["loans"], c["total"]) for c in confirmations] == [
        (bank_a, 1, "1000000.00"),
        (bank_b, 14, "420000000.00"),
    ]
    reasons = {
        loan["id"]: (loan["status"], loan["reason"])
        for loan in pool.ok(client.get("/api/loans?limit=100", headers=a))["items"]
    }
    assert reasons == {
        l1["id"]: ("confirmed", None),
        l2["id"]: ("refused", "not_eligible"),
        l3["id"]: ("refused", "enterprise_year_cap"),
        late["id"]: ("refused", "late_report"),
    }
    # Lists come a page at a time (gzkit.pagination), a bank's own only.
    second = pool.ok(client.get("/api/loans?limit=4&page=2", headers=b))
    assert len(second["items"]) == 4
    assert second["pagination"] == {"total_count": 14, "max_page": 4}
    assert client.get("/api/loans?limit=101", headers=b).status_code == 422
    # The 确认书 goes to bank A, not to bank B; the download is logged.
    first = confirmations[0]["id"]
    sheet = client.get(f"/api/confirmations/{first}.xlsx", headers=a)
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    assert client.get(f"/api/confirmations/{first}.xlsx", headers=b).status_code == 404
    assert _audit_count(pool, "export") >= 1

    # Bank secrecy: B cannot see A's loan; the auditor sees it masked and never in full.
    assert client.get(f"/api/loans/{l1['id']}", headers=b).status_code == 404
    masked = pool.ok(client.get(f"/api/loans/{l1['id']}", headers=pool.auditor))
    assert masked["masked"] and masked["enterprise_uscc"] != e1 and "*" in masked["enterprise_uscc"]
    assert client.get(f"/api/loans/{l1['id']}?full=true", headers=pool.auditor).status_code == 403
    views = _audit_count(pool, "loan.view_full")
    full = pool.ok(client.get(f"/api/loans/{l1['id']}?full=true", headers=pool.trustee))
    assert full["enterprise_uscc"] == e1 and _audit_count(pool, "loan.view_full") == views + 1

    # The trustee's fee for 2023: 2,000,000 + 0.06 % × 421,000,000 = 2,252,600.00.
    fee = pool.ok(client.get("/api/fees/2023", headers=pool.bureau))
    assert (fee["lent"], fee["fee"], fee["report_due_on"]) == (
        "421000000.00",
        "2252600.00",
        "2024-03-31",
    )

    # The trustee's report on 2023, due 2024-03-31: not before the year is over, then once.
    note = {"summary": "2023 年度工作报告"}
    assert client.post("/api/reports/2023", json=note, headers=pool.trustee).status_code == 409
    # Post-loan: A's loan goes bad; judgment effective 2024-02-15.
    pool.at("2024-02-20")
    loan_b = next(
        item["id"] for item in pool.ok(client.get("/api/loans?limit=100", headers=b))["items"]
    )
    for loan_id, headers in ((l1["id"], a), (loan_b, b)):
        pool.ok(
            client.post(
                f"/api/loans/{loan_id}/classifications",
                json={"category": "次级", "as_of": "2024-01-31"},
                headers=headers,
            ),
            201,
        )
        pool.ok(
            client.post(
                f"/api/loans/{loan_id}/legal-actions",
                data={
                    "kind": "lawsuit",
                    "case_no": "(2024)粤0106民初1号",
                    "effective_on": "2024-01-15" if headers is b else "2024-02-15",
                },
                files={"file": ("判决书.pdf", io.BytesIO(b"%PDF-1.4 judgment"), "application/pdf")},
                headers=headers,
            ),
            201,
        )

    # 2024-03-01: A claims 15 days after the judgment (too recent); B claims 46 days after.
    pool.at("2024-03-01")
    early = pool.ok(
        client.post(
            "/api/claims", json={"loan_id": l1["id"], "npl_balance": "1000000.00"}, headers=a
        ),
        201,
    )
    checks = {c["condition"]: c["met"] for c in early["checks"]}
    assert checks["生效或立案超过 30 天"] is False and checks["贷款已确认入池"] is True
    claim_b = pool.ok(
        client.post(
            "/api/claims", json={"loan_id": loan_b, "npl_balance": "20000000.00"}, headers=b
        ),
        201,
    )
    pool.ok(
        client.post(
            f"/api/loans/{l2['id']}/classifications",
            json={"category": "损失", "as_of": "2024-02-29"},
            headers=a,
        ),
        201,
    )
    refused_loan = pool.ok(
        client.post(
            "/api/claims", json={"loan_id": l2["id"], "npl_balance": "500000.00"}, headers=a
        ),
        201,
    )
    # B recovers 100,000 on 03-05, after filing: nothing is owed until the claim is approved.
    pool.at("2024-03-05")
    early_body = {"loan_id": loan_b, "received_on": "2024-03-05", "gross": "100000.00",
                  "fees": "0.00"}  # fmt: skip
    early_recovery = pool.ok(client.post("/api/recoveries", json=early_body, headers=b), 201)
    assert (early_recovery["refund"], early_recovery["due_on"]) == ("0.00", None)
    # 2024-03-20: 34 days after A's judgment; its cap (475,059.38) is below half (500,000).
    pool.at("2024-03-20")
    later = pool.ok(
        client.post(
            "/api/claims", json={"loan_id": l1["id"], "npl_balance": "1000000.00"}, headers=a
        ),
        201,
    )
    again = pool.ok(
        client.post(
            "/api/claims", json={"loan_id": l1["id"], "npl_balance": "1000000.00"}, headers=a
        ),
        201,
    )

    report = pool.ok(client.post("/api/reports/2023", json=note, headers=pool.trustee), 201)
    assert (report["due_on"], report["late"]) == ("2024-03-31", False)
    assert client.post("/api/reports/2023", json=note, headers=pool.trustee).status_code == 409
    assert client.post("/api/reports/2023", json=note, headers=pool.bureau).status_code == 403
    frozen = client.get("/api/reports/2023.xlsx", headers=pool.bureau)
    assert frozen.status_code == 200 and frozen.content[:2] == b"PK"
    reviewed = pool.ok(client.post("/api/claims/review", json={}, headers=pool.trustee))
    decided = {c["id"]: (c["decision"], c["reason"], c["amount"]) for c in reviewed}
    assert decided == {
        early["id"]: ("refused", "legal_too_recent", "0.00"),
        claim_b["id"]: ("approved", None, "10000000.00"),
        refused_loan["id"]: ("refused", "loan_not_registered", "0.00"),
        later["id"]: ("partial", "bank_cap", "475059.38"),
        again["id"]: ("refused", "bank_cap_reached", "0.00"),
    }
    caps = {
        c["bank_code"]: c
        for c in pool.ok(client.get("/api/claims/caps/2024", headers=pool.trustee))["items"]
    }
    assert (caps[bank_a]["cap"], caps[bank_a]["used"], caps[bank_a]["left"]) == (
        "475059.38", "475059.38", "0.00",
    )  # fmt: skip
    assert (caps[bank_b]["cap"], caps[bank_b]["used"]) == ("199524940.62", "10000000.00")
    # Paged like every list: one bank a page, in the same order.
    pages = [
        pool.ok(client.get(f"/api/claims/caps/2024?limit=1&page={k}", headers=pool.trustee))
        for k in range(1, len(caps) + 1)
    ]
    assert [p["pagination"] for p in pages] == [
        {"total_count": len(caps), "max_page": len(caps)}
    ] * len(caps)
    assert [p["items"][0]["bank_code"] for p in pages] == list(caps)
    own = pool.ok(client.get("/api/claims/caps/2024", headers=a))["items"]
    assert [(c["bank_code"], c["left"]) for c in own] == [(bank_a, "0.00")]
    approved = pool.ok(client.post("/api/claims/approve", json={}, headers=pool.bureau))
    assert len(approved) == 5
    assert pool.ok(client.get(f"/api/claims/{later['id']}", headers=a))["due_on"] == "2024-12-31"
    # Approved, B's claim makes the 03-05 recovery owe 100,000 × 10,000,000 ÷ 20,000,000,
    # due on the 30th working day after receipt (over Qingming: 2024-04-07 is worked).
    listed = pool.ok(client.get("/api/recoveries", headers=b))["items"]
    early_now = next(r for r in listed if r["id"] == early_recovery["id"])
    assert (early_now["refund"], early_now["due_on"]) == ("50000.00", "2024-04-17")

    # Recoveries: B recovers 2,000,000 less 100,000 fees on 2024-08-01 → refund 1,900,000 ×
    # 10,000,000 ÷ 20,000,000 = 950,000.00, due on the 30th working day, 2024-09-12.
    pool.at("2024-08-02")
    recovery = pool.ok(
        client.post(
            "/api/recoveries",
            json={
                "loan_id": loan_b,
                "received_on": "2024-08-01",
                "gross": "2000000.00",
                "fees": "100000.00",
            },
            headers=b,
        ),
        201,
    )
    assert (recovery["refund"], recovery["due_on"], recovery["overdue"]) == (
        "950000.00",
        "2024-09-12",
        False,
    )
    # A recovers 100,000: × 475,059.38 ÷ 1,000,000 = 47,505.938 → 47,505.94.
    small = pool.ok(
        client.post(
            "/api/recoveries",
            json={
                "loan_id": l1["id"],
                "received_on": "2024-08-01",
                "gross": "100000.00",
                "fees": "0.00",
            },
            headers=a,
        ),
        201,
    )
    assert small["refund"] == "47505.94"
    pool.at("2024-09-13")
    overdue = pool.ok(client.get("/api/recoveries?overdue=true", headers=pool.bureau))["items"]
    assert {r["id"] for r in overdue} == {recovery["id"], small["id"], early_recovery["id"]}
    pool.ok(
        client.post(
            f"/api/recoveries/{recovery['id']}/refunded",
            json={"refunded_on": "2024-09-13"},
            headers=b,
        )
    )
    overdue = pool.ok(client.get("/api/recoveries?overdue=true", headers=pool.trustee))["items"]
    assert [r["id"] for r in overdue] == [early_recovery["id"], small["id"]]

    # The 2025 budget line: 2024's approved compensation and the fee on 2024's (no) lending.
    budget = pool.ok(client.get("/api/budget/2025", headers=pool.bureau))
    assert (budget["compensation"], budget["trustee_fee"], budget["total"]) == (
        "10475059.38",
        "2000000.00",
        "12475059.38",
    )
    report = client.get("/api/reports/performance/2023.xlsx", headers=pool.trustee)
    assert report.status_code == 200 and report.content[:2] == b"PK"

    # Duplicate funding flagged: A's loan claimed three times in 2024.
    flags = pool.ok(client.get("/api/sanctions/flags", headers=pool.bureau))["items"]
    assert {"kind": "claimed_twice", "loan_ids": [l1["id"]]} in [
        {"kind": f["kind"], "loan_ids": f["loan_ids"]} for f in flags
    ]
    # Misclassification found later: all compensation on B's loan less what was refunded.
    sanction = pool.ok(
        client.post(
            "/api/sanctions",
            json={"loan_id": loan_b, "kind": "misclassification", "note": "贷款分类不准确"},
            headers=pool.bureau,
        ),
        201,
    )
    assert Decimal(sanction["clawback"]) == Decimal("9000000.00")
    # 第二十五条: B loses its status; it can no longer report.
    pool.ok(
        client.post(
            f"/api/banks/{bank_b}/revocation",
            json={"reason": "未按规定准确分类"},
            headers=pool.bureau,
        )
    )
    history = pool.ok(client.get(f"/api/banks/{bank_b}", headers=b))["history"]
    assert [h["status"] for h in history] == [
        "applied",
        "reviewed",
        "publicity",
        "partner",
        "revoked",
    ]
    assert client.post("/api/loans", json=body_of(l1), headers=b).status_code == 403
    claim = {"loan_id": loan_b, "npl_balance": "1.00"}
    assert client.post("/api/claims", json=claim, headers=b).status_code == 403
    # It still records what it recovers; after the finding, nothing is refunded.
    late = {"loan_id": loan_b, "received_on": "2024-09-13", "gross": "500000.00", "fees": "0.00"}
    after = pool.ok(client.post("/api/recoveries", json=late, headers=b), 201)
    assert (after["refund"], after["due_on"]) == ("0.00", None)


def body_of(loan: dict[str, object]) -> dict[str, object]:
    """A report body like ``loan``'s (fields as the API takes them)."""
    keys = ("disbursed_on", "amount", "term_months", "credit_part", "financing_guarantee")
    return {"contract_no": "NEW", "enterprise_uscc": "914401010000000019"} | {
        k: loan[k] for k in keys
    }
