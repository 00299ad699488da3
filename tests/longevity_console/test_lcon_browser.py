"""The console in Debian's chromium at a desk (1360×900) and on a phone (390×844): the elder's
confirmation one question per screen in large type, labelled for screen readers; the street
notifying from its worklist; the district approving its list; the city's charts, every
payer's progress and the payers' accounts. No page is
wider than the screen and nothing is refused by the Content-Security-Policy. Screenshots go
to ``artifacts/screenshots/longevity-*``."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import BLOCKED, fits, open_page, require_browser, shot
from fastapi import FastAPI
from lcon_world import World

pytestmark = pytest.mark.browser
require_browser()

PHONE, DESK = (390, 844), (1360, 900)


def answer(page: Any, label: str, text: str) -> None:
    """Fill the screen's one question, found by its label as a screen reader would."""
    page.get_by_label(label).fill(text)
    page.click("#next")


def test_the_elder_confirms_on_a_phone(
    lcon: tuple[FastAPI, World], lcon_url: str, lcon_browser: Any
) -> None:
    _, world = lcon
    page = open_page(lcon_browser, lcon_url, PHONE)
    page.goto("/console/elder")
    shot(page, "elder-start-phone")
    page.click("#next")
    size = page.eval_on_selector(
        ".elder", "element => parseFloat(getComputedStyle(element).fontSize)"
    )
    assert size >= 24  # large type (适老化)
    answer(page, "请输入通知上的确认码", "12")
    assert page.get_by_role("alert").inner_text() == "确认码是 6 位数字"
    assert page.get_by_label("请输入通知上的确认码").get_attribute("aria-invalid") == "true"
    answer(page, "请输入通知上的确认码", world.elder_code)
    answer(page, "请输入您的姓名", world.elder_name)
    answer(page, "请输入您的身份证号", world.elder_id)
    answer(page, "保健金打到哪家银行？", "农业银行")
    answer(page, "请输入银行卡号", "6228480000000000009")
    shot(page, "elder-question-phone")
    answer(page, "请输入手机号码（可以不填）", "")
    page.get_by_label("是，同意签订").check()
    page.click("#next")
    assert page.locator("h1").inner_text() == "请核对您的信息"
    assert "0009" in page.content() and "6228480000000000009" not in page.inner_text("main")
    assert fits(page, PHONE[0])
    page.click("#next")
    assert page.locator("h1").inner_text() == "确认成功"
    shot(page, "elder-done-phone")
    page.context.close()


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_street_notifies_from_its_worklist(
    lcon: tuple[FastAPI, World], lcon_url: str, lcon_browser: Any, viewport: tuple[int, int]
) -> None:
    _, world = lcon
    page = open_page(lcon_browser, lcon_url, viewport, world.street)
    assert page.url.endswith("/console/worklist")
    assert fits(page, viewport[0])
    shot(page, f"worklist-{viewport[0]}")
    row = page.locator("section.card").first.locator("tbody tr").first
    name = row.locator("td").first.inner_text()
    row.locator("input[name=recipient]").fill("13900000000")
    row.locator("button").click()
    assert page.locator("h1").inner_text() == "通知已发送"
    assert len(page.locator("#code").inner_text()) == 6 and name in page.inner_text("main")
    page.context.close()


def test_district_approves_and_city_sees_charts(
    lcon: tuple[FastAPI, World], lcon_url: str, lcon_browser: Any
) -> None:
    _, world = lcon
    page = open_page(lcon_browser, lcon_url, DESK, world.district)
    page.goto("/console/runs/2021-10")
    assert "须于 2021-10-25 前审批发放" in page.inner_text("main")
    page.click("#approve")
    assert "越秀区发放名单：已审批锁定" in page.inner_text("#own-list")
    assert "已审批锁定" in page.locator("#payers tr", has_text="越秀区").inner_text()
    assert page.locator("#bank-files a").count() == 2  # its own file, CSV and xlsx
    page.context.close()
    for viewport in (DESK, PHONE):
        page = open_page(lcon_browser, lcon_url, viewport, world.city)
        page.goto("/console/dashboard")
        page.wait_for_selector("#tier-chart .main-svg")
        assert page.locator(".chart .main-svg").count() >= 5
        assert fits(page, viewport[0])
        shot(page, f"dashboard-{viewport[0]}")
        page.context.close()
    assert BLOCKED == []


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_street_pages_fit_the_screen(
    lcon: tuple[FastAPI, World], lcon_url: str, lcon_browser: Any, viewport: tuple[int, int]
) -> None:
    _, world = lcon
    page = open_page(lcon_browser, lcon_url, viewport, world.street)
    for name, path in (
        ("person", f"/console/persons/{world.staff_ref}"),
        ("run", "/console/runs/2021-09"),
        ("runs", "/console/runs"),
        ("recovery", "/console/recovery"),
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, name
        assert fits(page, viewport[0]), name
        shot(page, f"{name}-{viewport[0]}")
    if viewport == PHONE:
        page.click(".menu-toggle")  # the navigation folds behind 菜单 on a phone
        assert page.locator("#top-menu nav a").first.is_visible()
    page.context.close()


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_city_follows_every_payer_and_sets_accounts(
    lcon: tuple[FastAPI, World], lcon_url: str, lcon_browser: Any, viewport: tuple[int, int]
) -> None:
    _, world = lcon
    page = open_page(lcon_browser, lcon_url, viewport, world.city)
    page.goto("/console/runs/2021-09")
    assert page.locator("#payers tbody tr").count() == 12
    assert fits(page, viewport[0])
    shot(page, f"run-payers-{viewport[0]}")
    page.goto("/console/payers")
    summary = page.locator("details", has_text="南沙区")
    summary.locator("summary").click()
    number = f"4401150000{viewport[0]:08d}"
    summary.get_by_label("账户名称").fill("南沙区长寿保健金专户")
    summary.get_by_label("付款账号").fill(number)
    summary.get_by_label("开户银行").fill("农业银行")
    summary.locator("button").click()
    row = page.locator("#payer-440115")
    assert number[-4:] in row.inner_text() and number not in page.inner_text("main")
    assert fits(page, viewport[0])
    shot(page, f"payers-{viewport[0]}")
    page.context.close()
    assert BLOCKED == []
