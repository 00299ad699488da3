"""Every console list longer than a page is paged: the plan of an event, a participant's
accounts and score history, the portal's invitations, notifications and results."""

from __future__ import annotations

import datetime as dt
import re

from conftest import Platform, Programme, create_event, power_user

PAGE_SIZE = 20


def rows_of(html: str, marker: str) -> int:
    """How many times ``marker`` (one per row of the list) occurs in ``html``."""
    return len(re.findall(re.escape(marker), html))


def test_the_plan_of_25_awards_is_paged(platform: Platform, programme: Programme) -> None:
    platform.sign_in(platform.grid_token)
    path = f"/console/events/{programme.event_id}"
    first = platform.client.get(path).text
    assert rows_of(first, "曲线与评估</a>") == PAGE_SIZE
    assert "共 25 条，第 1 / 2 页" in first and "plan_page=2" in first
    second = platform.client.get(path, params={"plan_page": 2}).text
    assert rows_of(second, "曲线与评估</a>") == 5
    assert "共 25 条，第 2 / 2 页" in second


def test_a_participants_accounts_are_paged(platform: Platform, programme: Programme) -> None:
    platform.sign_in(platform.grid_token)
    path = f"/console/participants/{programme.trader_id}"
    first = platform.client.get(path).text
    assert rows_of(first, "某商场") == PAGE_SIZE
    assert "共 21 条，第 1 / 2 页" in first
    second = platform.client.get(path, params={"accounts_page": 2}).text
    assert rows_of(second, "某商场") == 1
    # The other list on the page keeps its own page.
    assert "共 1 条，第 1 / 1 页" in second


def test_the_portal_pages_its_lists(platform: Platform, programme: Programme) -> None:
    platform.sign_in(programme.trader_token)
    portal = platform.client.get("/console/portal").text
    assert portal.count('class="pager"') == 2  # invitations, notifications
    assert "共 1 条，第 1 / 1 页" in portal.split("<h2>通知</h2>")[0]
    results = platform.client.get("/console/portal/results").text
    assert "共 1 条，第 1 / 1 页" in results
    beyond = platform.client.get("/console/portal/results", params={"page": 2}).text
    assert "暂无评估结果" in beyond


def test_the_overview_pages_coming_events(platform: Platform, programme: Programme) -> None:
    """21 coming events (in a scope where nobody is active yet): 20 on the first page."""
    # An application not yet reviewed makes the station known to the scope check.
    platform.enrol(power_user("无人站", name="无人站待审用户"), activate=False)
    for day in range(10, 31):
        create_event(
            platform, dt.date(2025, 7, day), demand_kw="1000", substation="无人站", fixed_price="2"
        )
    platform.sign_in(platform.grid_token)
    first = platform.client.get("/console/overview").text
    assert rows_of(first, '<a href="/console/events/DR') == PAGE_SIZE
    assert "共 21 条，第 1 / 2 页" in first and "events_page=2" in first
    second = platform.client.get("/console/overview", params={"events_page": 2}).text
    assert rows_of(second, '<a href="/console/events/DR') == 1


def test_the_filter_forms_all_choice_filters_nothing(
    platform: Platform, programme: Programme
) -> None:
    """查询 with every select at 全部… sends empty values: the whole list, not a 422."""
    platform.sign_in(platform.grid_token)
    everyone = platform.client.get(
        "/console/participants",
        params={
            "q": "",
            "kind": "",
            "status": "",
            "category": "",
            "substation": "",
            "realtime": "",
        },
    )
    enrolled = platform.client.get("/api/participants", headers=platform.grid).json()
    assert everyone.status_code == 200
    assert f"共 {enrolled['pagination']['total_count']} 条" in everyone.text
    events = platform.client.get(
        "/console/events", params={"status": "", "mode": "", "direction": ""}
    )
    total = platform.client.get("/api/events", headers=platform.grid).json()["pagination"]
    assert events.status_code == 200 and f"共 {total['total_count']} 条" in events.text
