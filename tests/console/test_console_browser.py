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
import re
import shutil
from typing import Any

import pytest
from conftest import (
    BLOCKED,
    DAY,
    HISTORY,
    SHOTS,
    START,
    Platform,
    aggregator,
    bearer,
    power_user,
    shot,
    sign_in,
    token_sign_in,
    upload,
    upload_last_year_peak,
)

from gzvpp.models import Role

STATION = "天河站"

pytestmark = pytest.mark.browser


SIZES = {"desk": (1440, 900), "phone": (390, 844)}
SI_SUFFIX = re.compile(r"\d[kMG]$")  # plotly's "15k"
ENGLISH_DATE = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")


def at_both_sizes(page: Any, name: str) -> None:
    """Screenshots at a desk's and a phone's size (the charts resize), then back."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)  # plotly's responsive relayout
        shot(page, f"{name}-{size}")
    page.set_viewport_size({"width": 1360, "height": 900})


def chart_reads_at_a_glance(page: Any, chart: str, axis: str, title: str | None) -> list[str]:
    """The ``axis`` (x or y) of ``chart`` is titled ``title`` (unit included; None: no title,
    as for time ticks); no tick anywhere uses SI suffixes or English month names. The axis'
    tick texts."""
    found = page.query_selector(f"{chart} .g-{axis}title text")
    assert (found and found.text_content()) == title  # SVG: no inner_text
    ticks: list[str] = page.eval_on_selector_all(
        f"{chart} .xtick text, {chart} .ytick text", "els => els.map(e => e.textContent)"
    )
    assert ticks
    for tick in ticks:
        assert not SI_SUFFIX.search(tick) and not ENGLISH_DATE.search(tick), tick
    values: list[str] = page.eval_on_selector_all(
        f"{chart} .{axis}tick text", "els => els.map(e => e.textContent)"
    )
    return values


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
    mw = chart_reads_at_a_glance(operator, "#forecast-chart", "y", "统调负荷（MW）")
    assert any("," in tick for tick in mw), mw  # 15,000, not 15k
    assert "12:00" in chart_reads_at_a_glance(operator, "#forecast-chart", "x", None)
    shot(operator, "02-overview")
    at_both_sizes(operator, "02-overview")
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
    operator.check(f"input[name=substations][value='{STATION}']")
    operator.fill("input[name=forecast_max_mw]", "19500")
    assert "不少于 30 分钟" in operator.inner_text("[data-for=end_at]")
    operator.fill("input[name=end_at]", "2025-07-01T11:00")
    assert operator.inner_text("[data-for=end_at]") == ""
    operator.wait_for_function(
        "() => document.getElementById('trigger').textContent.includes('97.50%')"
    )
    shot(operator, "06-event-form")
    platform.clock.set(START.replace(hour=9, minute=30))  # the browser does not know yet
    operator.click("button[type=submit]")
    operator.wait_for_function(
        "() => document.querySelector('[data-for=start_at]').textContent !== ''"
    )
    assert "09:00" in operator.inner_text("[data-for=start_at]")
    shot(operator, "07-event-form-server-422")
    platform.clock.set(START)
    operator.click("button[type=submit]")
    operator.wait_for_url("**/console/events/DR20250701-01")
    event_id = "DR20250701-01"
    operator.wait_for_selector("#coverage-chart .main-svg")
    assert "尚无申报" in operator.inner_text("#ranking-body")
    # No shortfall alarm before bidding closes: nobody has had the chance to bid yet.
    assert operator.locator("#shortfall").is_hidden()
    assert "缺口" not in operator.inner_text("main")
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
    # The server's own 422 (pydantic's English for the API's clients) reads in Chinese here.
    user.fill("input[name=kw]", "600.0001")
    user.fill("input[name=price]", "3")
    user.click("button[type=submit]")
    user.wait_for_function("() => document.querySelector('[data-for=kw]').textContent !== ''")
    assert user.inner_text("[data-for=kw]") == "申报容量：最多保留 3 位小数"
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
        "() => document.querySelectorAll('#ranking-body tr.ok').length === 2", timeout=10_000
    )
    rows = operator.inner_text("#ranking-body")
    assert rows.index("天河某负荷聚合商") < rows.index("天河某钢铁厂")
    # Reasons in words, to the second: no bare rule letters, no microseconds.
    assert "竞价邀约价格低者优先：2.5 低于 3 元/kWh" in rows
    assert not re.search(r"(^|\t)[a-d] |\d{2}:\d{2}:\d{2}\.\d{4,}", rows, re.M), rows
    chart_reads_at_a_glance(operator, "#coverage-chart", "x", "申报量（kW）")

    assert "暂列" in rows and "中标" not in rows  # provisional until bidding closes
    shot(operator, "12-event-live-bids")
    at_both_sizes(operator, "12-ranking")

    # Bidding closes; the scheduler ranks and sends the plan.
    platform.clock.set(dt.datetime(2025, 6, 30, 11, 0))
    tick = platform.client.post("/api/admin/tick", headers=platform.grid)
    assert tick.status_code == 200 and tick.json()["actions"], tick.text
    operator.reload()
    operator.wait_for_function(
        "() => document.getElementById('live-state').textContent.includes('已出清')"
    )
    assert "已下发计划" in operator.inner_text("h1")
    assert "中标" in operator.inner_text("#ranking-body")
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
    assert "基线（日内调节后）" in operator.inner_text("#result-chart")
    assert "¥" in operator.inner_text("main")
    kw = chart_reads_at_a_glance(operator, "#result-chart", "y", "负荷（kW）")
    assert any("," in tick for tick in kw), kw  # 1,000 kW
    shot(operator, "15-result-chart")
    at_both_sizes(operator, "15-result-chart")
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
    assert BLOCKED == []


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
    token_sign_in(page, platform.grid_token)
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


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_irreversible_steps_are_confirmed_first(
    platform: Platform, base_url: str, browser: Any, width: int, height: int
) -> None:
    """Cancel and reject ask first, spelling out the consequence, without inline script; a
    cancelled event then reads as cancelled; an ineligible application is not offered for
    publicity and the page says why."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    platform.clock.set(START)
    size = f"{width}px"
    body = {
        "direction": "valley",
        "mode": "day_ahead",
        "start_at": "2025-07-01T13:00:00",
        "end_at": "2025-07-01T14:00:00",
        "demand_kw": "800",
        "price_mode": "fixed",
        "fixed_price": "1",
    }
    created = platform.client.post("/api/events", json=body, headers=platform.grid)
    assert created.status_code == 201, created.text
    event_id = created.json()["id"]
    ineligible = platform.enrol(
        power_user(STATION, name=f"超限申请{width}", capability_kw="1500"), activate=False
    )
    platform.client.post(
        f"/api/participants/{ineligible['id']}/start-review", headers=platform.grid
    )
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": height}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/console/login")
    token_sign_in(page, platform.grid_token)

    page.goto(f"/console/events/{event_id}")
    page.wait_for_function(
        "() => document.getElementById('live-state').textContent.includes('暂列')"
    )
    page.fill("#cancellation input[name=reason]", "气温回落")
    page.click("#cancellation button")
    page.wait_for_selector(".consequence")
    assert "不计为其响应日" in page.inner_text(".consequence")
    assert page.url.endswith(f"/console/events/{event_id}/cancel")
    shot(page, f"23-cancel-confirm-{size}")
    page.click("text=确认取消事件")
    page.wait_for_url(f"**/console/events/{event_id}")
    page.wait_for_function(
        "() => document.getElementById('live-state').textContent.includes('已取消')"
    )
    main = page.inner_text("main")
    assert "已出清" not in main and "不可取消" not in main and "事件已取消" in main
    assert page.locator("#shortfall").is_hidden()
    shot(page, f"24-event-cancelled-{size}")

    page.goto(f"/console/participants/{ineligible['id']}")
    assert page.locator("button", has_text="审核通过，进入公示").count() == 0
    assert "响应能力占最大负荷比例" in page.inner_text("#withheld")
    shot(page, f"25-review-withheld-{size}")
    page.fill("input[name=reason]", "削峰能力超过最大负荷的 20%")
    page.click("button.danger")
    page.wait_for_selector(".consequence")
    assert "营销户号全部释放" in page.inner_text(".consequence")
    shot(page, f"26-reject-confirm-{size}")
    page.click("text=返回，不执行")
    assert "电网审核中" in page.inner_text("h1")
    context.close()


