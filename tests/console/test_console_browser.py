"""The console in a real browser: Playwright driving Debian's chromium against the app served
by uvicorn on a free local port, with a simulated clock and a temporary SQLite database.

The story: the grid operator signs in and creates a day-ahead invitation (the form's own checks
and the server's 422), two participants bid in their portal, the operator watches the ranking,
the clock moves past bidding and the window, meter data arrives through the API, and the result
chart opens; a power user cannot open another participant's result. Every page is saved to
``artifacts/screenshots``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from typing import Any

import pytest
from conftest import (
    DAY,
    HISTORY,
    SHOTS,
    START,
    Platform,
    aggregator,
    bearer,
    power_user,
    require_browser,
    shot,
    sign_in,
    upload,
    upload_last_year_peak,
)

from gzvpp.models import Role

STATION = "天河站"

pytestmark = pytest.mark.browser
require_browser()


def test_the_programme_in_a_browser(platform: Platform, base_url: str, browser: Any) -> None:
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    platform.clock.set(START)
    works = platform.enrol(power_user(STATION, name="天河某钢铁厂"))
    trader = platform.enrol(aggregator(STATION, name="天河某负荷聚合商"))
    cuts = {works["accounts"][0]["account_id"]: 600.0}
    cuts |= {a["account_id"]: 450.0 for a in trader["accounts"]}
    # Last year's peak (20,000 MW) and this June's history, before the invitation.
    upload_last_year_peak(platform)
    upload(platform, cuts, HISTORY)

    # The grid operator: sign-in, overview, participants.
    operator = sign_in(browser, base_url, platform.grid_token, "01-login")
    assert operator.url.endswith("/console/overview")
    operator.wait_for_selector("#forecast-chart .main-svg")
    assert "削峰启动线" in operator.inner_text("#forecast-chart")
    shot(operator, "02-overview")
    operator.goto(f"/console/participants?substation={STATION}")
    shot(operator, "03-participants")
    operator.click("text=天河某负荷聚合商")
    assert "准入条件核验" in operator.inner_text("main")
    shot(operator, "04-participant")
    operator.goto("/console/publicity")
    shot(operator, "05-publicity")

    # The create form: instant checks, the trigger check, then the server's own refusal.
    operator.goto("/console/events/new")
    operator.select_option("select[name=price_mode]", "bidding")
    operator.fill("input[name=start_at]", "2025-07-01T10:00")
    operator.fill("input[name=end_at]", "2025-07-01T10:15")
    operator.fill("input[name=demand_kw]", "1000")
    operator.fill("input[name=substations]", STATION)
    operator.fill("input[name=forecast_max_mw]", "19500")
    assert "不少于 30 分钟" in operator.inner_text("[data-for=end_at]")
    operator.fill("input[name=end_at]", "2025-07-01T11:00")
    assert operator.inner_text("[data-for=end_at]") == ""
    operator.wait_for_function("document.getElementById('trigger').textContent.includes('97.50%')")
    shot(operator, "06-event-form")
    platform.clock.set(START.replace(hour=9, minute=30))  # the browser does not know yet
    operator.click("button[type=submit]")
    operator.wait_for_function("document.querySelector('[data-for=start_at]').textContent !== ''")
    assert "09:00" in operator.inner_text("[data-for=start_at]")
    shot(operator, "07-event-form-server-422")
    platform.clock.set(START)
    operator.click("button[type=submit]")
    operator.wait_for_url("**/console/events/DR20250701-01")
    event_id = "DR20250701-01"
    operator.wait_for_selector("#coverage-chart .main-svg")
    assert "尚无申报" in operator.inner_text("#ranking-body")
    shot(operator, "08-event-live-empty")

    # The participants bid in their portal.
    user = sign_in(browser, base_url, platform.token(Role.POWER_USER, works["id"], "钢铁厂"))
    assert user.url.endswith("/console/portal")
    shot(user, "09-portal")
    user.click(f"a[href='/console/portal/events/{event_id}']")
    user.fill("input[name=kw]", "900")
    assert "不得超过登记响应能力" in user.inner_text("[data-for=kw]")
    user.fill("input[name=price]", "6")
    assert "0 ~ 5" in user.inner_text("[data-for=price]")
    shot(user, "10-bid-form-checks")
    user.fill("input[name=kw]", "600")
    user.fill("input[name=price]", "3")
    user.click("button[type=submit]")
    user.wait_for_selector("#bid-done:not([hidden])")
    shot(user, "11-bid-done")
    trader_page = sign_in(
        browser, base_url, platform.token(Role.AGGREGATOR, trader["id"], "聚合商")
    )
    trader_page.goto(f"/console/portal/events/{event_id}")
    trader_page.fill("input[name=kw]", "900")
    trader_page.fill("input[name=price]", "2.5")
    trader_page.click("button[type=submit]")
    trader_page.wait_for_selector("#bid-done:not([hidden])")

    # The operator's page shows both bids within a poll, in price order.
    operator.wait_for_function(
        "document.querySelectorAll('#ranking-body tr.ok').length === 2", timeout=10_000
    )
    rows = operator.inner_text("#ranking-body")
    assert rows.index("天河某负荷聚合商") < rows.index("天河某钢铁厂")
    shot(operator, "12-event-live-bids")

    # Bidding closes; the scheduler ranks and sends the plan.
    platform.clock.set(dt.datetime(2025, 6, 30, 11, 0))
    tick = platform.client.post("/api/admin/tick", headers=platform.grid)
    assert tick.status_code == 200 and tick.json()["actions"], tick.text
    operator.reload()
    operator.wait_for_function(
        "document.getElementById('live-state').textContent.includes('已出清')"
    )
    assert "已下发计划" in operator.inner_text("h1")
    shot(operator, "13-event-ranked")

    # The window passes; the meter data of the two days arrives and the event is evaluated.
    platform.clock.set(dt.datetime(2025, 7, 2, 9, 0))
    upload(platform, cuts, [dt.date(2025, 6, 30), DAY])
    evaluate = platform.client.post(
        f"/api/results/events/{event_id}:evaluate", headers=platform.grid
    )
    assert evaluate.status_code == 200, evaluate.text
    operator.goto(f"/console/results/{event_id}")
    shot(operator, "14-event-results")
    operator.goto(f"/console/results/{event_id}/{works['id']}")
    operator.wait_for_selector("#result-chart .main-svg")
    assert "基线（调整后）" in operator.inner_text("#result-chart")
    assert "¥" in operator.inner_text("main")
    shot(operator, "15-result-chart")
    operator.goto("/console/settlement?quarter=2025Q3")
    assert "天河某钢铁厂" in operator.inner_text("main")
    shot(operator, "16-settlement")
    operator.goto("/console/events")
    shot(operator, "17-events")

    # The power user sees its own result, but not the aggregator's.
    user.goto("/console/portal/results")
    shot(user, "18-own-results")
    user.goto(f"/console/results/{event_id}/{works['id']}")
    user.wait_for_selector("#result-chart .main-svg")
    shot(user, "19-own-result-chart")
    refused = user.goto(f"/console/results/{event_id}/{trader['id']}")
    assert refused is not None and refused.status == 404
    assert "未找到" in user.inner_text("main")
    shot(user, "20-other-result-404")


def test_the_operator_revokes_a_token_on_a_phone(
    platform: Platform, base_url: str, browser: Any
) -> None:
    """账户与令牌 at 390 px: the table scrolls inside its card and 吊销 works."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    victim = platform.token(Role.REGULATOR, name="手机端待吊销")
    user_id = platform.client.get(
        "/api/users", params={"q": "手机端待吊销"}, headers=platform.grid
    ).json()["items"][0]["id"]
    assert platform.client.get("/api/events", headers=bearer(victim)).status_code == 200
    context = browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/console/login")
    page.fill("input[name=token]", platform.grid_token)
    page.click("button[type=submit]")
    page.goto("/console/users?q=手机端待吊销")
    card = page.locator("section.card").first
    assert card.evaluate("e => e.scrollWidth > e.clientWidth")  # scrolls sideways, not the page
    assert card.evaluate("e => e.getBoundingClientRect().right") <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing widens it
    shot(page, "21-users-390px")
    row = page.locator(f"#user-{user_id} ~ tr.token").first
    assert "有效" in row.inner_text()
    row.locator("button", has_text="吊销").click()
    page.wait_for_load_state("networkidle")
    assert "已吊销令牌" in page.inner_text("main")
    assert "已吊销" in page.locator(f"#user-{user_id} ~ tr.token").first.inner_text()
    shot(page, "22-token-revoked")
    assert platform.client.get("/api/events", headers=bearer(victim)).status_code == 401
    context.close()
