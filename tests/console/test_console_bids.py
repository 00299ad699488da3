"""What an aggregator expects (issue 10 §5): the expected subsidy of a bid before submitting, by
the settlement's own rule, live on the bid form; withdrawing the bid before the close, with a
confirmation, audited, refused after the close; its result broken down by member — through the
API, the console and a browser."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from conftest import (
    BLOCKED,
    DAY,
    MEMBERS,
    START,
    Platform,
    Programme,
    aggregator,
    bearer,
    create_event,
    power_user,
    require_browser,
    shot,
    sign_in,
)
from sqlalchemy import select

from gzkit.db import session_scope
from gzvpp.core.model import Mode
from gzvpp.core.subsidy import expected_subsidy_cny
from gzvpp.models import AuditLog, Role

STATION = "白云站"
CLOSE = dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(11))


def bidder(platform: Platform, name: str) -> tuple[str, dict[str, str]]:
    """An active aggregator at :data:`STATION` and its token."""
    trader = platform.enrol(aggregator(STATION, name=name))
    return trader["id"], {"token": platform.token(Role.AGGREGATOR, trader["id"], f"{name}操作员")}


def test_the_expected_subsidy_is_the_settlement_rule() -> None:
    # 600 kW for 2 h at 3 CNY/kWh, day-ahead (× 1), and hours-ahead (× 1.5).
    assert expected_subsidy_cny(Decimal(600), Decimal(2), Decimal(3), Mode.DAY_AHEAD) == Decimal(
        "3600.00"
    )
    assert expected_subsidy_cny(
        Decimal("333.333"), Decimal("0.25"), Decimal("4.5"), Mode.HOURS_AHEAD
    ) == Decimal("562.50")  # 83.333 kWh (half up) × 4.5 × 1.5 = 562.497… → 562.50


def test_the_api_previews_a_bid_and_withdraws_it_before_the_close(platform: Platform) -> None:
    platform.clock.set(START)
    trader_id, held = bidder(platform, "白云某聚合商")
    other = platform.enrol(power_user(STATION, name="白云某工厂"))
    mine, theirs = bearer(held["token"]), bearer(platform.token(Role.POWER_USER, other["id"]))
    event_id = create_event(platform, DAY, demand_kw="3000", substation=STATION)
    preview = platform.client.get(
        f"/api/events/{event_id}/subsidy-preview", params={"kw": "600", "price": "3"}, headers=mine
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["expected_subsidy_cny"], body["max_subsidy_cny"]) == ("1800.00", "2160.00")
    assert (body["hours"], body["coefficient"]) == ("1", "1")
    over = platform.client.get(
        f"/api/events/{event_id}/subsidy-preview", params={"kw": "600", "price": "9"}, headers=mine
    )
    assert over.status_code == 422

    bid = platform.client.post(
        f"/api/events/{event_id}/bids", json={"kw": "600", "price": "3"}, headers=mine
    )
    assert bid.status_code == 201, bid.text
    bid_id = bid.json()["id"]
    url = f"/api/events/{event_id}/bids/{bid_id}"
    assert platform.client.delete(url, headers=theirs).status_code == 404  # not theirs
    assert platform.client.delete(url, headers=mine).status_code == 204
    assert platform.client.delete(url, headers=mine).status_code == 404  # gone
    listed = platform.client.get(f"/api/events/{event_id}/bids", headers=mine).json()
    assert listed["items"] == []
    with session_scope(platform.app.state.read_sessionmaker) as session:
        audit = session.scalars(
            select(AuditLog).where(
                AuditLog.action == "bid.withdraw", AuditLog.entity_id == str(bid_id)
            )
        ).one()
        assert audit.before is not None and audit.before["participant_id"] == trader_id
        assert audit.after is None

    again = platform.client.post(
        f"/api/events/{event_id}/bids", json={"kw": "500", "price": "3"}, headers=mine
    )
    assert again.status_code == 201, again.text
    platform.clock.set(CLOSE)
    late = platform.client.delete(f"/api/events/{event_id}/bids/{again.json()['id']}", headers=mine)
    assert late.status_code == 409 and "申报已截止，不能撤回" in late.text


def test_the_console_withdraws_after_a_confirmation(platform: Platform) -> None:
    platform.clock.set(START)
    _, held = bidder(platform, "白云二号聚合商")
    event_id = create_event(platform, DAY, demand_kw="3000", substation=STATION, fixed_price="3")
    mine = bearer(held["token"])
    bid = platform.client.post(f"/api/events/{event_id}/bids", json={"kw": "600"}, headers=mine)
    assert bid.status_code == 201, bid.text
    platform.sign_in(held["token"])
    page = f"/console/portal/events/{event_id}"
    action = f"{page}/bids/{bid.json()['id']}/withdraw"
    assert "撤回申报" in platform.client.get(page).text
    confirm = platform.submit(page, action)
    assert confirm.status_code == 200 and "撤回后，本次申报不参与排序" in confirm.text
    assert platform.client.get(f"/api/events/{event_id}/bids", headers=mine).json()["items"]
    done = platform.submit(page, action, confirmed="1")
    assert done.url.path == page and "撤回申报" not in done.text
    assert not platform.client.get(f"/api/events/{event_id}/bids", headers=mine).json()["items"]
    # A fixed-price event takes no price in the preview either.
    priced = platform.client.get(
        f"/api/events/{event_id}/subsidy-preview", params={"kw": "600", "price": "3"}, headers=mine
    )
    assert priced.status_code == 422


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_bid_form_shows_the_expected_subsidy_and_withdraws(
    platform: Platform, base_url: str, browser: Any, width: int, height: int
) -> None:
    require_browser()
    platform.clock.set(START)
    _, held = bidder(platform, f"白云{width}聚合商")
    event_id = create_event(platform, DAY, demand_kw="3000", substation=STATION)
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": height}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto("/console/login")
    page.click("details.token-sign-in summary")
    page.fill("#token-sign-in input[name=token]", held["token"])
    page.click("#token-sign-in button[type=submit]")
    page.goto(f"/console/portal/events/{event_id}")
    page.fill("input[name=kw]", "600")
    page.fill("input[name=price]", "3")
    page.wait_for_function(
        "() => document.getElementById('bid-expected').textContent.includes('¥1,800.00')"
    )
    assert "最多 ¥2,160.00" in page.inner_text("#bid-expected")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    shot(page, f"bid-expected-{width}px")
    page.click("#bid-form button[type=submit]")
    page.wait_for_function("() => !document.getElementById('bid-done').hidden")
    page.reload()
    page.click("#bid-withdraw button")
    assert "撤回后，本次申报不参与排序" in page.inner_text("main")
    shot(page, f"bid-withdraw-confirm-{width}px")
    page.click("button.danger")
    page.wait_for_load_state("networkidle")
    assert "当前申报" not in page.inner_text("main")
    shot(page, f"bid-withdrawn-{width}px")
    context.close()
    assert not BLOCKED


def test_an_aggregator_sees_its_result_by_member(platform: Platform, programme: Programme) -> None:
    platform.sign_in(programme.trader_token)
    page = platform.client.get(f"/console/results/{programme.event_id}/{programme.trader_id}")
    assert page.status_code == 200, page.text
    section = re.search(r'<section class="card" id="members">(.*?)</section>', page.text, re.S)
    assert section is not None, "no member breakdown"
    rows = re.findall(r"<tr><td>(某商场\d+)</td><td><code>(\d+)</code></td>(.*?)</tr>", section[1])
    assert len(rows) == MEMBERS
    detail = platform.client.get(
        f"/api/results/events/{programme.event_id}/participants/{programme.trader_id}",
        headers=bearer(programme.trader_token),
    )
    assert detail.status_code == 200, detail.text
    body = detail.json()
    members = body["members"]
    assert len(members) == MEMBERS and all(m["member_name"].startswith("某商场") for m in members)
    # Each member cut 400 kW in the window (conftest.meter_readings); they add up to the award's.
    assert {Decimal(m["response_kw"]) for m in members} == {Decimal(400)}
    total = sum(Decimal(m["response_kw"]) for m in members)
    assert abs(total - Decimal(body["response_kw"])) <= Decimal("0.001") * MEMBERS
    # A power user's result has no member table.
    platform.sign_in(programme.user_token)
    own = platform.client.get(f"/console/results/{programme.event_id}/{programme.user_id}")
    assert own.status_code == 200 and 'id="members"' not in own.text


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_the_member_breakdown_in_the_browser(
    platform: Platform,
    programme: Programme,
    base_url: str,
    browser: Any,
    width: int,
    height: int,
) -> None:
    require_browser()
    page = sign_in(browser, base_url, programme.trader_token, viewport=(width, height))
    page.goto(f"/console/results/{programme.event_id}/{programme.trader_id}")
    table = page.locator("#members")
    assert table.locator("tbody tr").count() == MEMBERS
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    table.scroll_into_view_if_needed()
    shot(page, f"result-members-{width}px")
    page.context.close()
    assert not BLOCKED
