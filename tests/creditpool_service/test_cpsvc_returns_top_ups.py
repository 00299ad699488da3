"""市科技局 returns a computed claim with a reason and the bank files it again; a recovery
refunded before a later claim on its loan is approved owes the difference as a top-up (C7).

Lending in 2023: bank A 1,000,000 (loan L1), bank B 14 × 30,000,000; A's cap for 2024 claims is
200,000,000 × 1,000,000 ÷ 421,000,000 = 475,059.38, below half of L1's 1,000,000 balance, so
the 2024 claim is partly paid. A alone lends in 2024, so its 2025 cap is the whole 200,000,000
and the 2025 claim takes what L1's cap leaves: 500,000 − 475,059.38 = 24,940.62.

A recovery of 100,000 received on 2025-03-10, after the 2025 claim was filed, first owes
100,000 × 475,059.38 ÷ 1,000,000 = 47,505.94 (due 2025-04-22) and is refunded on 2025-03-20.
The 2025 claim approved on 2025-04-01 raises the share to 500,000 ÷ 1,000,000: the recovery
owes 50,000.00 − 47,505.94 = 2,494.06 more, due on the 30th working day after the approval,
2025-05-16 (Qingming 04-04 and 05-01–05-05 off, 04-27 worked). ``gzcreditpool settle``, which
decides all at once, finds the same 50,000.00; a finding on L1 claws back 500,000.00 less
both.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from cpsvc_pool import Pool
from cpsvc_settle import assert_agree, batch_id, settle_book
from sqlalchemy import func, select

from gzcreditpool.models import AuditLog
from gzcreditpool.recoveries.repository import overdue_total
from gzkit.db import session_scope


def _audit(pool: Pool, action: str) -> list[AuditLog]:
    with session_scope(pool.app.state.sessionmaker) as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.action == action)).all()
        session.expunge_all()
        return list(rows)


def _count(pool: Pool, action: str) -> int:
    with session_scope(pool.app.state.sessionmaker) as session:
        return session.scalar(select(func.count()).where(AuditLog.action == action)) or 0


def test_a_returned_claim_and_a_refund_top_up(pool: Pool, tmp_path: Path) -> None:
    client = pool.client
    pool.at("2023-02-01")
    _, a = pool.partner_bank("甲银行广州分行")
    _, b = pool.partner_bank("乙银行广州分行")
    firm = pool.enterprise(a)
    firms_b = [pool.enterprise(b) for _ in range(14)]
    pool.at("2023-03-01")
    l1 = pool.loan(a, firm, disbursed_on="2023-03-01")
    lines = [
        "contract_no,enterprise_uscc,disbursed_on,amount,term_months,credit_part,financing_guarantee"
    ]
    lines += [
        f"乙-{k},{f},2023-03-01,30000000.00,36,16000000.00,false" for k, f in enumerate(firms_b)
    ]
    upload = ("\n".join(lines) + "\n").encode("utf-8")
    files = {"file": ("贷款.csv", io.BytesIO(upload), "text/csv")}
    pool.ok(client.post("/api/loans/upload", files=files, headers=b), 201)
    pool.ok(client.post("/api/loans/forward", json={}, headers=pool.trustee))
    pool.ok(client.post("/api/loans/confirm", json={}, headers=pool.bureau))

    pool.at("2024-02-20")
    classified = {"category": "次级", "as_of": "2024-01-31"}
    pool.ok(client.post(f"/api/loans/{l1['id']}/classifications", json=classified, headers=a), 201)
    judgment = {"kind": "lawsuit", "case_no": "(2024)粤0106民初7号", "effective_on": "2024-01-15"}
    document = {"file": ("判决书.pdf", io.BytesIO(b"%PDF-1.4"), "application/pdf")}
    legal = client.post(
        f"/api/loans/{l1['id']}/legal-actions", data=judgment, files=document, headers=a
    )
    pool.ok(legal, 201)
    pool.at("2024-03-01")
    pool.loan(a, pool.enterprise(a), disbursed_on="2024-03-01")
    pool.ok(client.post("/api/loans/forward", json={}, headers=pool.trustee))
    pool.ok(client.post("/api/loans/confirm", json={}, headers=pool.bureau))
    claim = {"loan_id": l1["id"], "npl_balance": "1000000.00"}
    first = pool.ok(client.post("/api/claims", json=claim, headers=a), 201)
    pool.ok(client.post("/api/claims/review", json={}, headers=pool.trustee))
    pool.ok(client.post("/api/claims/approve", json={}, headers=pool.bureau))
    assert pool.ok(client.get(f"/api/claims/{first['id']}", headers=a))["amount"] == "475059.38"

    # 2025: the second claim, computed, then returned by 市科技局 with a reason.
    pool.at("2025-03-03")
    second = pool.ok(client.post("/api/claims", json=claim, headers=a), 201)
    reviewed = pool.ok(client.post("/api/claims/review", json={}, headers=pool.trustee))
    assert [(c["id"], c["decision"], c["amount"]) for c in reviewed] == [
        (second["id"], "partial", "24940.62")
    ]
    back = f"/api/claims/{second['id']}/return"
    assert client.post(back, json={"reason": "不良余额与台账不符"}, headers=a).status_code == 403
    assert (
        client.post(back, json={"reason": "wrong balance"}, headers=pool.bureau).status_code == 422
    )
    assert client.post(back, json={"reason": ""}, headers=pool.bureau).status_code == 422
    returned = pool.ok(
        client.post(back, json={"reason": "不良余额与台账不符"}, headers=pool.bureau)
    )
    assert (returned["status"], returned["return_reason"], returned["amount"]) == (
        "returned",
        "不良余额与台账不符",
        None,
    )
    assert client.post(back, json={"reason": "再次退回"}, headers=pool.bureau).status_code == 409
    [logged] = _audit(pool, "claim.return")
    assert logged.after is not None and logged.after["return_reason"] == "不良余额与台账不符"
    # The bank and the trustee see it with the reason; nothing is left to approve.
    for headers in (a, pool.trustee):
        listed = pool.ok(client.get("/api/claims?status=returned", headers=headers))["items"]
        assert [(c["id"], c["return_reason"]) for c in listed] == [
            (second["id"], "不良余额与台账不符")
        ]
    assert pool.ok(client.post("/api/claims/approve", json={}, headers=pool.bureau)) == []

    # A recovery after the filing owes the 2024 share; the bank refunds it in time.
    pool.at("2025-03-10")
    body = {"loan_id": l1["id"], "received_on": "2025-03-10", "gross": "100000.00", "fees": "0"}
    recovery = pool.ok(client.post("/api/recoveries", json=body, headers=a), 201)
    assert (recovery["refund"], recovery["due_on"]) == ("47505.94", "2025-04-22")
    pool.at("2025-03-20")
    paid = {"refunded_on": "2025-03-20"}
    pool.ok(client.post(f"/api/recoveries/{recovery['id']}/refunded", json=paid, headers=a))

    # Filed again, corrected; computed again; approved: the refunded recovery owes a top-up.
    again = f"/api/claims/{second['id']}/resubmit"
    assert client.post(again, json={"npl_balance": "1.00"}, headers=pool.trustee).status_code == 403
    filed = pool.ok(client.post(again, json={"npl_balance": "1000000.00"}, headers=a))
    assert (filed["status"], filed["filed_on"]) == ("filed", "2025-03-03")
    assert client.post(again, json={"npl_balance": "1.00"}, headers=a).status_code == 409
    pool.ok(client.post("/api/claims/review", json={}, headers=pool.trustee))
    pool.at("2025-04-01")
    approved = pool.ok(client.post("/api/claims/approve", json={}, headers=pool.bureau))
    assert [(c["id"], c["amount"]) for c in approved] == [(second["id"], "24940.62")]
    for headers in (a, pool.trustee, pool.bureau):
        [seen] = pool.ok(client.get("/api/recoveries", headers=headers))["items"]
        assert (seen["refund"], seen["refunded_on"]) == ("47505.94", "2025-03-20")
        [top_up] = seen["top_ups"]
        assert (top_up["amount"], top_up["approved_on"], top_up["due_on"]) == (
            "2494.06",
            "2025-04-01",
            "2025-05-16",
        )
        assert not top_up["overdue"] and top_up["refunded_on"] is None
    assert _count(pool, "recovery.top_up") == 1
    # The banks' year (the dashboard's chart, the performance workbook) counts what the
    # recovery owes in all: 47,505.94 + 2,494.06.
    years = pool.ok(client.get("/api/performance?limit=100", headers=pool.bureau))["items"]
    [year] = [r for r in years if r["year"] == 2025 and r["bank_code"] == recovery["bank_code"]]
    assert year["refunds"] == "50000.00"

    # Unpaid after its due day, the top-up is flagged like any overdue refund.
    pool.at("2025-05-19")
    overdue = pool.ok(client.get("/api/recoveries?overdue=true", headers=pool.bureau))["items"]
    assert [r["id"] for r in overdue] == [recovery["id"]] and overdue[0]["top_ups"][0]["overdue"]
    with session_scope(pool.app.state.sessionmaker) as session:
        assert overdue_total(session, None, pool.clock.now().date()) == (1, Decimal("2494.06"))
    top = f"/api/recoveries/{recovery['id']}/top-ups/{top_up['id']}/refunded"
    early = {"refunded_on": "2025-03-31"}
    assert client.post(top, json=early, headers=a).status_code == 422
    assert client.post(top, json={"refunded_on": "2025-05-19"}, headers=b).status_code == 404
    done = pool.ok(client.post(top, json={"refunded_on": "2025-05-19"}, headers=a))
    assert done["top_ups"][0]["refunded_on"] == "2025-05-19"
    assert pool.ok(client.get("/api/recoveries?overdue=true", headers=a))["items"] == []
    assert client.post(top, json={"refunded_on": "2025-05-19"}, headers=a).status_code == 409

    # ``gzcreditpool settle`` over the same book: the refund it settles at once is the
    # service's refund with its top-up, and every decision agrees.
    with session_scope(pool.app.state.sessionmaker) as session:
        book = settle_book(session, tmp_path)
        assert_agree(book)
    assert book.batch["recovery", batch_id(recovery["id"])]["amount_cny"] == "50000.00"

    # A finding on L1 claws back its compensation less the refund and the top-up:
    # 500,000.00 − 47,505.94 − 2,494.06.
    finding = {"loan_id": l1["id"], "kind": "false_materials", "note": "抽查发现虚假材料"}
    clawed = pool.ok(client.post("/api/sanctions", json=finding, headers=pool.bureau), 201)
    assert clawed["clawback"] == "450000.00"
