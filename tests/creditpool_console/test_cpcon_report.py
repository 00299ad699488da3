"""The demo's HTML report in chromium at a desk (1440×900) and on a phone (390×844): its four
charts drawn, nothing wider than the screen, every heading Chinese, nothing fetched from the
network."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cpcon_helpers import require_browser, shot

from gzcreditpool.demo.report import CHARTS, write_report
from gzcreditpool.demo.run import DemoRun

require_browser()
pytestmark = pytest.mark.browser
PHONE, DESK = (390, 844), (1440, 900)
CHINESE = re.compile("[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def report(demo_run: DemoRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    write_report(demo_run, out)
    return out / "report.html"


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_the_demo_report_reads_at_a_desk_and_on_a_phone(
    report: Path, browser: Any, viewport: tuple[int, int]
) -> None:
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    fetched: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith(("file:", "data:")) else fetched.append(r.url)
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report.as_uri())
    page.wait_for_selector(".main-svg")
    page.wait_for_load_state("networkidle")
    assert page.locator(".js-plotly-plot").count() == len(CHARTS)
    drawn = page.evaluate(
        "[...document.querySelectorAll('.js-plotly-plot')]"
        ".map(plot => plot.querySelectorAll('.main-svg .bars .point').length)"
    )
    assert len(drawn) == len(CHARTS) and all(bars > 0 for bars in drawn), drawn
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    plots = page.evaluate(
        "[...document.querySelectorAll('.js-plotly-plot')]"
        ".map(plot => plot.getBoundingClientRect().right)"
    )
    assert all(right <= width for right in plots), plots
    headings = page.locator("h1, h2").all_inner_texts()
    assert len(headings) > 5 and all(CHINESE.search(text) for text in headings), headings
    titles = page.evaluate("[...document.querySelectorAll('.gtitle')].map(t => t.textContent)")
    assert sorted(titles) == sorted(title for _, title in CHARTS)
    assert (fetched, errors) == ([], [])
    shot(page, f"creditpool-{width}-demo-report")
    context.close()
