"""The SQL of the events domain: events, bids, awards, notifications and what they depend on."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Row, Select, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from gzkit.db import in_ids
from gzkit.pagination import PaginationParams, paginate
from gzkit.sorting import Sorting
from gzvpp.core.grid import Window
from gzvpp.core.model import Direction, Mode, ParticipantKind
from gzvpp.events.schemas import SortProperty
from gzvpp.meterdata.repository import decode_day
from gzvpp.models import (
    Account,
    Award,
    Bid,
    Event,
    EventStatus,
    Notification,
    NotificationKind,
    Participant,
    ParticipantStatus,
    SystemLoadDay,
)

SORT_COLUMNS: dict[SortProperty, InstrumentedAttribute[object]] = {
    SortProperty.START_AT: Event.start_at,
    SortProperty.CREATED_AT: Event.created_at,
    SortProperty.STATUS: Event.status,
    SortProperty.MODE: Event.mode,
    SortProperty.DEMAND_KW: Event.demand_kw,
}
ID_PREFIX = "DR"
# event id, status, direction, mode, start, end, participant id, awarded kW
AwardRow = Row[str, EventStatus, Direction, Mode, dt.datetime, dt.datetime, str, Decimal]
# bid id, participant id, kW, price, received at
BidRow = Row[int, str, Decimal, Decimal | None, dt.datetime]


class PlanTerms(NamedTuple):
    """What an award's plan says (执行方案): as stored on the award."""

    participant_id: str
    kw: Decimal
    price: Decimal | None
    place: int
    baseline_type: str | None
    baseline: list[float | None] | None


@dataclass(frozen=True)
class Bidder:
    """A bidder as the ranking reads it: what :func:`gzvpp.core.invitation.check_bid` and the
    ranking's criteria need, and the accounts it holds (for its baseline)."""

    id: str
    kind: ParticipantKind
    name: str
    status: ParticipantStatus
    capability_kw: Decimal
    realtime_capable: bool  # and minute-level monitoring: criterion b of 第八条 C
    accounts: tuple[str, ...]


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    midnight = dt.datetime.combine(day, dt.time())
    return midnight, midnight + dt.timedelta(days=1)


