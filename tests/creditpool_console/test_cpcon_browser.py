"""The console in chromium at a desk (1440×900) and on a phone (390×844): a bank reports a
loan and sees its deadline, the trustee forwards it, 市科技局 confirms it and reads the
dashboard's charts, and reads and adds the policy versions; no page is wider than the phone,
nothing breaks the security policy."""

from __future__ import annotations

from typing import Any

import pytest
from cpcon_helpers import BANK_USER, open_signed_in, require_browser, shot

from gzcreditpool.demo.run import DemoRun
from gzcreditpool.demo.world import uscc_of

require_browser()
pytestmark = pytest.mark.browser
PHONE, DESK = (390, 844), (1440, 900)


def page_width(page: Any) -> int:
    width: int = page.evaluate("document.scrollingElement.scrollWidth")
    return width


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_a_loan_from_report_to_confirmation(
    demo_run: DemoRun, base_url: str, browser: Any, viewport: tuple[int, int]
) -> None:
    blocked: list[str] = []
    label = f"{viewport[0]}"
    contract = f"BROWSER-{label}"
    bank = open_signed_in(browser, base_url, BANK_USER, viewport, blocked)
    assert bank.url.endswith("/console/loans")
    today = demo_run.clock.now().date().isoformat()
    bank.fill("#deadline-form input[name=disbursed_on]", today)
    bank.click("#deadline-form button")
    assert "还剩 7 个工作日" in bank.inner_text("#deadline")
    form = "#report-loan"
    bank.fill(f"{form} input[name=contract_no]", contract)
    bank.fill(f"{form} input[name=enterprise_uscc]", uscc_of(10_001))
    bank.fill(f"{form} input[name=disbursed_on]", today)
    bank.fill(f"{form} input[name=term_months]", "12")
    bank.fill(f"{form} input[name=amount]", "1000000.00")
    bank.fill(f"{form} input[name=credit_part]", "800000.00")
    bank.click(f"{form} button[type=submit]")
    bank.wait_for_load_state("networkidle")
    assert "贷款已报送" in bank.inner_text("main")
    assert page_width(bank) <= viewport[0]
    shot(bank, f"creditpool-{label}-bank-loans")

    trustee = open_signed_in(browser, base_url, "受托管理机构", viewport, blocked)
    trustee.click("#worklist button")
    trustee.wait_for_load_state("networkidle")
    assert "已按规则审核" in trustee.inner_text("main")

    bureau = open_signed_in(browser, base_url, "市科技局", viewport, blocked)
    assert bureau.url.endswith("/console/dashboard")
    bureau.wait_for_selector("#chart-lent .main-svg")
    assert bureau.locator(".chart .main-svg").count() >= 4
    assert page_width(bureau) <= viewport[0]
    shot(bureau, f"creditpool-{label}-dashboard")
    bureau.goto("/console/loans")
    bureau.click("#worklist button")
    bureau.click("form.actions button.danger")
    bureau.wait_for_load_state("networkidle")
    assert "确认书已生成" in bureau.inner_text("main")
    for path in ("/console/banks", "/console/claims", "/console/recoveries"):
        bureau.goto(path)
        assert page_width(bureau) <= viewport[0], path
    shot(bureau, f"creditpool-{label}-recoveries")

    bank.goto("/console/loans?status=confirmed")
    assert "已确认入池" in bank.inner_text("#loans")
    for path in ("/console/claims", "/console/recoveries"):
        bank.goto(path)
        assert page_width(bank) <= viewport[0], path
    assert blocked == []


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_the_enterprise_page_and_the_bank_filter(
    demo_run: DemoRun, base_url: str, browser: Any, viewport: tuple[int, int]
) -> None:
    """From a loan to its enterprise's page; the staff's lists by bank; all within the
    width."""
    blocked: list[str] = []
    label = f"{viewport[0]}"
    trustee = open_signed_in(browser, base_url, "受托管理机构", viewport, blocked)
    trustee.goto("/console/loans?status=confirmed")
    trustee.click("#loans a.enterprise >> nth=0")
    trustee.wait_for_load_state("networkidle")
    assert "/console/enterprises/" in trustee.url
    assert "统一社会信用代码" in trustee.inner_text("#enterprise")
    assert trustee.locator("#enterprise-loans tbody tr").count() >= 1
    assert page_width(trustee) <= viewport[0]
    shot(trustee, f"creditpool-{label}-enterprise")
    for path in ("/console/claims", "/console/recoveries", "/console/loans?status="):
        trustee.goto(path)
        trustee.select_option(".bank-filter select", index=2)
        trustee.click(".bank-filter button")
        trustee.wait_for_load_state("networkidle")
        assert "bank=GZB02" in trustee.url, path
        assert page_width(trustee) <= viewport[0], path
    shot(trustee, f"creditpool-{label}-claims-by-bank")
    bank = open_signed_in(browser, base_url, BANK_USER, viewport, blocked)
    bank.goto("/console/loans?status=")
    bank.click("#loans a.enterprise >> nth=0")
    bank.wait_for_load_state("networkidle")
    assert "只列出本行" in bank.inner_text("#enterprise")
    assert page_width(bank) <= viewport[0]
    assert blocked == []


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_the_policy_versions_page_fits(
    demo_run: DemoRun, base_url: str, browser: Any, viewport: tuple[int, int]
) -> None:
    """市科技局 reads the versions (C10) and registers an earlier policy within the width."""
    blocked: list[str] = []
    label = f"{viewport[0]}"
    bureau = open_signed_in(browser, base_url, "市科技局", viewport, blocked)
    bureau.goto("/console/policies")
    assert "穗科规字〔2021〕2号" in bureau.inner_text("#policy-2021")
    form = "#register-policy"
    bureau.fill(f"{form} input[name=code]", f"P{label}")
    bureau.fill(f"{form} input[name=title]", "穗科规字〔2019〕4号")
    bureau.fill(f"{form} input[name=starts_on]", "2019-07-01")
    bureau.fill(f"{form} input[name=ends_on]", "2021-06-30")
    bureau.click(f"{form} button[type=submit]")
    bureau.wait_for_load_state("networkidle")
    assert "原政策版本已登记" in bureau.inner_text("main")
    assert "原政策" in bureau.inner_text(f"#policy-P{label}")
    assert bureau.locator("#carry-in select[name=code] option").count() >= 1
    assert page_width(bureau) <= viewport[0]
    shot(bureau, f"creditpool-{label}-policies")
    assert blocked == []
