"""No ID number in an address, in chromium (第二十一条): the street's person work — search,
the person's page, confirming on the elder's behalf, a check, the logged full view — and the
elder's own confirmation leave no ID number in any page URL, history entry, request or line
of the server's access log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import fits, open_page, require_browser
from fastapi import FastAPI
from lcon_world import World

pytestmark = pytest.mark.browser
require_browser()

PHONE = (390, 844)


class Lines(logging.Handler):
    """The access log's lines, as uvicorn writes them."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def access_log() -> Iterator[list[str]]:
    """uvicorn's access log while the test runs (the served app logs warnings only)."""
    logger, lines = logging.getLogger("uvicorn.access"), Lines()
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(lines)
    yield lines.lines
    logger.removeHandler(lines)
    logger.setLevel(level)


def watched(page: Any) -> list[str]:
    """Every address the page requests or shows (each navigation is a history entry)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.on("framenavigated", lambda frame: seen.append(frame.url))
    return seen


def test_the_street_works_on_a_person_without_the_id_in_any_address(
    lcon: tuple[FastAPI, World], lcon_url: str, lcon_browser: Any, access_log: list[str]
) -> None:
    _, world = lcon
    page = open_page(lcon_browser, lcon_url, PHONE, world.street)
    seen = watched(page)
    page.goto("/console/worklist")
    page.fill("#find-form input[name=id_number]", world.staff_confirms)
    page.click("#find-form button")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/console/persons/{world.staff_ref}")
    assert fits(page, PHONE[0])
    form = page.locator("#confirm-form")
    form.locator("input[name=bank_name]").fill("工商银行")
    form.locator("input[name=bank_account]").fill("6222020200007776666")
    form.locator("textarea[name=evidence]").fill("本人到场签字")
    form.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert "街（镇）代办" in page.inner_text("main")
    check = page.locator("#check-form")
    check.locator("select[name=kind]").select_option("phone")
    check.locator("input[name=note]").fill("电话联系本人，在世")
    check.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert "电话联系本人，在世" in page.inner_text("main")
    page.click("text=查看完整信息（记录审计日志）")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#id-number") == world.staff_confirms  # the logged view's body
    entries = page.evaluate("history.length")
    page.context.close()
    assert entries >= 4 and len(seen) >= entries
    assert any(world.staff_ref in url for url in seen)
    assert not [url for url in seen if world.staff_confirms in url]
    assert any(world.staff_ref in line for line in access_log)  # the log was read
    assert not [line for line in access_log if world.staff_confirms in line]


def test_the_elder_confirms_without_the_id_in_any_address(
    lcon: tuple[FastAPI, World], lcon_url: str, lcon_browser: Any, access_log: list[str]
) -> None:
    _, world = lcon
    page = open_page(lcon_browser, lcon_url, PHONE)
    seen = watched(page)
    page.goto("/console/elder")
    page.click("#next")
    for label, text in (
        ("请输入通知上的确认码", world.elder_code),
        ("请输入您的姓名", world.elder_name),
        ("请输入您的身份证号", world.elder_id),
        ("保健金打到哪家银行？", "农业银行"),
        ("请输入银行卡号", "6228480000000000009"),
        ("请输入手机号码（可以不填）", ""),
    ):
        page.get_by_label(label).fill(text)
        page.click("#next")
    page.get_by_label("是，同意签订").check()
    page.click("#next")
    page.click("#next")
    assert page.locator("h1").inner_text() == "确认成功"
    page.context.close()
    assert len(seen) >= 8 and all("/console/elder" in url or "/static/" in url for url in seen)
    assert not [url for url in seen if world.elder_id in url]
    assert any("/console/elder" in line for line in access_log)
    assert not [line for line in access_log if world.elder_id in line]
