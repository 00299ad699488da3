"""R2 (第五条, 第七条, 第八条): the invitation timeline and its guards, on and past each edge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from gzkit.timezone import SHANGHAI
from gzvpp.core.grid import Window
from gzvpp.core.invitation import (
    PRICE_CAP_CNY_PER_KWH,
    InvitationError,
    LimitCheck,
    Limits,
    Timeline,
    check_bid,
    check_cancellation,
    day_ahead_timeline,
    hours_ahead_timeline,
    peak_trigger,
    price_cap,
    within_daily_limits,
)
from gzvpp.core.model import Direction

D = Decimal
T = dt.datetime
DAY = dt.date(2024, 7, 16)


def window(start: str, end: str, day: dt.date = DAY) -> Window:
    return Window.from_times(
        T.combine(day, dt.time.fromisoformat(start)),
        T.combine(day, dt.time.fromisoformat(end)),
    )


# --- timelines -------------------------------------------------------------------------------


def test_day_ahead_timeline_is_on_the_eve() -> None:
    assert day_ahead_timeline(DAY) == Timeline(
        publish=T(2024, 7, 15, 9, 0),
        bids_close=T(2024, 7, 15, 11, 0),
        ranking_due=T(2024, 7, 15, 12, 0),
        notify_due=T(2024, 7, 15, 12, 30),
    )


def test_day_ahead_timeline_crosses_month_and_year() -> None:
    assert day_ahead_timeline(dt.date(2025, 1, 1)).publish == T(2024, 12, 31, 9, 0)


def test_hours_ahead_timeline_exactly_4_hours() -> None:
    assert hours_ahead_timeline(T(2024, 7, 16, 10, 0), T(2024, 7, 16, 14, 0)) == Timeline(
        publish=T(2024, 7, 16, 10, 0),
        bids_close=T(2024, 7, 16, 11, 0),
        ranking_due=T(2024, 7, 16, 11, 30),
        notify_due=T(2024, 7, 16, 11, 30),
    )


def test_hours_ahead_timeline_3h59_is_too_late() -> None:
    with pytest.raises(InvitationError, match="4 小时") as caught:
        hours_ahead_timeline(T(2024, 7, 16, 10, 1), T(2024, 7, 16, 14, 0))
    assert "3 h 59 min" in str(caught.value)


def test_hours_ahead_timeline_accepts_aware_times() -> None:
    published = T(2024, 7, 16, 2, 0, tzinfo=dt.UTC)  # 10:00 in Guangzhou
    line = hours_ahead_timeline(published, T(2024, 7, 16, 14, 0, tzinfo=SHANGHAI))
    assert line.bids_close == T(2024, 7, 16, 11, 0)
    assert line.bids_close.tzinfo is None


# --- cancellation ----------------------------------------------------------------------------


def test_cancellation_exactly_4_hours_before_is_allowed() -> None:
    check_cancellation(T(2024, 7, 16, 10, 0), T(2024, 7, 16, 14, 0))
    check_cancellation(T(2024, 7, 15, 12, 0), T(2024, 7, 16, 14, 0))


@pytest.mark.parametrize("now", [T(2024, 7, 16, 10, 1), T(2024, 7, 16, 10, 0, 1)])
def test_cancellation_inside_4_hours_is_refused(now: T) -> None:
    with pytest.raises(InvitationError, match="4 小时前") as caught:
        check_cancellation(now, T(2024, 7, 16, 14, 0))
    assert "at least 4 h before" in str(caught.value)


def test_cancellation_after_start_is_refused() -> None:
    with pytest.raises(InvitationError, match="-1 h 0 min"):
        check_cancellation(T(2024, 7, 16, 15, 0), T(2024, 7, 16, 14, 0))


# --- daily limits ----------------------------------------------------------------------------


def test_second_event_of_the_day_is_allowed() -> None:
    check = within_daily_limits([window("10:00", "11:00")], window("14:00", "15:00"))
    assert check.allowed
    assert "第 2 次" in check.reason


def test_third_event_of_the_day_is_refused() -> None:
    existing = [window("10:00", "10:30"), window("12:00", "12:30")]
    check = within_daily_limits(existing, window("14:00", "14:30"))
    assert not check.allowed
    assert "不多于 2 次" in check.reason


def test_events_on_other_days_do_not_count() -> None:
    yesterday = DAY - dt.timedelta(days=1)
    existing = [window("10:00", "10:30", yesterday), window("12:00", "12:30", yesterday)]
    assert within_daily_limits(existing, window("14:00", "14:30")).allowed


def test_four_hours_total_exactly_is_allowed() -> None:
    # 1 h 45 min + 2 h 15 min = 4 h
    check = within_daily_limits([window("08:00", "09:45")], window("14:00", "16:15"))
    assert check.allowed
    assert "4 h 0 min" in check.reason


def test_four_hours_15_minutes_total_is_refused() -> None:
    # 2 h + 2 h 15 min = 4 h 15 min
    check = within_daily_limits([window("08:00", "10:00")], window("14:00", "16:15"))
    assert not check.allowed
    assert "4 h 15 min" in check.reason


def test_one_window_longer_than_4_hours_is_refused() -> None:
    assert not within_daily_limits([], window("10:00", "14:15")).allowed
    assert within_daily_limits([], window("10:00", "14:00")).allowed


def test_limits_are_configurable() -> None:
    limits = Limits(max_events_per_day=3, max_time_per_day=dt.timedelta(hours=6))
    existing = [window("08:00", "10:00"), window("11:00", "13:00")]
    assert within_daily_limits(existing, window("14:00", "16:00"), limits).allowed
    assert not within_daily_limits(existing, window("14:00", "16:15"), limits).allowed


# --- bids ------------------------------------------------------------------------------------

CLOSE = T(2024, 7, 15, 11, 0)
OK_LIMIT = LimitCheck(True, "ok")


def bid(**changes: Any) -> None:
    args: dict[str, Any] = {
        "received_at": T(2024, 7, 15, 10, 30),
        "bids_close": CLOSE,
        "kw": D(500),
        "registered_kw": D(800),
        "price": D("3.50"),
        "bidding": True,
        "direction": Direction.PEAK,
        "suspended": False,
        "daily_limit": OK_LIMIT,
    }
    check_bid(**(args | changes))


def test_good_bid_passes() -> None:
    bid()
    bid(price=None, bidding=False)


def test_bid_one_second_before_close_is_on_time() -> None:
    bid(received_at=T(2024, 7, 15, 10, 59, 59, 999999))


@pytest.mark.parametrize("received", [CLOSE, T(2024, 7, 15, 11, 0, 1)])
def test_bid_at_or_after_close_is_late(received: T) -> None:
    # "11:00 前": a bid arriving at 11:00:00 is already late.
    with pytest.raises(InvitationError, match="逾期"):
        bid(received_at=received)


@pytest.mark.parametrize("kw", ["0", "-1"])
def test_bid_must_be_positive(kw: str) -> None:
    with pytest.raises(InvitationError, match="大于 0"):
        bid(kw=D(kw))


def test_bid_up_to_registered_capability() -> None:
    bid(kw=D(800))
    with pytest.raises(InvitationError, match="登记响应能力"):
        bid(kw=D("800.01"))


def test_bidding_mode_needs_a_price() -> None:
    with pytest.raises(InvitationError, match="竞价模式须申报价格"):
        bid(price=None)


def test_fixed_price_mode_refuses_a_price() -> None:
    with pytest.raises(InvitationError, match="固定价格"):
        bid(price=D(1), bidding=False)


@pytest.mark.parametrize(
    ("direction", "price", "ok"),
    [
        (Direction.PEAK, "5.00", True),
        (Direction.PEAK, "5.01", False),
        (Direction.PEAK, "0", True),
        (Direction.PEAK, "-0.01", False),
        (Direction.VALLEY, "2.00", True),
        (Direction.VALLEY, "2.01", False),
        (Direction.VALLEY, "0", True),
    ],
)
def test_price_caps(direction: Direction, price: str, ok: bool) -> None:
    if ok:
        bid(direction=direction, price=D(price))
    else:
        with pytest.raises(InvitationError, match="元/kWh"):
            bid(direction=direction, price=D(price))


def test_price_cap_constants() -> None:
    assert price_cap(Direction.PEAK) == D(5)
    assert price_cap(Direction.VALLEY) == D(2)
    assert set(PRICE_CAP_CNY_PER_KWH) == set(Direction)


def test_suspended_participant_cannot_bid() -> None:
    with pytest.raises(InvitationError, match="暂停"):
        bid(suspended=True)


def test_participant_at_daily_limit_cannot_bid() -> None:
    existing = [window("08:00", "09:00"), window("10:00", "11:00")]
    limit = within_daily_limits(existing, window("14:00", "15:00"))
    with pytest.raises(InvitationError, match="不多于 2 次"):
        bid(daily_limit=limit)


# --- peak-shaving trigger --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("forecast", "last_year"),
    [(19_000.0, 20_000.0), (4383.11, 4613.8), (D("4383.11"), D("4613.8")), (95, 100)],
)
def test_peak_trigger_at_exactly_95_percent(
    forecast: float | Decimal, last_year: float | Decimal
) -> None:
    check = peak_trigger(forecast, last_year)
    assert check.triggered
    assert check.ratio == D("0.95")
    assert check.threshold == D("0.95")


def test_peak_trigger_just_below_95_percent() -> None:
    check = peak_trigger(18_999.0, 20_000.0)
    assert not check.triggered
    assert check.ratio == D("0.94995")
    assert not peak_trigger(4383.1, 4613.8).triggered


def test_peak_trigger_above_last_year() -> None:
    assert peak_trigger(21_000.0, 20_000.0).triggered


def test_peak_trigger_takes_numpy_floats() -> None:
    assert peak_trigger(np.float64(4383.11), np.float64(4613.8)).triggered


def test_peak_trigger_needs_a_positive_maximum() -> None:
    with pytest.raises(ValueError, match="positive"):
        peak_trigger(100.0, 0.0)