def test_the_shortfall_alarm_comes_with_the_close_and_fits_the_direction(
    platform: Platform, base_url: str, browser: Any
) -> None:
    """Before the close no alarm; after it, a peak shortfall links the orderly power-use plan
    (有序用电) and a valley shortfall does not."""
    platform.clock.set(START)
    events = {}
    for direction, station in (("peak", "黄埔站"), ("valley", "南沙站")):
        member = platform.enrol(power_user(station, name=f"{station}缺口厂"))
        body = {
            "direction": direction,
            "mode": "day_ahead",
            "start_at": "2025-07-01T15:00:00",
            "end_at": "2025-07-01T16:00:00",
            "demand_kw": "5000",
            "price_mode": "fixed",
            "fixed_price": "1",
            "scope": {"substations": [station]},
        }
        created = platform.client.post("/api/events", json=body, headers=platform.grid)
        assert created.status_code == 201, created.text
        events[direction] = created.json()["id"]
        token = bearer(platform.token(Role.POWER_USER, member["id"], f"{station}报价员"))
        bid = platform.client.post(
            f"/api/events/{events[direction]}/bids", json={"kw": "600"}, headers=token
        )
        assert bid.status_code in (200, 201), bid.text
    page = sign_in(browser, base_url, platform.grid_token)
    page.goto(f"/console/events/{events['peak']}")
    page.wait_for_function(
        "() => document.getElementById('live-state').textContent.includes('暂列')"
    )
    assert page.locator("#shortfall").is_hidden()
    platform.clock.set(dt.datetime(2025, 6, 30, 11, 0))
    try:
        assert platform.client.post("/api/admin/tick", headers=platform.grid).status_code == 200
        for direction, orderly in (("peak", True), ("valley", False)):
            page.goto(f"/console/events/{events[direction]}")
            page.wait_for_selector("#shortfall:not([hidden])")
            alarm = page.inner_text("#shortfall")
            assert "缺口 4,400 kW" in alarm and ("有序用电" in alarm) is orderly
            shot(page, f"27-shortfall-{direction}")
    finally:
        platform.clock.set(START)
        page.context.close()


