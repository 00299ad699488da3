"""The console's pages per role, without a browser: what each role sees, the forms' effects,
and refusals as Chinese pages (forged forms, bad values, another role's page)."""

from __future__ import annotations

import datetime as dt

import pytest
from cpcon_helpers import BANK_USER, PASSWORD, SAME_ORIGIN, signed_in, submit
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gzcreditpool.demo.run import DemoRun
from gzcreditpool.demo.world import uscc_of
from gzcreditpool.models import AuditLog, Loan
from gzkit.db import session_scope

ROLES = {
    "市科技局": ("/console/dashboard", ["资金池总览", "入池放贷额", "补偿审批"]),
    "受托管理机构": ("/console/loans", ["贷款审核", "待审核"]),
    "审计": ("/console/dashboard", ["资金池总览"]),
    BANK_USER: ("/console/loans", ["贷款报送", "报送期限", "批量上传"]),
}


@pytest.mark.parametrize("name", list(ROLES))
def test_each_role_lands_on_its_pages(demo_run: DemoRun, name: str) -> None:
    client = signed_in(demo_run, name)
    home, texts = ROLES[name]
    page = client.get("/console/")
    assert page.status_code == 200 and page.url.path == home
    assert all(text in page.text for text in texts)
    for path in ("/console/loans", "/console/claims", "/console/recoveries"):
        assert client.get(path).status_code == 200


def test_bank_cannot_open_the_dashboard_and_sees_masked_loans(demo_run: DemoRun) -> None:
    client = signed_in(demo_run, BANK_USER)
    refused = client.get("/console/dashboard")
    assert refused.status_code == 403 and "无权访问" in refused.text
    loans = client.get("/console/loans?status=").text
    assert "*" in loans and "GZB01" in loans and "GZB02" not in loans


def test_bank_reports_a_loan_and_the_trustee_and_bureau_take_it_in(demo_run: DemoRun) -> None:
    bank = signed_in(demo_run, BANK_USER)
    today = demo_run.clock.now().date()
    firm = uscc_of(10_000)  # registered in the demo world
    answer = submit(
        bank, "/console/loans", "/console/loans",
        contract_no="CONSOLE-1", enterprise_uscc=firm, disbursed_on=today.isoformat(),
        amount="2000000.00", term_months="24", credit_part="1500000.00",
    )  # fmt: skip
    assert answer.status_code == 200 and "贷款已报送" in answer.text
    assert "还剩 7 个工作日" in bank.get("/console/loans?status=reported").text
    trustee = signed_in(demo_run, "受托管理机构")
    assert "待审核 1 笔" in trustee.get("/console/loans").text
    answer = submit(trustee, "/console/loans", "/console/loans/forward")
    assert "已按规则审核" in answer.text
    bureau = signed_in(demo_run, "市科技局")
    step = submit(bureau, "/console/loans", "/console/loans/confirm")
    assert "不可撤销" in step.text and 'name="confirmed" value="1"' in step.text
    done = submit(bureau, "/console/loans", "/console/loans/confirm", confirmed="1")
    assert "确认书已生成" in done.text
    assert "已确认入池" in bank.get("/console/loans?status=confirmed").text


def test_forged_and_bad_forms_answer_chinese_pages(demo_run: DemoRun) -> None:
    bank = signed_in(demo_run, BANK_USER)
    forged = bank.post("/console/loans/forward", headers=SAME_ORIGIN)
    assert forged.status_code == 403 and "请求被拒绝" in forged.text
    bad = submit(
        bank, "/console/loans", "/console/loans",
        contract_no="BAD", enterprise_uscc=uscc_of(10_000), disbursed_on="2025-13-01",
        amount="NaN", term_months="x", credit_part="1",
    )  # fmt: skip
    assert bad.status_code == 422 and "输入有误" in bad.text
    unknown = submit(
        bank, "/console/loans", "/console/loans",
        contract_no="BAD-2", enterprise_uscc=uscc_of(999_999),
        disbursed_on=dt.date(2025, 12, 1).isoformat(),
        amount="1000.00", term_months="12", credit_part="600.00",
    )  # fmt: skip
    assert unknown.status_code == 404 and "未找到" in unknown.text
    trustee_only = submit(bank, "/console/loans", "/console/loans/forward")
    assert trustee_only.status_code == 403
    huge = submit(bank, "/console/recoveries", f"/console/recoveries/{2**63}/refunded",
                  refunded_on="2025-12-01")  # fmt: skip
    assert huge.status_code == 422 and "输入有误" in huge.text
    assert bank.get("/console/loans/99999999999").status_code == 422


def test_claims_and_recoveries_pages_show_conditions_and_deadlines(demo_run: DemoRun) -> None:
    bureau = signed_in(demo_run, "市科技局")
    claims = bureau.get("/console/claims").text
    assert "风险分类为次级、可疑或损失" in claims and "年预算" in claims
    assert "2025 年各行补偿额度" in claims and "GZB05" in claims.split('id="caps"')[1]
    recoveries = bureau.get("/console/recoveries").text
    assert "逾期未退回" in recoveries


