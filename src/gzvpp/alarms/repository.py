"""The SQL of the alarms: one statement per kind, read for the list and counted together for
the console header (one query)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, distinct, exists, func, or_, select
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


@dataclass(frozen=True)
class AlarmRepository:
    session: Session
    now: dt.datetime

    def statements(self) -> Mapping[AlarmKind, Rows]:
        """Each kind's rows as of ``now``."""
        return {
            AlarmKind.NON_RESPONDER: self.non_responders(),
            AlarmKind.BIDDING_SHORTFALL: self.bidding_shortfalls(),
            AlarmKind.RANKING_DUE: self.rankings_due(),
            AlarmKind.PLAN_DUE: self.plans_due(),
            AlarmKind.MISSING_METER_DATA: self.missing_meter_data(),
            AlarmKind.SUSPENDED: self.suspended(),
        }

    def counts(self) -> dict[AlarmKind, int]:
        """How many rows each kind has, in one query."""
        statements = self.statements()
        row = self.session.execute(
            select(
                *(
                    select(func.count()).select_from(s.order_by(None).subquery()).scalar_subquery()
                    for s in statements.values()
                )
            )
        ).one()
        return {kind: int(count) for kind, count in zip(statements, row, strict=True)}

    def rows(self, kind: AlarmKind) -> list[Any]:
        return list(self.session.execute(self.statements()[kind]).all())

    def non_responders(self) -> Rows:
        """Awards of an event in progress (第八条): a real-time participant that has not reached
        its kW 5 minutes after the notice, or an invited one without any minute reading 5
        minutes into the window."""
        cutoff = self.now - REALTIME_TARGET
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
                reported.label("reported"),
            )
            .join(Event, Event.id == Award.event_id)
            .join(Participant, Participant.id == Award.participant_id)
            .where(
                Event.status.in_(RUNNING),
                Event.end_at > self.now,
                or_(
                    and_(
                        Event.mode == Mode.REALTIME,
                        Award.created_at <= cutoff,
                        Award.target_reached_at.is_(None),
                    ),
                    and_(Event.mode != Mode.REALTIME, Event.start_at <= cutoff, ~reported),
                ),
            )
            .order_by(Event.start_at, Award.event_id, Award.place)
        )

    def bidding_shortfalls(self) -> Rows:
        """Invitations whose bidding closes within ``DEADLINE_AHEAD`` with less offered than
        the demand."""
        offered = (
            select(Bid.event_id, func.sum(Bid.kw).label("kw")).group_by(Bid.event_id).subquery()
        )
        offered_kw = func.coalesce(offered.c.kw, 0)
        return (
            select(Event.id, Event.bids_close_at, Event.demand_kw, offered_kw.label("offered_kw"))
            .outerjoin(offered, offered.c.event_id == Event.id)
            .where(
                Event.status == EventStatus.PUBLISHED,
                Event.bids_close_at > self.now,
                Event.bids_close_at <= self.now + DEADLINE_AHEAD,
                offered_kw < Event.demand_kw,
            )
            .order_by(Event.bids_close_at, Event.id)
        )

    def rankings_due(self) -> Rows:
        """Invitations whose bidding has closed but which are not ranked, the ranking due
        within ``DEADLINE_AHEAD`` or overdue."""
        return (
            select(Event.id, Event.ranking_due_at)
            .where(
                Event.status == EventStatus.PUBLISHED,
                Event.bids_close_at <= self.now,
                Event.ranking_due_at <= self.now + DEADLINE_AHEAD,
            )
            .order_by(Event.ranking_due_at, Event.id)
        )

    def plans_due(self) -> Rows:
        """Ranked invitations whose plan is not sent, due within ``DEADLINE_AHEAD`` or
        overdue."""
        return (
            select(Event.id, Event.notify_due_at)
            .where(
                Event.status == EventStatus.RANKED,
                Event.notify_due_at <= self.now + DEADLINE_AHEAD,
            )
            .order_by(Event.notify_due_at, Event.id)
        )

    def missing_meter_data(self) -> Rows:
        """Events of the last ``METER_DATA_LOOKBACK`` whose response day's meter data is due,
        with how many of their awarded participants' accounts have none for that day."""
        due_before = dt.datetime.combine((self.now - METER_DATA_DUE).date(), dt.time())
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
                Event.start_at < due_before,
                Event.start_at >= due_before - METER_DATA_LOOKBACK,
                MeterDay.account_id.is_(None),
            )
            .group_by(Event.id, Event.start_at)
            .order_by(Event.start_at.desc(), Event.id)
        )

    def suspended(self) -> Rows:
        """Participants whose non-executions this month reach the limit (R6): no invitations
        for the rest of the month."""
        month_start = self.now.date().replace(day=1)
        count = func.count()
        return (
            select(AwardResult.participant_id, Participant.name, count.label("non_executions"))
            .join(Participant, Participant.id == AwardResult.participant_id)
            .where(
                AwardResult.non_execution.is_(True),
                AwardResult.day.between(month_start, self.now.date()),
            )
            .group_by(AwardResult.participant_id, Participant.name)
            .having(count >= NON_EXECUTION_LIMIT)
            .order_by(Participant.name, AwardResult.participant_id)
        )
