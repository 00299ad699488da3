"""An enterprise's page through the API (its credit code masked unless shown in full, which is
logged; its 失信 flag, loans, claims and recoveries; a bank sees only its own), and the bank
filter of the staff's lists."""

from __future__ import annotations

from cpsvc_pool import Pool
from sqlalchemy import func, select

from gzcreditpool.models import AuditLog
from gzkit.db import session_scope


def _views(pool: Pool) -> int:
    with session_scope(pool.app.state.sessionmaker) as session:
        found = select(func.count()).where(AuditLog.action == "enterprise.view_full")
        return session.scalar(found) or 0


def test_the_enterprise_page_and_the_bank_filter(pool: Pool) -> None:
    client = pool.client
    pool.at("2024-03-04")
    code_a, a = pool.partner_bank("甲银行广州分行")
    code_b, b = pool.partner_bank("乙银行广州分行")
    _, c = pool.partner_bank("丙银行广州分行")
    firm = pool.enterprise(a)
    loan_a = pool.loan(a, firm)
    loan_b = pool.loan(b, firm)
    other = pool.loan(b, pool.enterprise(b))
    classified = {"category": "次级", "as_of": "2024-03-04"}
    pool.ok(
        client.post(f"/api/loans/{loan_a['id']}/classifications", json=classified, headers=a), 201
    )
    claim = pool.ok(
        client.post(
            "/api/claims", json={"loan_id": loan_a["id"], "npl_balance": "1.00"}, headers=a
        ),
        201,
    )
    recovered = {"loan_id": loan_b["id"], "received_on": "2024-03-04", "gross": "9.00", "fees": "0"}
    recovery = pool.ok(client.post("/api/recoveries", json=recovered, headers=b), 201)
    flag = {"reason": "法院失信被执行人名单"}
    pool.ok(client.post(f"/api/enterprises/{firm}/dishonest", json=flag, headers=pool.bureau))
    page = f"/api/enterprises/{loan_a['enterprise_id']}/profile"
    assert loan_a["enterprise_id"] == loan_b["enterprise_id"] != other["enterprise_id"]

    # Staff see every bank's loans, claims and recoveries on it, masked.
    seen = pool.ok(client.get(page, headers=pool.bureau))
    assert (
        seen["masked"] and seen["enterprise"]["uscc"] != firm and "*" in seen["enterprise"]["uscc"]
    )
    assert seen["enterprise"]["dishonest_reason"] == "法院失信被执行人名单"
    assert not seen["enterprise"]["eligible_today"]
    assert [x["id"] for x in seen["loans"]] == sorted([loan_a["id"], loan_b["id"]], reverse=True)
    assert all("*" in x["contract_no"] for x in seen["loans"])
    assert [x["id"] for x in seen["claims"]] == [claim["id"]]
    assert [x["id"] for x in seen["recoveries"]] == [recovery["id"]]
    # A bank sees its own loans only; a bank that never lent to it, nothing.
    own = pool.ok(client.get(page, headers=a))
    assert ([x["id"] for x in own["loans"]], own["recoveries"]) == ([loan_a["id"]], [])
    theirs = pool.ok(client.get(page, headers=b))
    assert ([x["id"] for x in theirs["loans"]], theirs["claims"]) == ([loan_b["id"]], [])
    assert client.get(page, headers=c).status_code == 404
    assert client.get("/api/enterprises/999999/profile", headers=pool.bureau).status_code == 404
    # In full only for those who may, and logged.
    assert client.get(f"{page}?full=true", headers=pool.auditor).status_code == 403
    views = _views(pool)
    full = pool.ok(client.get(f"{page}?full=true", headers=pool.trustee))
    assert (full["masked"], full["enterprise"]["uscc"]) == (False, firm)
    assert _views(pool) == views + 1

    # The staff's lists by bank; a bank only ever its own.
    for path in ("/api/loans", "/api/claims", "/api/recoveries"):
        for headers in (pool.bureau, pool.trustee, pool.auditor):
            for code in (code_a, code_b):
                items = pool.ok(client.get(f"{path}?bank={code}", headers=headers))["items"]
                assert {x["bank_code"] for x in items} <= {code}
            assert client.get(f"{path}?bank=NOPE", headers=headers).status_code == 422
        assert client.get(f"{path}?bank={code_b}", headers=a).status_code == 404
        mine = pool.ok(client.get(f"{path}?bank={code_a}", headers=a))["items"]
        assert {x["bank_code"] for x in mine} <= {code_a}
    by_b = pool.ok(client.get(f"/api/loans?bank={code_b}", headers=pool.bureau))["items"]
    assert sorted(x["id"] for x in by_b) == sorted([loan_b["id"], other["id"]])


LISTS = (
    "/api/banks",
    "/api/banks/calls",
    "/api/sanctions",
    "/api/sanctions/flags",
    "/api/enterprises/dishonest",
    "/api/performance",
    "/api/reports",
)


def test_the_small_lists_come_a_page_at_a_time(pool: Pool) -> None:
    """Every list the test above filled, one item a page, is the whole list in order."""
    client = pool.client
    pool.at("2025-04-01")
    filled = {}
    for path in LISTS:
        whole = pool.ok(client.get(f"{path}?limit=100", headers=pool.bureau))
        total = whole["pagination"]["total_count"]
        assert len(whole["items"]) == total and whole["pagination"]["max_page"] == (total > 0)
        pages = [
            pool.ok(client.get(f"{path}?limit=1&page={k}", headers=pool.bureau))
            for k in range(1, total + 2)
        ]
        assert [p["pagination"]["max_page"] for p in pages] == [total] * (total + 1)
        assert [i for p in pages for i in p["items"]] == whole["items"]
        assert client.get(f"{path}?limit=101", headers=pool.bureau).status_code == 422
        filled[path] = total
    assert filled["/api/banks"] == 3 and filled["/api/enterprises/dishonest"] == 1
    assert filled["/api/performance"] >= 2 and filled["/api/banks/calls"] == 1
