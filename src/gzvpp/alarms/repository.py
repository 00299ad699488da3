"""The SQL of the alarms: one statement per kind, read for the list and counted together for
the console header (one query).

The statements are built once, with the moments they compare against as bound parameters: the
header count runs on every staff page, and building six statements each time cost more than
running them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Date, DateTime, Select, and_, bindparam, distinct, exists, func, or_, select
from sqlalchemy.orm import Session

from gzvpp.alarms.schemas import AlarmKind
from gzvpp.core.model import Mode
from gzvpp.core.scoring import NON_EXECUTION_LIMIT
from gzvpp.events.realtime import REALTIME_TARGET
from gzvpp.models import (
    Account,
    Award,
    AwardResult,
    Bid,
    Event,
    EventStatus,
    MeterDay,
    Participant,
    Telemetry,
)

#: How far ahead a deadline is worth an alarm.
DEADLINE_AHEAD = dt.timedelta(hours=2)
#: The metering system sends a day's 15-minute data the next day; after this much of it a
#: response day without data holds its evaluation up (第九条).
METER_DATA_DUE = dt.timedelta(hours=12)
#: Missing meter data is an alarm for this long after the response day, then a matter for
#: the settlement's corrections.
METER_DATA_LOOKBACK = dt.timedelta(days=30)
RUNNING = (EventStatus.NOTIFIED, EventStatus.DISPATCHED)
# A statement of an alarm kind's rows, whatever their columns.
Rows = Select[*tuple[Any, ...]]
# The moments the statements compare against, bound at each execution (:func:`moments`).
NOW = bindparam("now", type_=DateTime)
TARGET_CUTOFF = bindparam("target_cutoff", type_=DateTime)  # now − 5 minutes (第八条)
DEADLINE_HORIZON = bindparam("deadline_horizon", type_=DateTime)  # now + DEADLINE_AHEAD
METER_DATA_DUE_BEFORE = bindparam("meter_data_due_before", type_=DateTime)
METER_DATA_SINCE = bindparam("meter_data_since", type_=DateTime)
MONTH_START = bindparam("month_start", type_=Date)
TODAY = bindparam("today", type_=Date)


def moments(now: dt.datetime) -> dict[str, Any]:
    """The values of the statements' bound moments at ``now``."""
    due_before = dt.datetime.combine((now - METER_DATA_DUE).date(), dt.time())
    return {
        "now": now,
        "target_cutoff": now - REALTIME_TARGET,
        "deadline_horizon": now + DEADLINE_AHEAD,
        "meter_data_due_before": due_before,
        "meter_data_since": due_before - METER_DATA_LOOKBACK,
        "month_start": now.date().replace(day=1),
        "today": now.date(),
    }


@cache
def statements() -> Mapping[AlarmKind, Rows]:
    """Each kind's rows, as of the bound moments."""
    return {
        AlarmKind.NON_RESPONDER: _non_responders(),
        AlarmKind.BIDDING_SHORTFALL: _bidding_shortfalls(),
        AlarmKind.RANKING_DUE: _rankings_due(),
        AlarmKind.PLAN_DUE: _plans_due(),
        AlarmKind.MISSING_METER_DATA: _missing_meter_data(),
        AlarmKind.SUSPENDED: _suspended(),
    }


@cache
def _count_statement() -> Select[Any]:
    """How many rows each kind has, in one statement (the kinds in :func:`statements`' order)."""
    return select(
        *(
            select(func.count()).select_from(s.order_by(None).subquery()).scalar_subquery()
            for s in statements().values()
        )
    )


@dataclass(frozen=True)
class AlarmRepository:
    session: Session
    now: dt.datetime

    def counts(self) -> dict[AlarmKind, int]:
        """How many rows each kind has, in one query."""
        row = self.session.execute(_count_statement(), moments(self.now)).one()
        return {kind: int(count) for kind, count in zip(statements(), row, strict=True)}

    def rows(self, kind: AlarmKind) -> list[Any]:
        return list(self.session.execute(statements()[kind], moments(self.now)).all())


