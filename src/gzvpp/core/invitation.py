"""The invitation timeline and the guards on bids, cancellations and daily limits (R2).

Sources: 第五条 (types and daily limits), 第七条 (start conditions), 第八条 (timeline,
cancellation) and 第九条 (三) 表 2 (price caps). All datetimes are naive Guangzhou wall-clock
times (Asia/Shanghai, UTC+8, no daylight saving); an aware datetime passed in is converted first.
Following 第十五条, 不低于 / 不多于 include the number and 低于 / 多于 exclude it. Refusals raise
:class:`InvitationError` with a Chinese, then English (after `` / ``), explanation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from gzkit.timezone import to_local
from gzvpp.core.grid import Window
from gzvpp.core.model import Direction

#: 第九条 (三) 表 2: subsidy price 0–5 CNY/kWh for peak shaving, 0–2 CNY/kWh for valley filling.
PRICE_CAP_CNY_PER_KWH: Mapping[Direction, Decimal] = MappingProxyType(
    {Direction.PEAK: Decimal(5), Direction.VALLEY: Decimal(2)}
)
#: 第八条 (一) 1 ② and 4: hours-ahead notice and cancellation both need 4 hours' lead.
MIN_LEAD = dt.timedelta(hours=4)
#: 第八条 (一) 1 ② B: bids close 1 hour after an hours-ahead invitation is published.
HOURS_AHEAD_BIDDING = dt.timedelta(hours=1)
#: 第八条 (一) 1 ② C: ranking and notification within 30 minutes of the close.
HOURS_AHEAD_RANKING = dt.timedelta(minutes=30)
#: 第七条 (一) 1: forecast system load at 95 % or more of last year's maximum starts peak shaving.
PEAK_TRIGGER_SHARE = Decimal("0.95")


class InvitationError(ValueError):
    """An invitation, bid or cancellation the rules do not allow; the message says why."""


@dataclass(frozen=True)
class Timeline:
    """The deadlines of one invitation, as naive local datetimes (第八条 (一) 1).

    Attributes
    ----------
    publish : datetime
        When the invitation is published.
    bids_close : datetime
        Bids must arrive strictly before this moment (11:00 前).
    ranking_due : datetime
        Ranking done by then.
    notify_due : datetime
        Participants told the execution plan by then.
    """

    publish: dt.datetime
    bids_close: dt.datetime
    ranking_due: dt.datetime
    notify_due: dt.datetime


@dataclass(frozen=True)
class Limits:
    """Daily limits per participant and per response type (第五条, default, 原则上).

    Invited (day-ahead and hours-ahead together) and real-time responses are counted
    separately, each against these limits.

    Attributes
    ----------
    max_events_per_day : int
        不多于 2 次: at most this many events a day.
    max_time_per_day : timedelta
        累计时间不多于 4 小时: at most this much window time a day.
    """

    max_events_per_day: int = 2
    max_time_per_day: dt.timedelta = dt.timedelta(hours=4)


@dataclass(frozen=True)
class LimitCheck:
    """Whether one more event fits the daily limits, and why (not).

    Attributes
    ----------
    allowed : bool
    reason : str
        Chinese, then English after `` / ``.
    """

    allowed: bool
    reason: str


@dataclass(frozen=True)
class TriggerCheck:
    """The peak-shaving start condition of 第七条 (一) 1.

    Attributes
    ----------
    triggered : bool
        ``ratio >= threshold``.
    ratio : Decimal
        Forecast maximum ÷ last year's maximum.
    threshold : Decimal
        0.95 (达到 … 95% 及以上).
    """

    triggered: bool
    ratio: Decimal
    threshold: Decimal = PEAK_TRIGGER_SHARE


def _stamp(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def _span(span: dt.timedelta) -> str:
    """A duration as ``4 h 15 min``, negative when the moment has already passed."""
    minutes = span // dt.timedelta(minutes=1)
    sign = "-" if minutes < 0 else ""
    return f"{sign}{abs(minutes) // 60} h {abs(minutes) % 60} min"


def day_ahead_timeline(response_day: dt.date) -> Timeline:
    """Deadlines of a day-ahead invitation (日前邀约, 第八条 (一) 1 ①).

    Parameters
    ----------
    response_day : date
        The response day D.

    Returns
    -------
    Timeline
        On D-1: publish 09:00, bids close 11:00, ranking by 12:00, notification by 12:30.
    """
    eve = dt.datetime.combine(response_day - dt.timedelta(days=1), dt.time())
    return Timeline(
        publish=eve.replace(hour=9),
        bids_close=eve.replace(hour=11),
        ranking_due=eve.replace(hour=12),
        notify_due=eve.replace(hour=12, minute=30),
    )


def hours_ahead_timeline(published_at: dt.datetime, window_start: dt.datetime) -> Timeline:
    """Deadlines of an hours-ahead invitation (提前 4 小时邀约, 第八条 (一) 1 ②).

    Parameters
    ----------
    published_at : datetime
        When the invitation is published; at least 4 h before ``window_start`` (exactly 4 h is
        allowed).
    window_start : datetime
        Start of the event window.

    Returns
    -------
    Timeline
        Bids close 1 h after publication (no bid means abstaining); ranking and notification
        are both due 30 min after the close.

    Raises
    ------
    InvitationError
        If the invitation is published less than 4 h before the window starts.
    """
    published_at, window_start = to_local(published_at), to_local(window_start)
    lead = window_start - published_at
    if lead < MIN_LEAD:
        raise InvitationError(
            f"提前4小时邀约须在响应时段开始 4 小时前发布：发布 {_stamp(published_at)}，"
            f"开始 {_stamp(window_start)}，仅提前 {_span(lead)}（第八条（一）1②） / "
            "An hours-ahead invitation must be published at least 4 h before the window "
            f"starts; lead is only {_span(lead)}"
        )
    close = published_at + HOURS_AHEAD_BIDDING
    due = close + HOURS_AHEAD_RANKING
    return Timeline(publish=published_at, bids_close=close, ranking_due=due, notify_due=due)


def check_cancellation(now: dt.datetime, window_start: dt.datetime) -> None:
    """Allow cancelling an invited event only 4 h or more before it starts (第八条 (一) 4).

    Parameters
    ----------
    now : datetime
        When the cancellation would be sent.
    window_start : datetime
        Start of the event window.

    Raises
    ------
    InvitationError
        If fewer than 4 hours remain (exactly 4 h is still allowed).
    """
    now, window_start = to_local(now), to_local(window_start)
    lead = window_start - now
    if lead < MIN_LEAD:
        raise InvitationError(
            f"取消指令须在响应时段开始 4 小时前送达：现在 {_stamp(now)}，"
            f"开始 {_stamp(window_start)}，仅余 {_span(lead)}（第八条（一）4） / "
            "An event can be cancelled only at least 4 h before its window starts; "
            f"only {_span(lead)} remains"
        )


def within_daily_limits(
    existing_windows: Iterable[Window], new_window: Window, limits: Limits = Limits()
) -> LimitCheck:
    """Whether a participant may take one more event on the new window's day (第五条).

    Parameters
    ----------
    existing_windows : iterable of Window
        The participant's windows of the same type (invited or real-time) already awarded;
        those on another day than ``new_window`` are ignored. A window counts on its start day.
    new_window : Window
    limits : Limits

    Returns
    -------
    LimitCheck
        Not allowed when the new event would be one event too many, or would take the day's
        total window time past the limit (reaching it exactly is allowed).
    """
    same_day = [w for w in existing_windows if w.day == new_window.day]
    count = len(same_day) + 1
    total = sum((w.end - w.start for w in [*same_day, new_window]), dt.timedelta())
    cap_events, cap_time = limits.max_events_per_day, limits.max_time_per_day
    if count > cap_events:
        return LimitCheck(
            False,
            f"{new_window.day} 已有 {len(same_day)} 次响应，每天不多于 {cap_events} 次（第五条） / "
            f"Already {len(same_day)} events that day; the limit is {cap_events} a day",
        )
    if total > cap_time:
        return LimitCheck(
            False,
            f"{new_window.day} 累计响应时间将达 {_span(total)}，"
            f"不得多于 {_span(cap_time)}（第五条） / The day's total window time would be "
            f"{_span(total)}; the limit is {_span(cap_time)}",
        )
    return LimitCheck(
        True,
        f"{new_window.day} 第 {count} 次，累计 {_span(total)}，未超每日限额（第五条） / "
        f"Event {count} of the day, {_span(total)} in total: within the daily limits",
    )


def price_cap(direction: Direction) -> Decimal:
    """The highest subsidy price in CNY/kWh: 5 for peak shaving, 2 for valley filling (表 2)."""
    return PRICE_CAP_CNY_PER_KWH[direction]


def check_bid(
    *,
    received_at: dt.datetime,
    bids_close: dt.datetime,
    kw: Decimal,
    registered_kw: Decimal,
    price: Decimal | None,
    bidding: bool,
    direction: Direction,
    suspended: bool,
    daily_limit: LimitCheck,
) -> None:
    """Refuse a bid (申报) the rules do not allow (R2, 第五条, 第八条).

    Parameters
    ----------
    received_at : datetime
        When the platform received the bid.
    bids_close : datetime
        The invitation's close (:attr:`Timeline.bids_close`). A bid must arrive strictly
        before it: 11:00 前 makes a bid at 11:00:00 late; the hours-ahead close is read the same.
    kw : Decimal
        Offered response in kW for the whole window; must be positive.
    registered_kw : Decimal
        The participant's registered response capability in kW; the bid may not exceed it.
    price : Decimal or None
        Bid price in CNY/kWh; required in bidding mode (竞价), refused in fixed-price mode.
    bidding : bool
        True in bidding mode, False under the fixed-price subsidy (固定价格补贴).
    direction : Direction
        Picks the price cap (表 2): peak ≤ 5, valley ≤ 2 CNY/kWh; 0 is allowed.
    suspended : bool
        The participant has lost invitations for the month (R6).
    daily_limit : LimitCheck
        :func:`within_daily_limits` for this event's window.

    Raises
    ------
    InvitationError
        With the first reason that applies, checked in the order of the parameters.
    """
    received_at, bids_close = to_local(received_at), to_local(bids_close)
    if received_at >= bids_close:
        raise InvitationError(
            f"申报截止时间为 {_stamp(bids_close)} 前，收到时间 {_stamp(received_at)} 已逾期"
            f"（第八条（一）1） / Bids close before {_stamp(bids_close)}; this one arrived at "
            f"{_stamp(received_at)}"
        )
    if kw <= 0:
        raise InvitationError(f"响应量须大于 0，申报 {kw} kW / The bid must offer more than 0 kW")
    if kw > registered_kw:
        raise InvitationError(
            f"申报响应量 {kw} kW 超过登记响应能力 {registered_kw} kW / The bid's {kw} kW exceeds "
            f"the registered capability of {registered_kw} kW"
        )
    if bidding and price is None:
        raise InvitationError("竞价模式须申报价格 / A price is required in bidding mode")
    if not bidding and price is not None:
        raise InvitationError(
            "固定价格补贴模式下不申报价格（第五条） / No price may be bid under the fixed-price "
            "subsidy; the event's price applies"
        )
    if price is not None:
        cap = price_cap(direction)
        if not Decimal(0) <= price <= cap:
            raise InvitationError(
                f"申报价格 {price} 元/kWh 须在 0 ~ {cap} 元/kWh 之间（第九条（三）表 2） / "
                f"The price {price} CNY/kWh must lie between 0 and {cap} CNY/kWh"
            )
    if suspended:
        raise InvitationError(
            "本月累计未执行已达 3 次，暂停应邀权限（第九条（二）） / The participant's invitations "
            "are suspended for the rest of the month"
        )
    if not daily_limit.allowed:
        raise InvitationError(daily_limit.reason)


def peak_trigger(
    forecast_max_mw: float | Decimal, last_year_max_mw: float | Decimal
) -> TriggerCheck:
    """Whether the day-ahead load forecast starts peak shaving (第七条 (一) 1).

    Parameters
    ----------
    forecast_max_mw : float or Decimal
        Guangzhou's forecast maximum system load (统调负荷) for the day, MW.
    last_year_max_mw : float or Decimal
        Last year's maximum system load, MW; positive.

    Returns
    -------
    TriggerCheck
        Triggered when the forecast reaches 95 % of last year's maximum (95 % exactly included).
        The other conditions of 第七条 are operator judgements and are not computed here.

    Raises
    ------
    ValueError
        If ``last_year_max_mw`` is not positive.
    """
    # Floats are taken as the decimals they print as, so that 4383.11 MW of 4613.8 MW is
    # exactly 95 % (a float division gives 0.9499999999999998).
    forecast, last = Decimal(str(forecast_max_mw)), Decimal(str(last_year_max_mw))
    if last <= 0:
        raise ValueError(f"last year's maximum load must be positive, got {last} MW")
    return TriggerCheck(forecast >= PEAK_TRIGGER_SHARE * last, forecast / last)
