"""实时监测 in chromium: a real-time event dispatched at 14:02 to three participants, one of
which reaches its target within 5 minutes, one late and one sends nothing. The page shows who
stands where, updates without reloading when readings arrive, stops polling while the tab is
hidden, fits a phone, and shows a participant only its own part. Screenshots go to
``artifacts/screenshots/monitoring-*``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from conftest import START, Platform, power_user, require_browser, shot, sign_in

from gzkit.db import session_scope
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.meterdata.repository import encode_day
from gzvpp.models import Event, MeterDay, Role
from gzvpp.openadr.mapping import Reading
from gzvpp.openadr.monitoring import record_readings

pytestmark = pytest.mark.browser
require_browser()

STATION = "越秀站"
DAY = dt.date(2025, 7, 1)
NOTICE = dt.datetime(2025, 7, 1, 14, 2)
PHONE, DESK = (390, 844), (1440, 900)
BASELINE_KW = 1000.0


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute))


def send(
    platform: Platform, event_id: str, participant_id: str, minute: dt.datetime, kw: str
) -> None:
    """A VEN's reading of one minute, stored as the OpenADR routes store it."""
    with session_scope(platform.app.state.sessionmaker) as session:
        event = session.get(Event, event_id)
        assert event is not None
        reading = Reading(resource="meter-1", at=minute, kw=Decimal(kw))
        record_readings(session, event, participant_id, [reading], "openadr3", platform.clock.now())


def realtime_user(platform: Platform, station: str, name: str, last_day: dt.date) -> str:
    """A real-time capable user of 300 kW at ``station`` with a flat 1000 kW over the 20 days
    up to ``last_day``; its id."""
    detail = platform.enrol(
        power_user(
            station,
            name=name,
            realtime_capable=True,
            minute_monitoring=True,
            realtime_capability_kw="300",
        )
    )
    with session_scope(platform.app.state.sessionmaker) as session:
        for n in range(20):
            session.add(
                MeterDay(
                    account_id=detail["accounts"][0]["account_id"],
                    day=last_day - dt.timedelta(days=n),
                    kw=encode_day(np.full(INTERVALS_PER_DAY, BASELINE_KW)),
                    updated_at=platform.clock.now(),
                )
            )
    participant_id: str = detail["id"]
    return participant_id


def create_realtime(platform: Platform, day: dt.date, station: str, demand_kw: str) -> str:
    """A real-time event at ``station`` for 14:15–15:00 of ``day``, dispatched now; its id."""
    created = platform.client.post(
        "/api/events",
        json={
            "direction": "peak",
            "mode": "realtime",
            "start_at": f"{day}T14:15",
            "end_at": f"{day}T15:00",
            "demand_kw": demand_kw,
            "scope": {"substations": [station]},
            "price_mode": "fixed",
            "fixed_price": "4",
        },
        headers=platform.grid,
    )
    assert created.status_code == 201, created.text
    event_id: str = created.json()["id"]
    return event_id


@pytest.fixture(scope="module")
def dispatched(platform: Platform) -> dict[str, Any]:
    """Three real-time capable users (300 kW each, flat 1000 kW history) dispatched at 14:02
    for 14:15–15:00; 准时 reaches 350 kW at 14:05, 迟到 320 kW at 14:09, 无数据 sends nothing."""
    platform.clock.set(START)
    people = {
        name: realtime_user(platform, STATION, name, DAY)
        for name in ("越秀准时工厂", "越秀迟到工厂", "越秀无数据工厂")
    }
    platform.clock.set(NOTICE)
    event_id = create_realtime(platform, DAY, STATION, "900")
    on_time, late = people["越秀准时工厂"], people["越秀迟到工厂"]
    for minute, kw in ((3, "900"), (4, "800"), (5, "650"), (6, "640")):
        send(platform, event_id, on_time, at(14, minute), kw)
    for minute, kw in ((4, "950"), (7, "760"), (9, "680")):
        send(platform, event_id, late, at(14, minute), kw)
    platform.clock.set(at(14, 20))
    return {"event": event_id, "people": people}


def settled(page: Any) -> None:
    page.wait_for_function(
        "() => !document.getElementById('monitor-state').textContent.includes('加载')"
    )
    page.wait_for_selector("#participant-chart .main-svg")


def tab(page: Any, visibility: str) -> None:
    """The tab hidden or shown again, as the browser tells the page."""
    page.evaluate(
        "(visibility) => { Object.defineProperty(document, 'visibilityState',"
        " {value: visibility, configurable: true});"
        " document.dispatchEvent(new Event('visibilitychange')); }",
        visibility,
    )


