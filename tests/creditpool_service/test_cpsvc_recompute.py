"""A claim returned or filed again makes the claims computed and not yet approved be computed
again at once; approved compensation keeps its amount and draws on the caps first (第十七条).

Lending in 2023: bank A 2 × 1,000,000 (L1, L2), bank B 14 × 30,000,000; A's cap for 2024
claims is 200,000,000 × 2,000,000 ÷ 422,000,000 = 947,867.30. X on L1 and Y on L2, both
claiming a 1,000,000 balance (half: 500,000), are computed X 500,000.00 and Y 447,867.30
(``bank_cap``).

- X returned: Y no longer shares the cap, 500,000.00 at once.
- X filed again (its first filing day kept): it takes its place before Y, Y is back to
  447,867.30 while X waits for the trustee.
- X computed (500,000.00) and returned again, Y (500,000.00) approved; X filed again with a
  corrected balance of 1,200,000: Y's approved 500,000.00 stays and draws first, so X gets
  what is left, 447,867.30 (``bank_cap``), not 600,000.00 — the cap is never exceeded.
"""

from __future__ import annotations

import io

from cpsvc_pool import Pool
from sqlalchemy import func, select

from gzcreditpool.models import AuditLog
from gzkit.db import session_scope


def _recomputed(pool: Pool) -> int:
    with session_scope(pool.app.state.sessionmaker) as session:
        found = select(func.count()).where(AuditLog.action == "claim.recompute")
        return session.scalar(found) or 0


def _gone_bad(
    pool: Pool, bank: dict[str, str], loan_id: int, effective_on: str = "2024-01-15"
) -> None:
    """次级, and a judgment effective on ``effective_on``."""
    client = pool.client
    classified = {"category": "次级", "as_of": effective_on}
    pool.ok(
        client.post(f"/api/loans/{loan_id}/classifications", json=classified, headers=bank), 201
    )
    judgment = {"kind": "lawsuit", "case_no": f"(2024)粤0106民初{loan_id}号",
                "effective_on": effective_on}  # fmt: skip
    document = {"file": ("判决书.pdf", io.BytesIO(b"%PDF-1.4"), "application/pdf")}
    made = client.post(
        f"/api/loans/{loan_id}/legal-actions", data=judgment, files=document, headers=bank
    )
    pool.ok(made, 201)


