"""The console offers only what the rules allow and says why the rest is not there, confirms
irreversible steps first, and answers in Chinese (issue #10 §2, §3)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import START, Platform, power_user
from test_console_pages import signed_in

from gzvpp.kit.policy import PUBLICITY_ENV


def reviewed(platform: Platform, name: str, **overrides: object) -> str:
    """An application taken up for review (grid_review); its console page."""
    detail = platform.enrol(power_user("从化站", name=name, **overrides), activate=False)
    page = f"/console/participants/{detail['id']}"
    response = platform.client.post(
        f"/api/participants/{detail['id']}/start-review", headers=platform.grid
    )
    assert response.status_code == 200, response.text
    return page


def test_an_ineligible_application_is_not_offered_for_publicity(platform: Platform) -> None:
    page = reviewed(platform, "从化超限厂", capability_kw="1200")  # 24 % of 5000 kW
    signed_in(platform, platform.grid_token)
    html = platform.client.get(page).text
    assert "审核通过，进入公示" not in html.split('id="withheld"')[0]
    assert "未提供「审核通过，进入公示」：未满足准入条件（第四条）：响应能力占最大负荷比例" in html
    assert "驳回" in html  # what the rules allow is still offered


def test_the_publicity_period_is_shown_and_clearing_waits_for_it(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PUBLICITY_ENV, "5")
    page = reviewed(platform, "从化公示厂")
    signed_in(platform, platform.grid_token)
    platform.post(f"{page}/pass-review", confirmed="1")
    # Passed on Monday 30 June 2025: 5 working days are 1–4 and 7 July.
    assert "公示期至 2025-07-08 00:00" in platform.client.get(page).text
    assert "须待市工信局确认公示无异议" in platform.client.get(page).text
    listing = platform.client.get("/console/publicity").text
    assert "从化公示厂" in listing and "2025-07-08 00:00" in listing
    signed_in(platform, platform.regulator_token)
    html = platform.client.get(page).text
    assert f'action="{page}/clear-publicity"' not in html
    assert "公示期（5 个工作日）至 2025-07-08 00:00 届满" in html
    refused = platform.post(f"{page}/clear-publicity", confirmed="1")
    assert refused.status_code == 409 and "公示期未满" in refused.text
    assert "publicity" not in refused.text.split("<main>")[1]
    platform.clock.set(dt.datetime(2025, 7, 8, 9, 0))
    try:
        assert f'action="{page}/clear-publicity"' in platform.client.get(page).text
        cleared = platform.post(f"{page}/clear-publicity", confirmed="1")
        assert "已完成：公示无异议" in cleared.text
    finally:
        platform.clock.set(START)


def test_irreversible_steps_are_confirmed_with_their_consequence(platform: Platform) -> None:
    page = reviewed(platform, "从化确认厂")
    signed_in(platform, platform.grid_token)
    asked = platform.post(f"{page}/reject", reason="材料不全")
    assert asked.status_code == 200
    assert "所占营销户号全部释放" in asked.text and "不可撤销" in asked.text
    assert 'name="confirmed" value="1"' in asked.text and 'value="材料不全"' in asked.text
    assert "电网审核中" in platform.client.get(page).text  # nothing happened yet
    body = {
        "direction": "valley",
        "mode": "day_ahead",
        "start_at": "2025-07-01T13:00:00",
        "end_at": "2025-07-01T14:00:00",
        "demand_kw": "500",
        "price_mode": "fixed",
        "fixed_price": "1",
    }
    event_id = platform.client.post("/api/events", json=body, headers=platform.grid).json()["id"]
    asked = platform.post(f"/console/events/{event_id}/cancel", reason="天气转凉")
    assert "取消事件" in asked.text and "不计为其响应日" in asked.text and "不可撤销" in asked.text
    assert "邀约中" in platform.client.get(f"/console/events/{event_id}").text
    done = platform.post(f"/console/events/{event_id}/cancel", reason="天气转凉", confirmed="1")
    # A cancelled event says so, and no longer says it "cannot be cancelled".
    assert "本事件已于 <b>2025-06-30 08:00</b> 取消（原因：天气转凉）" in done.text
    assert "不可取消" not in done.text and "取消原因" not in done.text


def test_the_event_form_chooses_scope_from_known_places(platform: Platform) -> None:
    platform.enrol(power_user("增城站", name="增城某厂", feeder="F31"))
    signed_in(platform, platform.grid_token)
    html = platform.client.get("/console/events/new").text
    assert 'type="checkbox" name="substations" value="增城站"' in html
    assert 'type="checkbox" name="feeders" value="F31"' in html
    assert 'name="substations">' not in html  # no free-text box


def test_unknown_addresses_and_bad_input_answer_in_chinese(platform: Platform) -> None:
    signed_in(platform, platform.grid_token)
    missing = platform.client.get("/console/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.text
    assert "Not Found" not in missing.text and "总览" in missing.text  # with the menu
    assert platform.client.get("/api/no-such-thing").json() == {"detail": "Not Found"}
    paged = platform.client.get("/console/participants?page=0")
    assert paged.status_code == 422 and "页码：须不小于 1" in paged.text
    long_reason = platform.post("/console/events/DR20250701-99/cancel", reason="长" * 501)
    assert long_reason.status_code == 422 and "理由：最多 500 个字" in long_reason.text
    assert not re.search(r"[Ss]tring|should|Field required", long_reason.text.split("<main>")[1])