def _non_responders() -> Rows:
    """Awards of an event in progress (第八条): a real-time participant that has not reached
    its kW 5 minutes after the notice, or an invited one without any minute reading 5
    minutes into the window."""
    reported = exists().where(
        Telemetry.event_id == Award.event_id, Telemetry.participant_id == Award.participant_id
    )
    return (
        select(
            Award.event_id,
            Award.participant_id,
            Participant.name,
            Event.mode,
            Event.start_at,
            Award.created_at,
            Award.kw,
            Award.baseline,
            reported.label("reported"),
        )
        .join(Event, Event.id == Award.event_id)
        .join(Participant, Participant.id == Award.participant_id)
        .where(
            Event.status.in_(RUNNING),
            Event.end_at > NOW,
            or_(
                and_(
                    Event.mode == Mode.REALTIME,
                    Award.created_at <= TARGET_CUTOFF,
                    Award.target_reached_at.is_(None),
                ),
                and_(Event.mode != Mode.REALTIME, Event.start_at <= TARGET_CUTOFF, ~reported),
            ),
        )
        .order_by(Event.start_at, Award.event_id, Award.place)
    )


def _bidding_shortfalls() -> Rows:
    """Invitations whose bidding closes within ``DEADLINE_AHEAD`` with less offered than
    the demand."""
    offered = select(Bid.event_id, func.sum(Bid.kw).label("kw")).group_by(Bid.event_id).subquery()
    offered_kw = func.coalesce(offered.c.kw, 0)
    return (
        select(Event.id, Event.bids_close_at, Event.demand_kw, offered_kw.label("offered_kw"))
        .outerjoin(offered, offered.c.event_id == Event.id)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.bids_close_at > NOW,
            Event.bids_close_at <= DEADLINE_HORIZON,
            offered_kw < Event.demand_kw,
        )
        .order_by(Event.bids_close_at, Event.id)
    )


def _rankings_due() -> Rows:
    """Invitations whose bidding has closed but which are not ranked, the ranking due
    within ``DEADLINE_AHEAD`` or overdue."""
    return (
        select(Event.id, Event.ranking_due_at)
        .where(
            Event.status == EventStatus.PUBLISHED,
            Event.bids_close_at <= NOW,
            Event.ranking_due_at <= DEADLINE_HORIZON,
        )
        .order_by(Event.ranking_due_at, Event.id)
    )


def _plans_due() -> Rows:
    """Ranked invitations whose plan is not sent, due within ``DEADLINE_AHEAD`` or
    overdue."""
    return (
        select(Event.id, Event.notify_due_at)
        .where(
            Event.status == EventStatus.RANKED,
            Event.notify_due_at <= DEADLINE_HORIZON,
        )
        .order_by(Event.notify_due_at, Event.id)
    )


def _missing_meter_data() -> Rows:
    """Events of the last ``METER_DATA_LOOKBACK`` whose response day's meter data is due,
    with how many of their awarded participants' accounts have none for that day."""
    missing = func.count(distinct(Account.account_id))
    return (
        select(Event.id, Event.start_at, missing.label("accounts"))
        .join(Award, Award.event_id == Event.id)
        .join(
            Account,
            and_(Account.participant_id == Award.participant_id, Account.released_at.is_(None)),
        )
        .outerjoin(
            MeterDay,
            and_(
                MeterDay.account_id == Account.account_id,
                MeterDay.day == func.date(Event.start_at),
            ),
        )
        .where(
            Event.status != EventStatus.CANCELLED,
            Event.start_at < METER_DATA_DUE_BEFORE,
            Event.start_at >= METER_DATA_SINCE,
            MeterDay.account_id.is_(None),
        )
        .group_by(Event.id, Event.start_at)
        .order_by(Event.start_at.desc(), Event.id)
    )


def _suspended() -> Rows:
    """Participants whose non-executions this month reach the limit (R6): no invitations
    for the rest of the month."""
    count = func.count()
    return (
        select(AwardResult.participant_id, Participant.name, count.label("non_executions"))
        .join(Participant, Participant.id == AwardResult.participant_id)
        .where(
            AwardResult.non_execution.is_(True),
            AwardResult.day.between(MONTH_START, TODAY),
        )
        .group_by(AwardResult.participant_id, Participant.name)
        .having(count >= NON_EXECUTION_LIMIT)
        .order_by(Participant.name, AwardResult.participant_id)
    )