# Latin words a Chinese reader meets as they are: units, file formats and protocol names.
# Ids (DR20250701-01, account numbers, UUIDs, token prefixes gzvpp_…) are not words.
LATIN_ALLOWED = {"kW", "kWh", "MW", "CNY", "xlsx", "Excel", "CSV", "OpenADR", "VEN", "VTN"}
LATIN_WORD = re.compile(r"[A-Za-z0-9_\-]*[A-Za-z][A-Za-z0-9_\-]*")


def latin_words(text: str) -> set[str]:
    """Words of two or more Latin letters, without a digit, outside the allowed list."""
    return {
        word
        for word in LATIN_WORD.findall(text)
        if len(word) > 1
        and not re.search(r"\d", word)
        and not word.startswith("gzvpp_")
        and word not in LATIN_ALLOWED
    }


def test_every_page_reads_in_chinese(platform: Platform, base_url: str, browser: Any) -> None:
    """Each role's pages, with the story's data (an evaluated event, a cancelled one, a
    rejected application), as the browser renders them: no Latin-only word outside units and
    names of formats."""

    def pid(name: str) -> str:
        found = platform.client.get("/api/participants", params={"q": name}, headers=platform.grid)
        participant_id: str = found.json()["items"][0]["id"]
        return participant_id

    works, trader = pid("天河某钢铁厂"), pid("天河某负荷聚合商")
    event_id = "DR20250701-01"
    staff = [
        "/console/overview",
        "/console/participants",
        f"/console/participants/{works}",
        f"/console/participants/{trader}",
        "/console/publicity",
        "/console/events",
        f"/console/events/{event_id}",
        f"/console/events/{event_id}/monitoring",
        "/console/events/DR20250701-02",
        "/console/alarms",
        "/console/jobs",
        "/console/grid",
        f"/console/results/{event_id}",
        f"/console/results/{event_id}/{works}",
        "/console/settlement?quarter=2025Q3",
        "/console/no-such-page",
        "/console/participants?page=0",
    ]
    own = [
        "/console/portal",
        "/console/portal/results",
        f"/console/portal/events/{event_id}",
        "/console/no-such-page",
    ]
    walks = [
        (platform.grid_token, [*staff, "/console/events/new", "/console/users"]),
        (platform.regulator_token, staff),
        (
            platform.token(Role.POWER_USER, works, "钢铁厂走查"),
            [*own, f"/console/participants/{works}", f"/console/results/{event_id}/{works}"],
        ),
        (
            platform.token(Role.AGGREGATOR, trader, "聚合商走查"),
            [*own, f"/console/participants/{trader}", f"/console/results/{event_id}/{trader}"],
        ),
    ]
    found: dict[str, set[str]] = {}
    for token, paths in walks:
        page = sign_in(browser, base_url, token)
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            words = latin_words(page.inner_text("body"))
            if words:
                found[path] = words
        page.context.close()
    assert found == {}