class EventRepository:
    """Queries of the events domain, in one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, event_id: str, *, for_update: bool = False) -> Event | None:
        """One event, locked for update when it is about to change."""
        statement = select(Event).where(Event.id == event_id)
        if for_update:
            statement = statement.with_for_update()
        return self.session.scalars(statement).one_or_none()

    def next_id(self, day: dt.date) -> str:
        """The next readable id for an event on ``day``: ``DR20250701-01``, ``-02`` …"""
        prefix = f"{ID_PREFIX}{day:%Y%m%d}-"
        taken = self.session.scalars(select(Event.id).where(Event.id.startswith(prefix))).all()
        number = max((int(i.removeprefix(prefix)) for i in taken), default=0) + 1
        return f"{prefix}{number:02d}"

    def search(
        self,
        *,
        pagination: PaginationParams,
        sorting: Sorting[SortProperty],
        statuses: Collection[EventStatus] = (),
        mode: Mode | None = None,
        direction: Direction | None = None,
        day_from: dt.date | None = None,
        day_to: dt.date | None = None,
    ) -> tuple[Sequence[Event], int]:
        """One page of events matching every filter given (days are the window's start day)."""
        statement: Select[Event] = select(Event)
        if statuses:
            statement = statement.where(Event.status.in_(statuses))
        if mode is not None:
            statement = statement.where(Event.mode == mode)
        if direction is not None:
            statement = statement.where(Event.direction == direction)
        if day_from is not None:
            statement = statement.where(Event.start_at >= _day_bounds(day_from)[0])
        if day_to is not None:
            statement = statement.where(Event.start_at < _day_bounds(day_to)[1])
        order = [
            SORT_COLUMNS[prop].desc() if descending else SORT_COLUMNS[prop].asc()
            for prop, descending in sorting
        ]
        return paginate(self.session, statement.order_by(*order, Event.id), pagination)

    def grid_names(self) -> tuple[list[str], list[str]]:
        """The substations and the feeders of every account a participant holds, sorted:
        the places an event's scope may name."""
        held = Account.released_at.is_(None)
        substations = self.session.scalars(
            select(Account.substation).where(held).distinct().order_by(Account.substation)
        )
        feeders = self.session.scalars(
            select(Account.feeder).where(held).distinct().order_by(Account.feeder)
        )
        return list(substations), list(feeders)

    def candidates(
        self,
        event: Event,
        participant_ids: Collection[str] | None = None,
        *,
        realtime: bool = False,
    ) -> list[Participant]:
        """Active participants in the event's scope, with their accounts, by id.

        ``realtime`` keeps those able to answer a real-time call: real-time capable, with
        minute-level monitoring and a registered real-time capability.
        """
        statement = (
            select(Participant)
            .where(Participant.status == ParticipantStatus.ACTIVE)
            .options(selectinload(Participant.accounts))
            .order_by(Participant.id)
        )
        if event.scope_substations or event.scope_feeders:
            there = or_(
                Account.substation.in_(event.scope_substations),
                Account.feeder.in_(event.scope_feeders),
            )
            statement = statement.where(
                Participant.id.in_(
                    select(Account.participant_id).where(Account.released_at.is_(None), there)
                )
            )
        if realtime:
            statement = statement.where(
                Participant.realtime_capable,
                Participant.minute_monitoring,
                Participant.realtime_capability_kw > 0,
            )
        if participant_ids is not None:
            statement = statement.where(Participant.id.in_(participant_ids))
        return list(self.session.scalars(statement))

    def participants(self, participant_ids: Collection[str]) -> dict[str, Participant]:
        """Participants by id, with their accounts; the ids listed by :func:`gzkit.db.in_ids`."""
        found: dict[str, Participant] = {}
        for listed in in_ids(self.session, Participant.id, sorted(participant_ids)):
            rows = self.session.scalars(
                select(Participant).where(listed).options(selectinload(Participant.accounts))
            )
            found.update((p.id, p) for p in rows)
        return found

    def awarded_windows(
        self,
        day: dt.date,
        *,
        realtime: bool,
        exclude_event_id: str,
        participant_id: str | None = None,
    ) -> dict[str, list[Window]]:
        """Each participant's award windows starting on ``day`` in non-cancelled events of one
        type (real-time, or invited: day-ahead and hours-ahead together), for the daily limits."""
        first, after = _day_bounds(day)
        kind = Event.mode == Mode.REALTIME if realtime else Event.mode != Mode.REALTIME
        statement = (
            select(Award.participant_id, Event.start_at, Event.end_at)
            .join(Event, Award.event_id == Event.id)
            .where(
                Event.start_at >= first,
                Event.start_at < after,
                Event.status != EventStatus.CANCELLED,
                Event.id != exclude_event_id,
                kind,
            )
        )
        if participant_id is not None:
            statement = statement.where(Award.participant_id == participant_id)
        windows: defaultdict[str, list[Window]] = defaultdict(list)
        for pid, start, end in self.session.execute(statement):
            windows[pid].append(Window.from_times(start, end))
        return dict(windows)

    def award_history(self, participant_ids: Sequence[str], since: dt.date) -> list[AwardRow]:
        """Awards of ``participant_ids`` in events starting on or after ``since``, with their
        event, for the participants' response days."""
        rows: list[AwardRow] = []
        for listed in in_ids(self.session, Award.participant_id, participant_ids):
            statement = (
                select(
                    Event.id,
                    Event.status,
                    Event.direction,
                    Event.mode,
                    Event.start_at,
                    Event.end_at,
                    Award.participant_id,
                    Award.kw,
                )
                .join(Event, Award.event_id == Event.id)
                .where(listed, Event.start_at >= _day_bounds(since)[0])
            )
            rows.extend(self.session.execute(statement))
        return rows

    def bids(self, event_id: str) -> list[Bid]:
        """Every bid of an event, by id."""
        return list(
            self.session.scalars(select(Bid).where(Bid.event_id == event_id).order_by(Bid.id))
        )

    def bid_rows(self, event_id: str) -> list[BidRow]:
        """Every bid of an event as the ranking reads it, by id: columns only, no objects."""
        return list(
            self.session.execute(
                select(Bid.id, Bid.participant_id, Bid.kw, Bid.price, Bid.received_at)
                .where(Bid.event_id == event_id)
                .order_by(Bid.id)
            )
        )

    def bidders(self, participant_ids: Collection[str]) -> list[Bidder]:
        """Bidders with the facts the ranking checks and the accounts they hold (in enrolment
        order, as :attr:`Participant.accounts`), by id: columns only, no objects built, the
        ids listed by :func:`gzkit.db.in_ids`. Listed ids keep the plans on the indexes even
        where the database has no statistics yet for the bids just made."""
        ids = sorted(participant_ids)
        held: defaultdict[str, list[str]] = defaultdict(list)
        bidders: list[Bidder] = []
        for holder, listed in zip(
            in_ids(self.session, Account.participant_id, ids),
            in_ids(self.session, Participant.id, ids),
            strict=True,
        ):
            for pid, account_id in self.session.execute(
                select(Account.participant_id, Account.account_id)
                .where(holder, Account.released_at.is_(None))
                .order_by(Account.id)
            ):
                held[pid].append(account_id)
            rows = self.session.execute(
                select(
                    Participant.id,
                    Participant.kind,
                    Participant.name,
                    Participant.status,
                    Participant.capability_kw,
                    Participant.realtime_capable,
                    Participant.minute_monitoring,
                )
                .where(listed)
                .order_by(Participant.id)
            )
            bidders.extend(
                Bidder(pid, kind, name, status, kw, capable and minute, tuple(held[pid]))
                for pid, kind, name, status, kw, capable, minute in rows
            )
        return bidders

    def bid_of(self, event_id: str, participant_id: str) -> Bid | None:
        """A participant's bid for an event, locked for update."""
        return self.session.scalars(
            select(Bid)
            .where(Bid.event_id == event_id, Bid.participant_id == participant_id)
            .with_for_update()
        ).one_or_none()

    def search_bids(
        self,
        pagination: PaginationParams,
        *,
        event_id: str | None,
        participant_id: str | None,
    ) -> tuple[Sequence[Bid], int]:
        """A page of bids, in ranking order once ranked, then as received."""
        statement = select(Bid)
        if event_id is not None:
            statement = statement.where(Bid.event_id == event_id)
        if participant_id is not None:
            statement = statement.where(Bid.participant_id == participant_id)
        statement = statement.order_by(
            Bid.event_id, Bid.place.is_(None), Bid.place, Bid.received_at, Bid.id
        )
        return paginate(self.session, statement, pagination)

    def awards(self, event_id: str) -> list[Award]:
        """An event's awards in ranking order."""
        return list(
            self.session.scalars(
                select(Award).where(Award.event_id == event_id).order_by(Award.place, Award.id)
            )
        )

    def award_ids(self, event_id: str) -> dict[str, int]:
        """An event's award ids by participant (one award per participant and event)."""
        rows = self.session.execute(
            select(Award.participant_id, Award.id).where(Award.event_id == event_id)
        )
        return {pid: award_id for pid, award_id in rows}

    def plan_terms(self, event_id: str) -> list[PlanTerms]:
        """What each award's plan says, in ranking order — columns only, no objects to build
        for every award."""
        rows = self.session.execute(
            select(
                Award.participant_id,
                Award.kw,
                Award.price,
                Award.place,
                Award.baseline_type,
                Award.baseline,
            )
            .where(Award.event_id == event_id)
            .order_by(Award.place, Award.id)
        )
        return [PlanTerms(*row) for row in rows]

    def invitation_baselines(self, event_id: str) -> dict[str, dict[str, Any]]:
        """The baseline each invitation of an event told (R4), as told, by participant.

        Only the payload's ``baseline`` is read (the database takes it out of the stored
        JSON), not the whole payload: a fifth of its text, for each of 20,000 invitations."""
        rows = self.session.execute(
            select(Notification.participant_id, Notification.payload["baseline"]).where(
                Notification.event_id == event_id,
                Notification.kind == NotificationKind.INVITATION,
            )
        )
        return {pid: baseline for pid, baseline in rows}

    def holdings_changed_since(self, since: dt.datetime) -> set[str]:
        """Participants that took or released an account at or after ``since``."""
        return set(
            self.session.scalars(
                select(Account.participant_id)
                .where(or_(Account.created_at >= since, Account.released_at >= since))
                .distinct()
            )
        )

    def awards_changed_since(self, since: dt.datetime, first: dt.date, last: dt.date) -> set[str]:
        """Participants with an award in an event starting from ``first`` to ``last`` that was
        made at or after ``since``, or whose event changed (e.g. was cancelled) then."""
        return set(
            self.session.scalars(
                select(Award.participant_id)
                .join(Event, Award.event_id == Event.id)
                .where(
                    Event.start_at >= _day_bounds(first)[0],
                    Event.start_at < _day_bounds(last)[1],
                    or_(Award.created_at >= since, Event.updated_at >= since),
                )
                .distinct()
            )
        )

    def search_awards(
        self,
        pagination: PaginationParams,
        *,
        event_id: str | None,
        participant_id: str | None,
    ) -> tuple[Sequence[Award], int]:
        """A page of awards, newest event first, in ranking order within an event."""
        statement = select(Award)
        if event_id is not None:
            statement = statement.where(Award.event_id == event_id)
        if participant_id is not None:
            statement = statement.where(Award.participant_id == participant_id)
        statement = statement.order_by(Award.event_id.desc(), Award.place, Award.id)
        return paginate(self.session, statement, pagination)

    def search_notifications(
        self,
        pagination: PaginationParams,
        *,
        participant_id: str | None,
        event_id: str | None,
        kind: NotificationKind | None,
        unread: bool | None,
    ) -> tuple[Sequence[Notification], int]:
        """A page of notifications, newest first."""
        statement = select(Notification)
        if participant_id is not None:
            statement = statement.where(Notification.participant_id == participant_id)
        if event_id is not None:
            statement = statement.where(Notification.event_id == event_id)
        if kind is not None:
            statement = statement.where(Notification.kind == kind)
        if unread is not None:
            statement = statement.where(
                Notification.read_at.is_(None) if unread else Notification.read_at.is_not(None)
            )
        statement = statement.order_by(Notification.created_at.desc(), Notification.id.desc())
        return paginate(self.session, statement, pagination)

    def notification(self, notification_id: int) -> Notification | None:
        """One notification, locked for update."""
        return self.session.scalars(
            select(Notification).where(Notification.id == notification_id).with_for_update()
        ).one_or_none()

    def involved(self, event_id: str) -> list[str]:
        """Everyone the event concerns: invited or dispatched, bidders and awardees, by id."""
        told = select(Notification.participant_id).where(
            Notification.event_id == event_id,
            Notification.kind.in_(
                [NotificationKind.INVITATION, NotificationKind.PLAN, NotificationKind.DISPATCH]
            ),
        )
        bidders = select(Bid.participant_id).where(Bid.event_id == event_id)
        awardees = select(Award.participant_id).where(Award.event_id == event_id)
        rows = self.session.scalars(told.union(bidders, awardees))
        return sorted(set(rows))

    def due_for_ranking(self, now: dt.datetime) -> list[str]:
        """Invitations whose bidding has closed by ``now`` but are not yet ranked and notified."""
        closed = and_(
            Event.status == EventStatus.PUBLISHED,
            Event.mode != Mode.REALTIME,
            Event.bids_close_at <= now,
        )
        return list(
            self.session.scalars(
                select(Event.id)
                .where(or_(closed, Event.status == EventStatus.RANKED))
                .order_by(Event.bids_close_at, Event.id)
            )
        )

    def system_load_max(self, year: int) -> float | None:
        """The highest stored 15-minute system load of ``year``, MW; None if nothing is stored."""
        blobs = self.session.scalars(
            select(SystemLoadDay.mw).where(
                SystemLoadDay.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31))
            )
        ).all()
        if not blobs:
            return None
        highest = float(np.nanmax(np.concatenate([decode_day(b) for b in blobs]), initial=-np.inf))
        return highest if np.isfinite(highest) else None
