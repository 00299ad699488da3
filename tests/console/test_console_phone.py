"""Every console page on a phone (390×844) and on a desk (1440×900), in chromium.

An evaluated day-ahead event with more bids than a page holds, a quarter to settle and the
portal of a power user and of an aggregator: at each size no page is wider than the screen,
the navigation is reachable (behind 菜单 on the phone), long lists are paged and the charts fit
without their toolbar covering labels. Screenshots go to ``artifacts/screenshots/phone-*``.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Platform, Programme, require_browser, shot, sign_in

pytestmark = pytest.mark.browser
require_browser()

PHONE, DESK = (390, 844), (1440, 900)
TOLERANCE_PX = 2


def staff_pages(p: Programme) -> dict[str, str]:
    return {
        "overview": "/console/overview",
        "participants": "/console/participants",
        "participant": f"/console/participants/{p.user_id}",
        "publicity": "/console/publicity",
        "events": "/console/events",
        "event-new": "/console/events/new",
        "event": f"/console/events/{p.event_id}",
        "monitoring": f"/console/events/{p.event_id}/monitoring",
        "alarms": "/console/alarms",
        "jobs": "/console/jobs",
        "grid": "/console/grid",
        "results": f"/console/results/{p.event_id}",
        "result": f"/console/results/{p.event_id}/{p.user_id}",
        "settlement": "/console/settlement?quarter=2025Q3",
        "users": "/console/users",
        "not-found": "/console/participants/no-such-participant",
    }


def portal_pages(p: Programme, own: str) -> dict[str, str]:
    return {
        "portal": "/console/portal",
        "invitation": f"/console/portal/events/{p.event_id}",
        "own-results": "/console/portal/results",
        "own-result": f"/console/results/{p.event_id}/{own}",
        "own-info": f"/console/participants/{own}",
    }


def settled(page: Any, path: str) -> None:
    """Open ``path`` and wait for its scripts: the charts drawn, the ranking filled."""
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if page.locator(".chart").count():
        page.wait_for_selector(".chart .main-svg")
    if page.locator("#ranking-body").count():
        page.wait_for_function(
            "() => !document.getElementById('live-state').textContent.includes('加载')"
        )


def page_width(page: Any) -> int:
    width: int = page.evaluate("document.scrollingElement.scrollWidth")
    return width


def assert_nav_reachable(page: Any, width: int, link_text: str) -> None:
    """On a desk the links show in the bar; on a phone behind 菜单, which opens them."""
    link = page.locator("header.top nav a", has_text=link_text)
    toggle = page.locator("header.top .menu-toggle")
    if width == PHONE[0]:
        assert toggle.is_visible() and not link.is_visible()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
    else:
        assert not toggle.is_visible()
    assert link.is_visible()
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    href = link.get_attribute("href")
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(href)


@pytest.mark.parametrize("size", [PHONE, DESK], ids=["phone", "desk"])
def test_staff_pages_fit_the_screen(
    platform: Platform, programme: Programme, base_url: str, browser: Any, size: tuple[int, int]
) -> None:
    width = size[0]
    page = sign_in(browser, base_url, platform.grid_token, viewport=size)
    for name, path in staff_pages(programme).items():
        settled(page, path)
        shot(page, f"phone-{width}-staff-{name}")
        assert page_width(page) <= width + TOLERANCE_PX, f"{path} is {page_width(page)} px wide"
    settled(page, "/console/overview")
    assert_nav_reachable(page, width, "事件")
    page.context.close()


@pytest.mark.parametrize("size", [PHONE, DESK], ids=["phone", "desk"])
@pytest.mark.parametrize("who", ["user", "trader"])
def test_portal_pages_fit_the_screen(
    platform: Platform,
    programme: Programme,
    base_url: str,
    browser: Any,
    size: tuple[int, int],
    who: str,
) -> None:
    width = size[0]
    token, own = (
        (programme.user_token, programme.user_id)
        if who == "user"
        else (programme.trader_token, programme.trader_id)
    )
    page = sign_in(browser, base_url, token, viewport=size)
    for name, path in portal_pages(programme, own).items():
        settled(page, path)
        shot(page, f"phone-{width}-{who}-{name}")
        assert page_width(page) <= width + TOLERANCE_PX, f"{path} is {page_width(page)} px wide"
    assert_nav_reachable(page, width, "我的结果")
    page.context.close()


def test_the_event_page_on_a_phone_pages_its_lists_and_fits_its_chart(
    platform: Platform, programme: Programme, base_url: str, browser: Any
) -> None:
    """25 bids: the ranking shows a page of 20 with a pager; the chart has no toolbar over the
    100 % 需求 label and is no wider than its card; the page is not a scroll of every row."""
    page = sign_in(browser, base_url, platform.grid_token, viewport=PHONE)
    settled(page, f"/console/events/{programme.event_id}")
    assert page.locator("#ranking-body tr").count() == 20
    pager = page.locator("#ranking-pager")
    assert "共 25 条" in pager.inner_text()
    pager.locator("button", has_text="下一页").click()
    assert page.locator("#ranking-body tr").count() == 5
    assert "第 2 / 2 页" in pager.inner_text()
    assert page.locator("#coverage-chart .modebar").count() == 0
    chart = page.locator("#coverage-chart .main-svg").first.bounding_box()
    card = page.locator("#live").bounding_box()
    assert chart is not None and card is not None
    assert chart["x"] + chart["width"] <= card["x"] + card["width"] + TOLERANCE_PX
    assert "100% 需求" in page.inner_text("#coverage-chart")
    # A ranking table scrolls inside its own box, never the page.
    scroller = page.locator("#live .table-scroll")
    assert scroller.evaluate("e => e.scrollWidth > e.clientWidth")
    assert page_width(page) <= PHONE[0] + TOLERANCE_PX
    shot(page, "phone-390-event-ranking-page-2")
    page.context.close()


def test_the_desk_keeps_its_toolbar_and_layout(
    platform: Platform, programme: Programme, base_url: str, browser: Any
) -> None:
    """At 1440 px the bar shows every link in one row and the chart keeps plotly's toolbar."""
    page = sign_in(browser, base_url, platform.grid_token, viewport=DESK)
    settled(page, f"/console/events/{programme.event_id}")
    bar = page.locator("header.top").bounding_box()
    assert bar is not None and bar["height"] <= 56
    assert page.locator("#coverage-chart .modebar").count() == 1
    page.context.close()


def test_api_docs_render_with_the_network_cut_off(base_url: str, browser: Any) -> None:
    """Every request that leaves the platform is refused, and /docs still renders the API (on
    a phone)."""
    context = browser.new_context(
        base_url=base_url, viewport={"width": PHONE[0], "height": PHONE[1]}, locale="zh-CN"
    )
    page = context.new_page()
    outside: list[str] = []

    def local_only(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "广州市虚拟电厂管理平台" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 10
    shot(page, "phone-390-api-docs")
    assert outside == []
    context.close()