def row_text(page: Any, participant_id: str) -> str:
    text: str = page.inner_text(f"#monitor-body tr[data-participant='{participant_id}']")
    return text


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
def test_the_header_counts_the_alarms_and_the_list_leads_to_the_monitoring(
    platform: Platform,
    dispatched: dict[str, Any],
    base_url: str,
    browser: Any,
    size: tuple[int, int],
) -> None:
    """The silent participant is a non-responder at 14:20 (no reading 5 minutes after the
    14:02 notice): the header's 告警 shows 1, the list names it and links to 实时监测."""
    page = sign_in(browser, base_url, platform.regulator_token, viewport=size)
    page.goto("/console/overview")
    if size == PHONE:
        page.click("header.top .menu-toggle")
    link = page.locator("header.top nav a", has_text="告警")
    assert link.locator(".alarm-count").inner_text() == "1"
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/console/alarms")
    rows = page.locator("main tbody tr")
    assert rows.count() == 1
    assert "越秀无数据工厂" in rows.first.inner_text()
    assert "调度通知（14:02）后 5 分钟仍无负荷数据" in rows.first.inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= size[0] + 2
    shot(page, f"alarms-{size[0]}-staff")
    page.click("nav.tabs a:has-text('暂停应邀')")
    assert "当前没有暂停应邀告警" in page.inner_text("main")
    page.goto("/console/alarms")
    rows.first.locator("a", has_text="实时监测").click()
    settled(page)
    assert "无负荷数据" in row_text(page, dispatched["people"]["越秀无数据工厂"])
    page.context.close()


def test_participants_have_no_alarms_page(
    platform: Platform, dispatched: dict[str, Any], base_url: str, browser: Any
) -> None:
    token = platform.token(Role.POWER_USER, dispatched["people"]["越秀准时工厂"], "准时工厂")
    page = sign_in(browser, base_url, token)
    assert page.locator("header.top nav a", has_text="告警").count() == 0
    answer = page.goto("/console/alarms")
    assert answer is not None and answer.status == 403
    page.context.close()


def test_the_dispatcher_watches_who_reached_the_target(
    platform: Platform, dispatched: dict[str, Any], base_url: str, browser: Any
) -> None:
    people, event_id = dispatched["people"], dispatched["event"]
    page = sign_in(browser, base_url, platform.grid_token, viewport=DESK)
    # From the overview (the event is in progress) and the event page.
    page.goto("/console/overview")
    assert "响应进行中" in page.inner_text("main")
    page.click(f"a[href='/console/events/{event_id}/monitoring']")
    settled(page)
    assert "实时监测" in page.inner_text("h1")
    on_time = row_text(page, people["越秀准时工厂"])
    assert "已达标" in on_time and "是（14:05）" in on_time
    late = row_text(page, people["越秀迟到工厂"])
    assert "已达标" in late and "否，14:09 才达标" in late
    silent = row_text(page, people["越秀无数据工厂"])
    assert "无负荷数据" in silent and "否，未达标" in silent
    tiles = page.inner_text("#monitor-tiles")
    assert "2 / 3" in tiles and "1 / 3" in tiles  # reporting; within 5 minutes
    # Who has not: the filter leaves the late one's current standing and the silent one.
    page.select_option("#monitor-filter", "short")
    assert page.locator("#monitor-body tr").count() == 1
    page.select_option("#monitor-filter", "all")
    # A participant's curve: load, baseline and the target load, with the 5-minute limit.
    page.click("#monitor-body button:has-text('越秀迟到工厂')")
    assert "越秀迟到工厂 的负荷曲线" in page.inner_text("#participant-title")
    # Its minutes come with the next answer (each poll carries only the drawn participant's).
    page.wait_for_function(
        "() => document.querySelectorAll('#participant-chart .scatterlayer .point').length > 0",
        timeout=15_000,
    )
    legend = page.inner_text("#participant-chart")
    assert "实际负荷" in legend and "基线" in legend and "5 分钟时限" in legend
    assert page.query_selector("#participant-chart .g-ytitle text").text_content() == "负荷（kW）"
    shot(page, "monitoring-1440-staff")

    # Readings arrive: the page shows them without being reloaded.
    page.evaluate("window.notReloaded = true")
    send(platform, event_id, people["越秀无数据工厂"], at(14, 19), "600")
    page.wait_for_function(
        "() => document.getElementById('monitor-tiles').textContent.includes('3 / 3')",
        timeout=15_000,
    )
    assert page.evaluate("window.notReloaded") is True
    assert "已达标" in row_text(page, people["越秀无数据工厂"])
    shot(page, "monitoring-1440-staff-updated")

    # A hidden tab stops polling until it is shown again.
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url) if "/monitoring" in r.url else None)
    tab(page, "hidden")
    assert "已暂停刷新" in page.inner_text("#monitor-state")
    page.wait_for_timeout(6_500)  # longer than one polling period (5 s)
    assert calls == []
    tab(page, "visible")
    page.wait_for_function(
        "() => document.getElementById('monitor-state').textContent.includes('自动刷新')"
    )
    assert len(calls) >= 1
    page.context.close()


