"""The rule versions page: versions with their months and district share, the districts'
standards with their valid-from months, for the city, districts, finance and audit; the city
adds a successor version with the API's checks and Chinese refusals — at a desk and on a
390 px phone in chromium."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import SAME_ORIGIN, fits, form_token, open_page, require_browser, shot, signed_in
from fastapi import FastAPI
from lcon_world import World

PHONE, DESK = (390, 844), (1360, 900)


def test_the_page_lists_versions_and_refuses_bad_successors(lcon: tuple[FastAPI, World]) -> None:
    app, world = lcon
    client = signed_in(app, world.city)
    page = client.get("/console/rules").text
    assert "2021-09" in page and "2026-08" in page and 'id="version-form"' in page
    assert 'href="/console/rules"' in page  # in the city's menu
    token = form_token(client, "/console/rules")
    good = {
        "csrf_token": token,
        "version_name": "后续办法",
        "from_month": "2026-09",
        "to_month": "2031-08",
        "district_share_pct": "40",
    }
    for change, status, words in (
        ({"to_month": "2026-01"}, 422, "结束月份早于起始月份"),
        ({"from_month": "2026-08"}, 409, "与已有政策版本的月份重叠"),
        ({"from_month": "2021-09", "to_month": "2021-09"}, 409, "的发放已审批"),
        ({"from_month": "2026-13"}, 422, "起始月份"),
        ({"version_name": "后"}, 422, "版本名称"),
        ({"district_share_pct": "120"}, 422, "区级承担比例"),
    ):
        refused = client.post("/console/rules/versions", data=good | change, headers=SAME_ORIGIN)
        assert refused.status_code == status and words in refused.text, (change, refused.text)
    added = client.post("/console/rules/versions", data=good, headers=SAME_ORIGIN)
    assert added.status_code == 200 and "后续办法" in added.text and "40%" in added.text
    rules = client.get("/api/rules", headers={"Authorization": f"Bearer {world.city}"}).json()
    assert ("后续办法", "2026-09", 40) in {
        (v["name"], v["from_month"], v["district_share_pct"]) for v in rules["versions"]
    }
    district = signed_in(app, world.district)
    shown = district.get("/console/rules")
    assert shown.status_code == 200 and "后续办法" in shown.text
    assert 'id="version-form"' not in shown.text
    assert (
        district.post(
            "/console/rules/versions",
            data=good
            | {"csrf_token": form_token(district, "/console/rules"), "from_month": "2031-09"}
            | {"to_month": "2031-10"},
            headers=SAME_ORIGIN,
        ).status_code
        == 403
    )
    street = signed_in(app, world.street)
    assert street.get("/console/rules").status_code == 403


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_the_city_adds_a_version_in_the_browser(
    lcon: tuple[FastAPI, World], lcon_url: str, lcon_browser: Any, viewport: tuple[int, int]
) -> None:
    require_browser()
    _, world = lcon
    page = open_page(lcon_browser, lcon_url, viewport, world.city)
    page.goto("/console/rules")
    assert fits(page, viewport[0])
    start = "2032-01" if viewport == DESK else "2033-01"
    form = page.locator("#version-form")
    form.get_by_label("版本名称").fill(f"试行办法 {start}")
    form.get_by_label("起始月份").fill(start)
    form.get_by_label("结束月份").fill(start[:4] + "-12")
    form.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/console/rules")
    assert f"试行办法 {start}" in page.inner_text("#versions")
    assert fits(page, viewport[0])
    shot(page, f"rules-{viewport[0]}")
    form = page.locator("#version-form")
    form.get_by_label("版本名称").fill("重叠的办法")
    form.get_by_label("起始月份").fill(start)
    form.get_by_label("结束月份").fill(start)
    form.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert "与已有政策版本的月份重叠" in page.inner_text("main")
    page.context.close()
