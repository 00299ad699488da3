"""What users found missing, in the console without a browser: 市科技局 returns a computed
claim with a reason and the bank files it again; a refund top-up shown, flagged and paid; the
enterprise page per role; the staff's bank filter; the small lists paged."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from cpcon_helpers import BANK_USER, signed_in, submit
from sqlalchemy import func, select

from gzcreditpool.demo import world
from gzcreditpool.demo.run import DemoRun
from gzcreditpool.models import AuditLog, Recovery, RefundTopUp
from gzkit.db import session_scope


def _last_page(run: DemoRun) -> str:
    total = len(run.every("/api/claims", run.bureau))
    return f"/console/claims?page={math.ceil(total / 20)}"


def test_the_bureau_returns_a_claim_and_the_bank_files_it_again(demo_run: DemoRun) -> None:
    bank_api = demo_run.banks[0]
    loan = demo_run.every("/api/loans?status=confirmed", bank_api)[0]
    today = demo_run.clock.now().date().isoformat()
    demo_run.call(
        "POST", f"/api/loans/{loan['id']}/classifications", bank_api,
        json={"category": "可疑", "as_of": today},
    )  # fmt: skip
    claim = demo_run.call(
        "POST", "/api/claims", bank_api, json={"loan_id": loan["id"], "npl_balance": "100.00"}
    )
    trustee = signed_in(demo_run, "受托管理机构")
    submit(trustee, "/console/claims", "/console/claims/review")
    bureau = signed_in(demo_run, "市科技局")
    page = bureau.get(_last_page(demo_run)).text
    assert f'action="/console/claims/{claim["id"]}/return"' in page
    english = submit(
        bureau, "/console/claims", f"/console/claims/{claim['id']}/return", reason="wrong"
    )
    assert english.status_code == 422 and "退回补正理由须用中文填写" in english.text
    returned = submit(
        bureau, "/console/claims", f"/console/claims/{claim['id']}/return", reason="不良余额有误"
    )
    assert returned.status_code == 200 and "申请已退回补正" in returned.text
    # The other computed claims were computed again at once; the page says so.
    assert "其余已核算、未批准的申请已按规则自动重新核算" in returned.text
    bank = signed_in(demo_run, BANK_USER)
    page = bank.get(_last_page(demo_run)).text
    assert "退回补正理由：不良余额有误" in page
    assert f'action="/console/claims/{claim["id"]}/resubmit"' in page
    assert "退回补正理由：不良余额有误" in trustee.get(_last_page(demo_run)).text
    again = submit(
        bank, "/console/claims", f"/console/claims/{claim['id']}/resubmit", npl_balance="80.00"
    )
    assert again.status_code == 200 and "申请已重新提交" in again.text
    assert "已按申请先后自动重新核算" in again.text
    now = demo_run.call("GET", f"/api/claims/{claim['id']}", bank_api)
    assert (now["status"], now["npl_balance"], now["return_reason"]) == (
        "filed", "80.00", "不良余额有误",
    )  # fmt: skip
    assert "曾退回补正：不良余额有误" in trustee.get(_last_page(demo_run)).text
    twice = submit(
        bank, "/console/claims", f"/console/claims/{claim['id']}/resubmit", npl_balance="80.00"
    )
    assert twice.status_code == 409


def test_a_top_up_is_shown_flagged_and_paid(demo_run: DemoRun) -> None:
    today = demo_run.clock.now().date()
    # A recovery refunded in the demo, and its bank's user.
    chosen, user = next(
        (r, f"{world.BANKS[k][1]}操作员")
        for k, headers in enumerate(demo_run.banks)
        for r in demo_run.every("/api/recoveries", headers)
        if r["refunded_on"]
    )
    with session_scope(demo_run.client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        recovery = session.get(Recovery, chosen["id"])
        assert recovery is not None
        # As an approval 40 days ago would have left it (recoveries.service.reassess).
        recovery.top_ups.append(
            RefundTopUp(
                amount=Decimal("123.45"),
                approved_on=today - dt.timedelta(days=60),
                due_on=today - dt.timedelta(days=1),
                recorded_at=demo_run.clock.now(),
            )
        )
    bureau = signed_in(demo_run, "市科技局")
    overdue = bureau.get("/console/recoveries?overdue=true").text
    assert "补退" in overdue and "123.45" in overdue and "逾期未退回及未补退" in overdue
    bank = signed_in(demo_run, user)
    page = bank.get("/console/recoveries?overdue=true").text
    top_up = demo_run.call("GET", "/api/recoveries?overdue=true&limit=100", demo_run.bureau)
    mine = next(r for r in top_up["items"] if r["id"] == chosen["id"])["top_ups"][0]
    action = f"/console/recoveries/{chosen['id']}/top-ups/{mine['id']}/refunded"
    assert f'action="{action}"' in page
    paid = submit(bank, "/console/recoveries", action, refunded_on=today.isoformat())
    assert paid.status_code == 200 and "补退已登记" in paid.text
    after = demo_run.call("GET", "/api/recoveries?overdue=true&limit=100", demo_run.bureau)
    assert all(t["refunded_on"] for r in after["items"] for t in r["top_ups"])


def _views(run: DemoRun) -> int:
    with session_scope(run.client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        found = select(func.count()).where(AuditLog.action == "enterprise.view_full")
        return session.scalar(found) or 0


def test_the_enterprise_page_per_role(demo_run: DemoRun) -> None:
    mine = demo_run.every("/api/loans", demo_run.banks[0])
    others = demo_run.every("/api/loans", demo_run.banks[1])
    firm = mine[0]["enterprise_id"]
    foreign = next(
        x["enterprise_id"]
        for x in others
        if x["enterprise_id"] not in {m["enterprise_id"] for m in mine}
    )
    trustee = signed_in(demo_run, "受托管理机构")
    assert f'href="/console/enterprises/{firm}"' in trustee.get("/console/loans?status=").text
    assert 'href="/console/enterprises/' in trustee.get("/console/claims").text
    masked = trustee.get(f"/console/enterprises/{firm}")
    assert masked.status_code == 200 and "显示完整信息" in masked.text
    assert "统一社会信用代码" in masked.text and "*" in masked.text.split('id="uscc"')[1][:40]
    views = _views(demo_run)
    full = trustee.get(f"/console/enterprises/{firm}?full=1")
    assert full.status_code == 200 and "显示完整信息" not in full.text
    assert _views(demo_run) == views + 1
    auditor = signed_in(demo_run, "审计")
    assert "脱敏" in auditor.get(f"/console/enterprises/{firm}").text
    assert auditor.get(f"/console/enterprises/{firm}?full=1").status_code == 403
    bank = signed_in(demo_run, BANK_USER)
    own = bank.get(f"/console/enterprises/{firm}").text
    assert "只列出本行" in own and "GZB02" not in own.split('id="enterprise-loans"')[1]
    assert bank.get(f"/console/enterprises/{foreign}").status_code == 404


def test_the_staff_filter_lists_by_bank_and_page_the_small_lists(demo_run: DemoRun) -> None:
    bureau = signed_in(demo_run, "市科技局")
    lists = {"loans": "/console/loans?status=&", "claims": "/console/claims?",
             "recoveries": "/console/recoveries?"}  # fmt: skip
    for table_id, path in lists.items():
        code = demo_run.call("GET", f"/api/{table_id}", demo_run.bureau)["items"][-1]["bank_code"]
        page = bureau.get(f"{path}bank={code}")
        assert page.status_code == 200 and f'option value="{code}" selected' in page.text
        table = page.text.split(f'id="{table_id}"')[1].split("</tbody>")[0]
        assert set(re.findall(r"<td>(GZB\d+)</td>", table)) == {code}, path
    assert bureau.get("/console/claims?bank=NOPE").status_code == 422
    bank = signed_in(demo_run, BANK_USER)
    assert "bank-filter" not in bank.get("/console/claims").text
    assert bank.get("/console/claims?bank=GZB02").status_code == 404
    dashboard = bureau.get("/console/dashboard?banks_page=1&flags_page=1&rows_page=2").text
    assert "共" in dashboard.split('id="performance"')[1] and "上一页" in dashboard
    banks = bureau.get("/console/banks").text
    assert "共" in banks.split('id="calls"')[1].split("</section>")[0]