def test_the_monitoring_page_fits_a_phone(
    platform: Platform, dispatched: dict[str, Any], base_url: str, browser: Any
) -> None:
    page = sign_in(browser, base_url, platform.grid_token, viewport=PHONE)
    page.goto(f"/console/events/{dispatched['event']}/monitoring")
    settled(page)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE[0] + 2, f"the page is {width} px wide"
    assert page.locator("#participant-chart .modebar").count() == 0
    shot(page, "monitoring-390-staff")
    page.context.close()


def test_a_participant_sees_only_its_own_part(
    platform: Platform, dispatched: dict[str, Any], base_url: str, browser: Any
) -> None:
    people, event_id = dispatched["people"], dispatched["event"]
    own = people["越秀迟到工厂"]
    token = platform.token(Role.POWER_USER, own, "迟到工厂操作员")
    for size in (PHONE, DESK):
        page = sign_in(browser, base_url, token, viewport=size)
        page.goto("/console/portal")
        page.click(f"a[href='/console/events/{event_id}/monitoring']")
        settled(page)
        rows = page.locator("#monitor-body tr")
        assert rows.count() == 1 and rows.first.get_attribute("data-participant") == own
        assert "越秀准时工厂" not in page.inner_text("main")
        shot(page, f"monitoring-{size[0]}-user")
        page.context.close()
    # A participant without a part in the event gets the 404 page.
    outsider = platform.enrol(power_user("荔湾站", name="荔湾某厂"))
    stranger = sign_in(browser, base_url, platform.token(Role.POWER_USER, outsider["id"], "荔湾"))
    answer = stranger.goto(f"/console/events/{event_id}/monitoring")
    assert answer is not None and answer.status == 404
    assert "未找到" in stranger.inner_text("main")
    stranger.context.close()


@pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])
def test_the_grid_map_draws_each_substation_and_feeder(
    platform: Platform,
    dispatched: dict[str, Any],
    base_url: str,
    browser: Any,
    size: tuple[int, int],
) -> None:
    """越秀站 with its feeder F01: three participants of 800 kW each, no evaluated response
    yet; drawn as SVG on the page, which fits a phone."""
    page = sign_in(browser, base_url, platform.grid_token, viewport=size)
    page.goto("/console/grid")
    card = page.locator("section.substation", has_text=STATION)
    assert "3 个参与者 · 2,400 kW" in card.locator("h2").inner_text()
    assert card.locator("svg circle.node.idle").count() == 1
    labels = card.locator("svg").text_content()
    assert "F01 · 2,400 kW（3 个参与者）" in labels and "尚无已评估的响应" in labels
    assert page.evaluate("document.scrollingElement.scrollWidth") <= size[0] + 2
    shot(page, f"grid-{size[0]}-staff")
    page.context.close()


def test_a_dispatch_without_its_baselines_meter_data_waits_for_them(
    platform: Platform, dispatched: dict[str, Any], base_url: str, browser: Any
) -> None:
    """As in operation: the next day's meter data have not come yet at a 14:02 notice, so the
    check of 5 minutes waits for the real-time baseline's two intervals (R4)."""
    day = DAY + dt.timedelta(days=1)
    platform.clock.set(START)
    waiting = realtime_user(platform, "海珠站", "海珠待基线工厂", DAY)
    try:
        platform.clock.set(dt.datetime.combine(day, NOTICE.time()))
        event_id = create_realtime(platform, day, "海珠站", "300")
        send(platform, event_id, waiting, dt.datetime.combine(day, dt.time(14, 5)), "650")
        platform.clock.set(dt.datetime.combine(day, dt.time(14, 10)))
        for size in (DESK, PHONE):
            page = sign_in(browser, base_url, platform.grid_token, viewport=size)
            page.goto(f"/console/events/{event_id}/monitoring")
            settled(page)
            assert "待判定（实时基线待计量数据）" in row_text(page, waiting)
            assert "待判定（实时基线待计量数据）" in page.inner_text("#monitor-tiles")
            assert page.evaluate("document.scrollingElement.scrollWidth") <= size[0] + 2
            shot(page, f"monitoring-{size[0]}-baseline-pending")
            page.context.close()
    finally:
        platform.clock.set(at(14, 20))