def test_returns_and_corrections_recompute_the_computed_claims(pool: Pool) -> None:
    client = pool.client
    pool.at("2023-03-01")
    code_a, a = pool.partner_bank("甲银行广州分行")
    _, b = pool.partner_bank("乙银行广州分行")
    l1, l2 = (pool.loan(a, pool.enterprise(a))["id"] for _ in range(2))
    for _ in range(14):
        pool.loan(b, pool.enterprise(b), amount="30000000.00", credit_part="16000000.00")
    pool.ok(client.post("/api/loans/forward", json={}, headers=pool.trustee))
    pool.ok(client.post("/api/loans/confirm", json={}, headers=pool.bureau))

    pool.at("2024-03-01")
    _gone_bad(pool, a, l1)
    _gone_bad(pool, a, l2)
    balance = {"npl_balance": "1000000.00"}
    x = pool.ok(client.post("/api/claims", json={"loan_id": l1} | balance, headers=a), 201)["id"]
    y = pool.ok(client.post("/api/claims", json={"loan_id": l2} | balance, headers=a), 201)["id"]

    def seen() -> dict[int, tuple[str, str | None, str | None]]:
        listed = pool.ok(client.get("/api/claims", headers=pool.trustee))["items"]
        return {c["id"]: (c["status"], c["reason"], c["amount"]) for c in listed}

    def used() -> tuple[str, str]:
        [cap] = pool.ok(client.get(f"/api/claims/caps/2024?bank={code_a}", headers=a))["items"]
        assert cap["cap"] == "947867.30"
        return cap["used"], cap["left"]

    pool.ok(client.post("/api/claims/review", json={}, headers=pool.trustee))
    assert seen() == {
        x: ("reviewed", None, "500000.00"),
        y: ("reviewed", "bank_cap", "447867.30"),
    }
    assert used() == ("947867.30", "0.00")

    # Returned: Y is computed again at once, the cap shows it, the change is audited.
    back = {"reason": "不良余额与台账不符"}
    pool.ok(client.post(f"/api/claims/{x}/return", json=back, headers=pool.bureau))
    assert seen() == {x: ("returned", None, None), y: ("reviewed", None, "500000.00")}
    assert used() == ("500000.00", "447867.30") and _recomputed(pool) == 1

    # Filed again on its first day, X comes before Y again; the trustee has X to compute.
    pool.ok(client.post(f"/api/claims/{x}/resubmit", json=balance, headers=a))
    assert seen() == {x: ("filed", None, None), y: ("reviewed", "bank_cap", "447867.30")}
    assert _recomputed(pool) == 2
    [computed] = pool.ok(client.post("/api/claims/review", json={}, headers=pool.trustee))
    assert (computed["id"], computed["amount"]) == (x, "500000.00")
    assert _recomputed(pool) == 2  # Y did not change

    # Returned again and Y approved; X corrected upwards takes only what Y left.
    pool.ok(client.post(f"/api/claims/{x}/return", json=back, headers=pool.bureau))
    [approved] = pool.ok(client.post("/api/claims/approve", json={}, headers=pool.bureau))
    assert (approved["id"], approved["amount"]) == (y, "500000.00")
    more = {"npl_balance": "1200000.00"}
    pool.ok(client.post(f"/api/claims/{x}/resubmit", json=more, headers=a))
    pool.ok(client.post("/api/claims/review", json={}, headers=pool.trustee))
    assert seen() == {
        x: ("reviewed", "bank_cap", "447867.30"),
        y: ("approved", None, "500000.00"),
    }
    assert used() == ("947867.30", "0.00")


def test_a_confirmation_moving_the_caps_recomputes_the_computed_claims(pool: Pool) -> None:
    """2025 lending (the test above lent in 2023): bank C 1,000,000 (L), bank D 14 ×
    30,000,000. C's claim of 1,000,000 on L, computed on 2026-01-05, takes C's cap
    200,000,000 × 1,000,000 ÷ 421,000,000 = 475,059.38 (``bank_cap``). The same day 市科技局
    confirms C's loan disbursed on 2025-12-31 (reported in time): C's cap becomes
    200,000,000 × 2,000,000 ÷ 422,000,000 = 947,867.30 and the claim is computed again,
    500,000.00 in full, before anyone approves it."""
    client = pool.client
    pool.at("2025-03-03")
    _, c = pool.partner_bank("丙银行广州分行")
    _, d = pool.partner_bank("丁银行广州分行")
    loan = pool.loan(c, pool.enterprise(c))["id"]
    for _ in range(14):
        pool.loan(d, pool.enterprise(d), amount="30000000.00", credit_part="16000000.00")
    pool.ok(client.post("/api/loans/forward", json={}, headers=pool.trustee))
    pool.ok(client.post("/api/loans/confirm", json={}, headers=pool.bureau))
    pool.at("2025-12-01")
    _gone_bad(pool, c, loan, "2025-10-31")

    pool.at("2026-01-05")
    claim = {"loan_id": loan, "npl_balance": "1000000.00"}
    filed = pool.ok(client.post("/api/claims", json=claim, headers=c), 201)["id"]
    [computed] = pool.ok(client.post("/api/claims/review", json={}, headers=pool.trustee))
    assert (computed["reason"], computed["amount"]) == ("bank_cap", "475059.38")
    pool.loan(c, pool.enterprise(c), disbursed_on="2025-12-31")
    recomputed = _recomputed(pool)
    pool.ok(client.post("/api/loans/forward", json={}, headers=pool.trustee))
    pool.ok(client.post("/api/loans/confirm", json={}, headers=pool.bureau))
    now = pool.ok(client.get(f"/api/claims/{filed}", headers=pool.bureau))
    assert (now["status"], now["decision"], now["amount"]) == ("reviewed", "approved", "500000.00")
    assert _recomputed(pool) == recomputed + 1
