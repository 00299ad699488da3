"""Creating an event (第七条, 第八条): checks of the window, timeline and price, the peak-shaving
trigger, then the invitation to every eligible participant or the real-time dispatch.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from gzkit.audit import json_value, snapshot
from gzkit.errors import Invalid
from gzvpp import display
from gzvpp.core.grid import Window
from gzvpp.core.invitation import (
    PEAK_TRIGGER_SHARE,
    InvitationError,
    Timeline,
    day_ahead_timeline,
    hours_ahead_timeline,
    peak_trigger,
    price_cap,
    within_daily_limits,
)
from gzvpp.core.model import Direction, Mode
from gzvpp.core.rounding import quantize_half_up, round_half_up, to_decimal
from gzvpp.events import schemas
from gzvpp.events.baselines import NO_BASELINE, baselines_for, holding
from gzvpp.events.common import (
    ENTITY,
    RANK_SCORE_STEP,
    detail,
    window_of,
)
from gzvpp.events.notify import event_payload, send_notifications
from gzvpp.events.realtime import dispatch
from gzvpp.events.repository import EventRepository
from gzvpp.kit.audit import record
from gzvpp.kit.auth import Actor
from gzvpp.models import (
    Event,
    EventStatus,
    NotificationKind,
    PriceMode,
    Role,
)
from gzvpp.settlement.standing import month_counts

PRICE_STEP = Decimal("0.0001")  # the price columns' 4 places


def create(
    session: Session, actor: Actor, now: dt.datetime, request: schemas.EventCreate
) -> schemas.EventDetail:
    """Create and publish an invitation, or create and dispatch a real-time event.

    Raises
    ------
    Invalid
        Naming the field: window off the grid or under 30 min, window in the past, a
        day-ahead event after D-1 09:00, an hours-ahead event under 4 h ahead, a price
        missing, superfluous or over the cap, a forecast for a valley event, a substation or
        feeder in the scope that no enrolled account is at.
    """
    actor.require(Role.GRID_OPERATOR)
    window = window_of(request.start_at, request.end_at)
    if request.start_at < now:
        raise Invalid(
            f"开始时间 {request.start_at:%Y-%m-%d %H:%M} 早于当前平台时间 "
            f"{now:%Y-%m-%d %H:%M} / the window starts {request.start_at:%Y-%m-%d %H:%M}, "
            "before now "
            f"({now:%Y-%m-%d %H:%M})",
            ("body", "start_at"),
        )
    cap = price_cap(request.direction).quantize(PRICE_STEP)
    _check_price_mode(request, cap)
    timeline = _timeline(request.mode, now, request.start_at)
    repository = EventRepository(session)
    trigger = None
    if request.forecast_max_mw is not None:
        if request.direction is not Direction.PEAK:
            raise Invalid(
                "预测负荷启动核对（第七条（一）1）仅适用于削峰 / the load-forecast trigger "
                "(第七条（一）1) applies to peak shaving only",
                ("body", "forecast_max_mw"),
            )
        trigger = _trigger(repository, window.day, request.forecast_max_mw)
    _check_scope(repository, request.scope)
    event = Event(
        id=repository.next_id(window.day),
        direction=request.direction,
        mode=request.mode,
        start_at=request.start_at,
        end_at=request.end_at,
        demand_kw=request.demand_kw,
        price_mode=request.price_mode,
        fixed_price=request.fixed_price,
        price_cap=cap,
        scope_substations=request.scope.substations,
        scope_feeders=request.scope.feeders,
        status=(EventStatus.DISPATCHED if request.mode is Mode.REALTIME else EventStatus.PUBLISHED),
        trigger=trigger.model_dump(mode="json") if trigger else None,
        published_at=now,
        bids_close_at=timeline.bids_close if timeline else None,
        ranking_due_at=timeline.ranking_due if timeline else None,
        notify_due_at=timeline.notify_due if timeline else None,
        shortfall=False,
        created_by=actor.label,
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    session.flush()
    if timeline is None:
        outcome = dispatch(session, repository, actor.label, event, window, now)
    else:
        outcome = {"invited": _invite(session, repository, event, window, timeline, now)}
    session.flush()
    record(
        session,
        actor.label,
        "event.create",
        ENTITY,
        event.id,
        None,
        {**snapshot(event), **outcome},
        at=now,
    )
    return detail(event)


def _invite(
    session: Session,
    repository: EventRepository,
    event: Event,
    window: Window,
    timeline: Timeline,
    now: dt.datetime,
) -> list[str]:
    """Send the invitation to every in-scope active participant not suspended and not at
    its daily limit (第五条, 第八条 (一) 1); return who was invited."""
    people = repository.candidates(event)
    suspended = month_counts(session, [p.id for p in people], now)[1]
    taken = repository.awarded_windows(window.day, realtime=False, exclude_event_id=event.id)
    invited = [
        p
        for p, stopped in zip(people, suspended, strict=True)
        if not stopped and within_daily_limits(taken.get(p.id, []), window).allowed
    ]
    baselines = baselines_for(session, repository, event, window, [holding(p) for p in invited])
    told = event_payload(event)
    deadlines = {
        "bids_close": json_value(timeline.bids_close),
        "ranking_due": json_value(timeline.ranking_due),
        "notify_due": json_value(timeline.notify_due),
    }
    send_notifications(
        session,
        event.id,
        NotificationKind.INVITATION,
        (
            (
                p.id,
                {
                    **told,
                    "demand_kw": json_value(event.demand_kw),
                    "deadlines": deadlines,
                    "registered_kw": json_value(p.capability_kw),
                    "baseline": baselines.get(p.id, NO_BASELINE).payload(),
                },
            )
            for p in invited
        ),
        now,
    )
    return [p.id for p in invited]


def trigger_check(
    session: Session, actor: Actor, day: dt.date, forecast_max_mw: Decimal
) -> schemas.TriggerCheck:
    """The peak-shaving trigger of 第七条 (一) 1 for ``day`` (grid operator, regulator)."""
    actor.require(Role.GRID_OPERATOR, Role.REGULATOR)
    return _trigger(EventRepository(session), day, forecast_max_mw)


def _trigger(
    repository: EventRepository, day: dt.date, forecast_max_mw: Decimal
) -> schemas.TriggerCheck:
    year = day.year - 1
    highest = repository.system_load_max(year)
    if highest is None:
        return schemas.TriggerCheck(
            day=day,
            forecast_max_mw=forecast_max_mw,
            last_year=year,
            last_year_max_mw=None,
            ratio=None,
            threshold=PEAK_TRIGGER_SHARE,
            triggered=None,
            message=f"{year} 年无统调负荷数据，无法判断（第七条（一）1） / "
            f"No system load is stored for {year}; the trigger cannot be checked",
        )
    last = to_decimal(float(round_half_up(highest, 3)), 3)
    check = peak_trigger(forecast_max_mw, last)
    ratio = quantize_half_up(check.ratio, RANK_SCORE_STEP)
    verdict = ("达到", "triggers") if check.triggered else ("未达到", "does not trigger")
    return schemas.TriggerCheck(
        day=day,
        forecast_max_mw=forecast_max_mw,
        last_year=year,
        last_year_max_mw=last,
        ratio=ratio,
        threshold=check.threshold,
        triggered=check.triggered,
        message=f"预测最大负荷 {display.num(forecast_max_mw)} MW 为 {year} 年最大负荷 "
        f"{display.num(last)} MW 的 "
        f"{ratio:.2%}，{verdict[0]} {check.threshold:.0%}（第七条（一）1） / The forecast is "
        f"{ratio:.2%} of {year}'s maximum: it {verdict[1]} peak shaving",
    )


def _check_price_mode(request: schemas.EventCreate, cap: Decimal) -> None:
    """Fixed price: a price within the cap (表 2); bidding: none, and never for real-time."""
    if request.price_mode is PriceMode.BIDDING:
        if request.mode is Mode.REALTIME:
            raise Invalid(
                "实时响应只能采用固定价格 / a real-time event takes no bids; its price mode is "
                "fixed",
                ("body", "price_mode"),
            )
        if request.fixed_price is not None:
            raise Invalid(
                "竞价模式不填固定价格 / no fixed price in bidding mode; the bids' prices apply",
                ("body", "fixed_price"),
            )
        return
    if request.fixed_price is None:
        raise Invalid(
            "固定价格模式须填写价格 / a fixed-price event needs fixed_price (CNY/kWh)",
            ("body", "fixed_price"),
        )
    if request.fixed_price > cap:
        raise Invalid(
            f"价格 {request.fixed_price} 元/kWh 超过上限 {cap} 元/kWh（第九条（三）表 2） / "
            f"the price {request.fixed_price} CNY/kWh is over the cap of {cap} CNY/kWh for "
            f"{request.direction.value} (第九条（三）表 2)",
            ("body", "fixed_price"),
        )


def _check_scope(repository: EventRepository, scope: schemas.Scope) -> None:
    """Refuse a scope naming a substation or feeder where no participant holds an account:
    it would invite nobody there, and is most likely a typing error."""
    substations, feeders = repository.grid_names()
    for field, asked, known, what in (
        ("substations", scope.substations, substations, ("变电站", "substation")),
        ("feeders", scope.feeders, feeders, ("线路", "feeder")),
    ):
        unknown = sorted(set(asked) - set(known))
        if unknown:
            raise Invalid(
                f"范围中的{what[0]}不存在于已登记户号：{'、'.join(unknown)} / unknown "
                f"{what[1]}s (no enrolled account there): {', '.join(unknown)}",
                ("body", "scope", field),
            )


def grid_names(session: Session) -> tuple[list[str], list[str]]:
    """The substations and feeders an event's scope may name (those of enrolled accounts)."""
    return EventRepository(session).grid_names()


def _timeline(mode: Mode, now: dt.datetime, start: dt.datetime) -> Timeline | None:
    """The invitation's deadlines (None for real-time); 422 if it is too late to publish."""
    if mode is Mode.REALTIME:
        return None
    if mode is Mode.HOURS_AHEAD:
        try:
            return hours_ahead_timeline(now, start)
        except InvitationError as err:
            raise Invalid(str(err), ("body", "start_at")) from err
    timeline = day_ahead_timeline(start.date())
    if now > timeline.publish:
        raise Invalid(
            f"日前邀约须于 {timeline.publish:%Y-%m-%d %H:%M} 前发布（第八条（一）1①） / "
            f"A day-ahead invitation for {start:%Y-%m-%d} is published by "
            f"{timeline.publish:%Y-%m-%d %H:%M}; it is now {now:%Y-%m-%d %H:%M}",
            ("body", "start_at"),
        )
    return timeline