def test_a_loan_page_reveals_in_full_only_on_request_and_logs_it(demo_run: DemoRun) -> None:
    trustee = signed_in(demo_run, "受托管理机构")
    loan_id = demo_run.loan_ids[min(demo_run.loan_ids)]
    masked = trustee.get(f"/console/loans/{loan_id}")
    assert masked.status_code == 200 and "显示完整信息" in masked.text and "*" in masked.text
    with session_scope(demo_run.client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        views = session.scalar(select(func.count()).where(AuditLog.action == "loan.view_full"))
    full = trustee.get(f"/console/loans/{loan_id}?full=1")
    assert full.status_code == 200 and "显示完整信息" not in full.text
    with session_scope(demo_run.client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        after = session.scalar(select(func.count()).where(AuditLog.action == "loan.view_full"))
    assert after == (views or 0) + 1
    auditor = signed_in(demo_run, "审计")
    assert "脱敏" in auditor.get(f"/console/loans/{loan_id}").text
    assert auditor.get(f"/console/loans/{loan_id}?full=1").status_code == 403


def test_changing_ones_password(demo_run: DemoRun) -> None:
    client = signed_in(demo_run, "审计")
    wrong = submit(
        client, "/console/password", "/console/password",
        current="not it", password="new-password-1", password_again="new-password-1",
    )  # fmt: skip
    assert wrong.status_code == 401 and "当前密码错误" in wrong.text
    differ = submit(
        client, "/console/password", "/console/password",
        current=PASSWORD, password="new-password-1", password_again="new-password-2",
    )  # fmt: skip
    assert differ.status_code == 422 and "不一致" in differ.text
    done = submit(
        client, "/console/password", "/console/password",
        current=PASSWORD, password="new-password-1", password_again="new-password-1",
    )  # fmt: skip
    assert done.status_code == 200 and "密码已修改" in done.text
    old = TestClient(demo_run.client.app).post(
        "/console/login", data={"name": "审计", "password": PASSWORD}, headers=SAME_ORIGIN
    )
    assert old.status_code == 401


def test_the_bureau_records_a_sanction_and_a_dishonest_enterprise(demo_run: DemoRun) -> None:
    bureau = signed_in(demo_run, "市科技局")
    page = bureau.get("/console/dashboard").text
    assert "逾期未退回" in page and "失信企业" in page
    paid = [
        claim for claim in demo_run.every("/api/claims?status=approved", demo_run.bureau)
        if claim["decision"] != "refused"
    ]  # fmt: skip
    loan_id = str(paid[-1]["loan_id"])
    done = submit(
        bureau, "/console/dashboard", "/console/sanctions",
        loan_id=loan_id, kind="false_materials", note="抽查发现虚假材料",
    )  # fmt: skip
    assert done.status_code == 200 and "须全部追回" in done.text and "提供虚假材料" in done.text
    again = submit(
        bureau, "/console/dashboard", "/console/sanctions",
        loan_id=loan_id, kind="false_materials", note="再次登记",
    )  # fmt: skip
    assert again.status_code == 409 and "没有待追回的补偿资金" in again.text
    flagged = submit(
        bureau,
        "/console/dashboard",
        "/console/dishonest",
        uscc=uscc_of(10_002),
        reason="失信被执行人",
    )
    assert "失信被执行人" in flagged.text
    trustee = signed_in(demo_run, "受托管理机构")
    assert (
        submit(
            trustee, "/console/dashboard", "/console/dishonest", uscc=uscc_of(10_003), reason="x"
        ).status_code
        == 403
    )


def test_a_bank_through_the_call_and_out_again(demo_run: DemoRun) -> None:
    bureau = signed_in(demo_run, "市科技局")
    today = demo_run.clock.now().date()
    answer = submit(
        bureau, "/console/banks", "/console/banks/calls", title="2025 年第二批申报指南",
        opens_on=today.isoformat(), closes_on=(today + dt.timedelta(days=3)).isoformat(),
    )  # fmt: skip
    assert "申报指南已发布" in answer.text and "申报中" in answer.text
    call_id = demo_run.call("GET", "/api/banks/calls", demo_run.bureau)["items"][0]["id"]
    trustee = signed_in(demo_run, "受托管理机构")
    answer = submit(
        trustee, "/console/banks", "/console/banks", call_id=str(call_id),
        code="GZB09", name="己银行广州分行", branch_met="true", branch_evidence="分行执照",
        policies_met="true", policies_evidence="五项政策", process_met="true",
        process_evidence="专门产品",
    )  # fmt: skip
    assert answer.status_code == 200 and "申报已登记" in answer.text
    answer = submit(trustee, "/console/banks", "/console/banks/GZB09/review", scores="80，90 85")
    assert "专家评审均分：85.00" in answer.text
    back = demo_run.clock.now()
    until = back.date() + dt.timedelta(days=5)
    answer = submit(
        bureau, "/console/banks", "/console/banks/GZB09/publicity", until=until.isoformat()
    )
    assert "公示中" in answer.text
    early = submit(bureau, "/console/banks", "/console/banks/GZB09/decision", selected="true")
    assert early.status_code == 409 and "公示期" in early.text
    demo_run.clock.set(back + dt.timedelta(days=6))
    try:
        bureau = signed_in(demo_run, "市科技局")  # the 8-hour session ended meanwhile
        submit(bureau, "/console/banks", "/console/banks/GZB09/decision", selected="true")
        answer = submit(
            bureau, "/console/banks", "/console/banks/GZB09/revocation", reason="提供虚假材料"
        )
    finally:
        demo_run.clock.set(back)
    section = answer.text.split('id="bank-GZB09"')[1].split("</section>")[0]
    assert "已取消资格" in section and "确定为合作银行" in section and "提供虚假材料" in section
    assert signed_in(demo_run, BANK_USER).get("/console/banks").status_code == 403


def test_the_trustees_yearly_reports_on_the_dashboard(demo_run: DemoRun) -> None:
    bureau = signed_in(demo_run, "市科技局")
    page = bureau.get("/console/dashboard").text
    section = page.split('id="reports"')[1].split("</table>")[0]
    # The demo's trustee reported on 2021–2024 in March; 2025 is not over, nothing is owed.
    assert section.count("报告</a>") == 4 and "<td>2025</td>" not in section
    trustee = signed_in(demo_run, "受托管理机构")
    early = submit(trustee, "/console/dashboard", "/console/reports/2025", summary="提前报送")
    assert early.status_code == 409 and "尚未结束" in early.text


def test_api_docs_are_served_offline(demo_run: DemoRun) -> None:
    client = TestClient(demo_run.client.app)
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/console/static/swagger-ui-bundle.js" in docs.text
    assert "http" not in docs.text.split("<body>")[0].replace("http-equiv", "")
    assert client.get("/console/static/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/loans", "/api/claims", "/api/recoveries", "/api/reports"} <= set(paths)


def test_the_policy_versions_page(demo_run: DemoRun) -> None:
    """The staff see the versions (C10); 市科技局 alone registers an earlier policy, whose window
    must end before 2021-07-01; a bank may not open the page."""
    trustee = signed_in(demo_run, "受托管理机构")
    page = trustee.get("/console/policies")
    assert page.status_code == 200
    assert "穗科规字〔2021〕2号" in page.text and "2026-06-30" in page.text
    assert "register-policy" not in page.text
    assert signed_in(demo_run, BANK_USER).get("/console/policies").status_code == 403
    bureau = signed_in(demo_run, "市科技局")
    fields = {"code": "2019", "title": "穗科规字〔2019〕4号", "starts_on": "2019-07-01"}
    late = submit(bureau, "/console/policies", "/console/policies", ends_on="2021-07-01", **fields)
    assert late.status_code == 422 and "2021-07-01 之前结束" in late.text
    answer = submit(
        bureau, "/console/policies", "/console/policies", ends_on="2021-06-30", **fields
    )
    assert "原政策版本已登记" in answer.text and "穗科规字〔2019〕4号" in answer.text
    with session_scope(demo_run.client.app.state.sessionmaker) as session:
        logged = session.scalar(
            select(func.count()).where(AuditLog.action == "policy_version.register")
        )
    assert logged == 1


def test_the_bureau_carries_in_an_earlier_policys_loan(demo_run: DemoRun) -> None:
    """A loan confirmed under the earlier policy (第三十一条), carried in by form: shown with
    its version, 按原政策办理; confirmed after 2021-06-30 it is refused in Chinese."""
    bureau = signed_in(demo_run, "市科技局")
    fields = {
        "code": "2019",
        "bank_code": "GZB01",
        "contract_no": "CARRIED-1",
        "enterprise_uscc": uscc_of(10_000),
        "disbursed_on": "2021-03-10",
        "amount": "2000000.00",
        "term_months": "24",
        "credit_part": "1500000.00",
    }
    late = submit(
        bureau, "/console/policies", "/console/policies/loans", confirmed_on="2021-07-02", **fields
    )
    assert (
        late.status_code == 422 and "确认日 2021-07-02 不在穗科规字〔2019〕4号有效期" in late.text
    )
    answer = submit(
        bureau, "/console/policies", "/console/policies/loans", confirmed_on="2021-03-12", **fields
    )
    assert "贷款已按原政策转入" in answer.text
    with session_scope(demo_run.client.app.state.sessionmaker) as session:
        loan_id = session.scalar(select(Loan.id).where(Loan.contract_no == "CARRIED-1"))
    shown = signed_in(demo_run, BANK_USER).get(f"/console/loans/{loan_id}").text
    assert "2019（按原政策办理，第三十一条）" in shown
