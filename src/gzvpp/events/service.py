"""Events and invitations (R2, 第五条, 第七条, 第八条): the workflow and who may take each step.

Life of an event::

    invited (day_ahead, hours_ahead):
        create (grid operator) ──▶ published: invitations sent, bids open
        published ──bids close (scheduler)──▶ ranked: bids ranked, awards stored
        ranked ──(same scheduler run)──▶ notified: plans sent
    realtime:
        create (grid operator) ──▶ dispatched: participants selected and told at once
    published, ranked, notified, dispatched ──cancel (grid operator, ≥ 4 h ahead)──▶ cancelled

The rules themselves are :mod:`gzvpp.core`'s; this module gathers what they need from the
database, calls them and stores the outcome. Every change writes an audit record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from gzkit.calendar import Calendar, CalendarError
from gzvpp import display
from gzvpp.core.assessment import participant_baselines, response_days
from gzvpp.core.baseline import REALTIME_BASELINE_INTERVALS, baseline_candidates
from gzvpp.core.grid import (
    INTERVALS_PER_DAY,
    MIN_WINDOW_MINUTES,
    Window,
    WindowError,
    is_on_grid,
)
from gzvpp.core.invitation import (
    PEAK_TRIGGER_SHARE,
    InvitationError,
    Timeline,
    check_bid,
    check_cancellation,
    day_ahead_timeline,
    hours_ahead_timeline,
    peak_trigger,
    price_cap,
    within_daily_limits,
)
from gzvpp.core.model import Award as CoreAward
from gzvpp.core.model import Direction, Mode
from gzvpp.core.model import Event as CoreEvent
from gzvpp.core.model import Participant as CoreParticipant
from gzvpp.core.ranking import (
    RESERVE_FACTOR,
    RankingResult,
    RealtimeCandidate,
    rank_bids,
    select_realtime,
)
from gzvpp.core.ranking import Bid as CoreBid
from gzvpp.core.rounding import quantize_half_up, round_half_up, to_decimal
from gzvpp.core.timeseries import FloatArray, IntArray, date_of, day_number
from gzvpp.events import schemas
from gzvpp.events.repository import EventRepository
from gzvpp.kit.audit import json_value, record, snapshot
from gzvpp.kit.auth import Actor
from gzvpp.kit.errors import Conflict, Invalid, NotFound
from gzvpp.kit.pagination import PaginationParams
from gzvpp.kit.sorting import Sorting
from gzvpp.meterdata.repository import load_cube
from gzvpp.models import (
    Award,
    Bid,
    Event,
    EventStatus,
    Notification,
    NotificationKind,
    Participant,
    ParticipantStatus,
    PriceMode,
    Role,
)
from gzvpp.settlement.standing import month_counts, standings

ENTITY = "event"
#: Who the audit log names for the work the clock triggers.
SCHEDULER = "scheduler"
#: 第八条 (二): a real-time participant reaches its target within 5 minutes of the notice.
REALTIME_TARGET = dt.timedelta(minutes=5)
RANK_SCORE_STEP = Decimal("0.000001")  # the rank_score column's 6 places
KW_STEP = Decimal("0.001")
PRICE_STEP = Decimal("0.0001")  # the price columns' 4 places
REASON_LENGTH = 500  # the reason columns' width
OPEN_FOR_CANCELLATION = (
    EventStatus.PUBLISHED,
    EventStatus.RANKED,
    EventStatus.NOTIFIED,
    EventStatus.DISPATCHED,
)
SCOPED_ROLES = (Role.AGGREGATOR, Role.POWER_USER)


@dataclass(frozen=True)
class Baseline:
    """A participant's unadjusted baseline over the window, as sent in an invitation or plan.

    ``kw`` has one value per 15-minute interval, None where unavailable; ``kw`` is None when no
    interval has one. ``note`` says why there is none when the calculation could not run.
    """

    baseline_type: str | None
    kw: list[float | None] | None
    note: str | None = None

    def payload(self) -> dict[str, Any]:
        """The baseline as told to the participant."""
        available = self.kw is not None and all(v is not None for v in self.kw)
        told: dict[str, Any] = {"type": self.baseline_type, "kw": self.kw, "available": available}
        if self.note:
            told["note"] = self.note
        return told


NO_BASELINE = Baseline(None, None, "no meter data for the baseline days")


@dataclass(frozen=True)
class _Decision:
    """The ranking of an invitation's bids as it stands: valid bids ranked, the rest excluded."""

    result: RankingResult
    excluded: dict[int, str]  # bid id → why it cannot be accepted now
    bids: dict[int, Bid]
    participants: dict[str, Participant]


class EventService:
    """Events, bids, ranking, notifications and cancellation, each in the caller's transaction."""

    # ---- creation -------------------------------------------------------------------------

    def create(
        self, session: Session, actor: Actor, now: dt.datetime, request: schemas.EventCreate
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
        window = _window_of(request.start_at, request.end_at)
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
            trigger = self._trigger(repository, window.day, request.forecast_max_mw)
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
            status=(
                EventStatus.DISPATCHED if request.mode is Mode.REALTIME else EventStatus.PUBLISHED
            ),
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
            outcome = self._dispatch(session, repository, actor.label, event, window, now)
        else:
            outcome = {"invited": self._invite(session, repository, event, window, timeline, now)}
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
        return _detail(event)

    def _invite(
        self,
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
        suspended = standings(session, [p.id for p in people], now)
        taken = repository.awarded_windows(window.day, realtime=False, exclude_event_id=event.id)
        invited = [
            p
            for p in people
            if not suspended[p.id].suspended
            and within_daily_limits(taken.get(p.id, []), window).allowed
        ]
        baselines = self._baselines(session, repository, event, window, invited)
        deadlines = {
            "bids_close": json_value(timeline.bids_close),
            "ranking_due": json_value(timeline.ranking_due),
            "notify_due": json_value(timeline.notify_due),
        }
        session.add_all(
            Notification(
                event_id=event.id,
                participant_id=p.id,
                kind=NotificationKind.INVITATION,
                payload={
                    **_event_payload(event),
                    "demand_kw": json_value(event.demand_kw),
                    "deadlines": deadlines,
                    "registered_kw": json_value(p.capability_kw),
                    "baseline": baselines.get(p.id, NO_BASELINE).payload(),
                },
                created_at=now,
            )
            for p in invited
        )
        return [p.id for p in invited]

    def _dispatch(
        self,
        session: Session,
        repository: EventRepository,
        actor_label: str,
        event: Event,
        window: Window,
        now: dt.datetime,
    ) -> dict[str, Any]:
        """Select real-time participants up to the capacity and tell them (第八条 (二))."""
        people = {p.id: p for p in repository.candidates(event, realtime=True)}
        ids = list(people)
        scores = standings(session, ids, event.start_at)
        current = standings(session, ids, now)
        taken = repository.awarded_windows(window.day, realtime=True, exclude_event_id=event.id)
        decisions = select_realtime(
            (
                RealtimeCandidate(
                    participant_id=p.id,
                    realtime_kw=p.realtime_capability_kw or Decimal(0),
                    realtime_capable=p.realtime_capable and p.minute_monitoring,
                    rank_score=scores[p.id].rank_score,
                    # When its real-time capability was registered: the agreement's signing.
                    registered_at=p.activated_at or p.submitted_at,
                    suspended=current[p.id].suspended,
                    at_daily_limit=not within_daily_limits(taken.get(p.id, []), window).allowed,
                )
                for p in people.values()
            ),
            event.demand_kw,
        )
        selected = [d for d in decisions if d.selected]
        baselines = self._baselines(
            session,
            repository,
            event,
            window,
            [people[d.candidate.participant_id] for d in selected],
        )
        awards = []
        for place, decision in enumerate(selected, 1):
            pid = decision.candidate.participant_id
            baseline = baselines.get(pid, NO_BASELINE)
            awards.append(
                Award(
                    event_id=event.id,
                    participant_id=pid,
                    kw=decision.kw,
                    place=place,
                    reason=decision.reason[:REASON_LENGTH],
                    baseline_type=baseline.baseline_type,
                    baseline=baseline.kw,
                    created_at=now,
                )
            )
        session.add_all(awards)
        session.flush()
        target = now + REALTIME_TARGET
        for award in awards:
            record(
                session,
                actor_label,
                "award.create",
                "award",
                str(award.id),
                None,
                snapshot(award),
                at=now,
            )
            session.add(
                Notification(
                    event_id=event.id,
                    participant_id=award.participant_id,
                    kind=NotificationKind.DISPATCH,
                    payload={
                        **_event_payload(event),
                        "capacity_kw": json_value(event.demand_kw),
                        "assigned_kw": json_value(award.kw),
                        "notice_at": json_value(now),
                        "target_at": json_value(target),
                        "baseline": baselines.get(award.participant_id, NO_BASELINE).payload(),
                    },
                    created_at=now,
                )
            )
        accepted = sum((a.kw for a in awards), Decimal(0))
        event.accepted_kw = accepted
        event.shortfall = accepted < event.demand_kw
        event.shortfall_kw = event.demand_kw - accepted if event.shortfall else Decimal(0)
        return {
            "selection": [
                {
                    "participant_id": d.candidate.participant_id,
                    "selected": d.selected,
                    "kw": json_value(d.kw),
                    "reason": d.reason,
                }
                for d in decisions
            ]
        }

    # ---- reads ----------------------------------------------------------------------------

    def trigger_check(
        self, session: Session, actor: Actor, day: dt.date, forecast_max_mw: Decimal
    ) -> schemas.TriggerCheck:
        """The peak-shaving trigger of 第七条 (一) 1 for ``day`` (grid operator, regulator)."""
        actor.require(Role.GRID_OPERATOR, Role.REGULATOR)
        return self._trigger(EventRepository(session), day, forecast_max_mw)

    def _trigger(
        self, repository: EventRepository, day: dt.date, forecast_max_mw: Decimal
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

    def search(
        self,
        session: Session,
        actor: Actor,
        *,
        pagination: PaginationParams,
        sorting: Sorting[schemas.SortProperty],
        statuses: Sequence[EventStatus],
        mode: Mode | None,
        direction: Direction | None,
        day_from: dt.date | None,
        day_to: dt.date | None,
    ) -> tuple[Sequence[Event], int]:
        """A page of events; every role reads them (an event names no participant)."""
        return EventRepository(session).search(
            pagination=pagination,
            sorting=sorting,
            statuses=statuses,
            mode=mode,
            direction=direction,
            day_from=day_from,
            day_to=day_to,
        )

    def get(self, session: Session, actor: Actor, event_id: str) -> schemas.EventDetail:
        """One event."""
        return _detail(_found(EventRepository(session), event_id))

    def list_bids(
        self,
        session: Session,
        actor: Actor,
        pagination: PaginationParams,
        *,
        event_id: str | None,
        participant_id: str | None,
    ) -> tuple[Sequence[Bid], int]:
        """Bids: all for the grid operator and the regulator, a participant's own for it."""
        return _scoped(session, event_id).search_bids(
            pagination, event_id=event_id, participant_id=_whose(actor, participant_id)
        )

    def list_awards(
        self,
        session: Session,
        actor: Actor,
        pagination: PaginationParams,
        *,
        event_id: str | None,
        participant_id: str | None,
    ) -> tuple[Sequence[Award], int]:
        """Awards: all for the grid operator and the regulator, a participant's own for it."""
        return _scoped(session, event_id).search_awards(
            pagination, event_id=event_id, participant_id=_whose(actor, participant_id)
        )

    def list_notifications(
        self,
        session: Session,
        actor: Actor,
        pagination: PaginationParams,
        *,
        participant_id: str | None,
        event_id: str | None,
        kind: NotificationKind | None,
        unread: bool | None,
    ) -> tuple[Sequence[Notification], int]:
        """Notifications: a participant's own for it, all for the grid operator and regulator."""
        return EventRepository(session).search_notifications(
            pagination,
            participant_id=_whose(actor, participant_id),
            event_id=event_id,
            kind=kind,
            unread=unread,
        )

    def mark_read(
        self, session: Session, actor: Actor, now: dt.datetime, notification_id: int
    ) -> schemas.NotificationView:
        """A participant acknowledges one of its notifications (the first time counts)."""
        actor.require(*SCOPED_ROLES)
        notification = EventRepository(session).notification(notification_id)
        if notification is None or notification.participant_id != actor.participant_id:
            raise NotFound(f"notification {notification_id} not found")
        if notification.read_at is None:
            before = snapshot(notification)
            notification.read_at = now
            session.flush()
            record(
                session,
                actor.label,
                "notification.read",
                "notification",
                str(notification.id),
                before,
                snapshot(notification),
                at=now,
            )
        return schemas.NotificationView.model_validate(notification)

    def ranking(
        self, session: Session, actor: Actor, now: dt.datetime, event_id: str
    ) -> schemas.Ranking:
        """Every bid with its place, acceptance and reason, against 100 % and 150 % of demand.

        While bids are open the ranking is provisional: the order if bidding closed now. A
        real-time event lists its assignments. Grid operator and regulator only: it shows
        every participant's bid.
        """
        actor.require(Role.GRID_OPERATOR, Role.REGULATOR)
        repository = EventRepository(session)
        event = _found(repository, event_id)
        if event.mode is Mode.REALTIME:
            awards = repository.awards(event.id)
            names = _names(repository, (a.participant_id for a in awards))
            entries = [
                schemas.RankingEntry(
                    place=a.place,
                    bid_id=None,
                    participant_id=a.participant_id,
                    participant_name=names[a.participant_id],
                    kw=a.kw,
                    price=None,
                    received_at=None,
                    rank_score=None,
                    accepted=True,
                    reason=a.reason,
                )
                for a in awards
            ]
            offered = sum((a.kw for a in awards), Decimal(0))
            return _ranking_view(event, False, entries, offered)
        if event.status is EventStatus.PUBLISHED:
            decision = self._decide(session, repository, event, now)
            return _provisional_view(event, decision)
        bids = sorted(repository.bids(event.id), key=lambda b: (b.place is None, b.place, b.id))
        names = _names(repository, (b.participant_id for b in bids))
        entries = [
            schemas.RankingEntry(
                place=b.place,
                bid_id=b.id,
                participant_id=b.participant_id,
                participant_name=names[b.participant_id],
                kw=b.kw,
                price=b.price,
                received_at=b.received_at,
                rank_score=b.rank_score,
                accepted=bool(b.accepted),
                reason=b.rank_reason or "未排序：事件在申报截止前取消 / not ranked: cancelled",
            )
            for b in bids
        ]
        return _ranking_view(event, False, entries, sum((b.kw for b in bids), Decimal(0)))

    # ---- bids -----------------------------------------------------------------------------

    def submit_bid(
        self,
        session: Session,
        actor: Actor,
        now: dt.datetime,
        event_id: str,
        *,
        kw: Decimal,
        price: Decimal | None = None,
        participant_id: str | None = None,
        source: str = "api",
    ) -> tuple[schemas.BidView, bool]:
        """Record a bid (申报), replacing the participant's earlier one; True if it is new.

        Every front end (the HTTP API, OpenADR) calls this, naming itself in ``source``, so
        every bid passes the same checks. A participant's token bids for itself; the grid
        operator bids on a participant's behalf and names it.

        Raises
        ------
        NotFound
            No such event or participant (or another participant's, for a scoped token).
        Conflict
            A real-time event, bidding closed or cancelled, the participant not active or not
            in the event's scope.
        Invalid
            A refusal of :func:`gzvpp.core.invitation.check_bid`: late, kW above the registered
            capability, price missing, given or over the cap, suspended, at the daily limit.
        """
        bidder = _bidder(actor, participant_id)
        repository = EventRepository(session)
        event = _found(repository, event_id, for_update=True)
        if event.mode is Mode.REALTIME:
            raise Conflict(f"event {event.id} is a real-time call; it takes no bids")
        if event.status is not EventStatus.PUBLISHED:
            raise Conflict(f"event {event.id} is {event.status.value}; bidding is closed")
        participant = repository.participants([bidder]).get(bidder)
        if participant is None:
            raise NotFound(f"participant {bidder} not found")
        if participant.status is not ParticipantStatus.ACTIVE:
            raise Conflict(
                f"participant {bidder} is {participant.status.value}; only an active "
                "participant may bid"
            )
        if not repository.candidates(event, [bidder]):
            raise Conflict(f"participant {bidder} is not in the scope of event {event.id}")
        window = _window_of(event.start_at, event.end_at)
        taken = repository.awarded_windows(
            window.day, realtime=False, exclude_event_id=event.id, participant_id=bidder
        )
        suspended = month_counts(session, [bidder], now)[1][0]
        try:
            _check_bid(event, window, participant, kw, price, now, suspended, taken)
        except InvitationError as err:
            raise Invalid(str(err), ("body",)) from err
        bid = repository.bid_of(event.id, bidder)
        before = snapshot(bid) if bid else None
        if bid is None:
            bid = Bid(event_id=event.id, participant_id=bidder)
            session.add(bid)
        bid.kw, bid.price, bid.received_at, bid.source = kw, price, now, source
        session.flush()
        action = "bid.submit" if before is None else "bid.replace"
        record(session, actor.label, action, "bid", str(bid.id), before, snapshot(bid), at=now)
        return schemas.BidView.model_validate(bid), before is None

    # ---- closing, ranking and the plan (the scheduler) ------------------------------------

    def close_bidding(self, session: Session, now: dt.datetime, event_id: str) -> list[str]:
        """Rank an invitation whose bids have closed and send its plan; what was done.

        Idempotent: an event already notified, cancelled or still open is left alone.
        """
        repository = EventRepository(session)
        event = _found(repository, event_id, for_update=True)
        done: list[str] = []
        if event.mode is Mode.REALTIME:
            return done
        closed = event.bids_close_at is not None and event.bids_close_at <= now
        if event.status is EventStatus.PUBLISHED and closed:
            done.append(self._rank(session, repository, event, now))
        if event.status is EventStatus.RANKED:
            done.append(self._notify(session, repository, event, now))
        return done

    def _decide(
        self, session: Session, repository: EventRepository, event: Event, now: dt.datetime
    ) -> _Decision:
        """Rank the bids that still pass every check (第八条 C); a bid from a participant that
        has since become inactive, suspended or reached its daily limit (another event's plan
        may have come first) is excluded with the reason."""
        bids = {b.id: b for b in repository.bids(event.id)}
        people = repository.participants({b.participant_id for b in bids.values()})
        ids = sorted(people)
        scores = standings(session, ids, event.start_at)
        current = standings(session, ids, now)
        window = _window_of(event.start_at, event.end_at)
        taken = repository.awarded_windows(window.day, realtime=False, exclude_event_id=event.id)
        valid: list[CoreBid] = []
        excluded: dict[int, str] = {}
        for bid in bids.values():
            p = people[bid.participant_id]
            try:
                if p.status is not ParticipantStatus.ACTIVE:
                    raise InvitationError(f"participant {p.id} is {p.status.value}")
                _check_bid(
                    event,
                    window,
                    p,
                    bid.kw,
                    bid.price,
                    bid.received_at,
                    current[p.id].suspended,
                    taken,
                )
            except InvitationError as err:
                excluded[bid.id] = str(err)
                continue
            valid.append(
                CoreBid(
                    bid_id=_bid_key(bid.id),
                    participant_id=p.id,
                    kw=bid.kw,
                    price=bid.price,
                    realtime_capable=p.realtime_capable and p.minute_monitoring,
                    rank_score=scores[p.id].rank_score,
                    received_at=bid.received_at,
                )
            )
        result = rank_bids(valid, event.demand_kw, event.price_mode is PriceMode.BIDDING)
        return _Decision(result, excluded, bids, people)

    def _rank(
        self, session: Session, repository: EventRepository, event: Event, now: dt.datetime
    ) -> str:
        """published → ranked: store the ranking on the bids and an award per accepted bid."""
        before = snapshot(event)
        decision = self._decide(session, repository, event, now)
        result = decision.result
        for ranked in result.ranked:
            bid = decision.bids[int(ranked.bid.bid_id)]
            bid.place, bid.accepted = ranked.place, ranked.accepted
            bid.rank_score = quantize_half_up(ranked.bid.rank_score, RANK_SCORE_STEP)
            bid.rank_reason = ranked.reason[:REASON_LENGTH]
        for bid_id, why in decision.excluded.items():
            bid = decision.bids[bid_id]
            bid.place, bid.accepted, bid.rank_score = None, False, None
            bid.rank_reason = f"排除 / excluded：{why}"[:REASON_LENGTH]
        accepted = [r for r in result.ranked if r.accepted]
        window = _window_of(event.start_at, event.end_at)
        baselines = self._baselines(
            session,
            repository,
            event,
            window,
            [decision.participants[r.bid.participant_id] for r in accepted],
        )
        bidding = event.price_mode is PriceMode.BIDDING
        awards = []
        for r in accepted:
            baseline = baselines.get(r.bid.participant_id, NO_BASELINE)
            awards.append(
                Award(
                    event_id=event.id,
                    participant_id=r.bid.participant_id,
                    bid_id=int(r.bid.bid_id),
                    kw=r.bid.kw,
                    price=r.bid.price if bidding else None,
                    place=r.place,
                    reason=r.reason[:REASON_LENGTH],
                    baseline_type=baseline.baseline_type,
                    baseline=baseline.kw,
                    created_at=now,
                )
            )
        session.add_all(awards)
        event.accepted_kw = result.accepted_kw
        event.shortfall = result.shortfall
        event.shortfall_kw = result.shortfall_kw
        event.status = EventStatus.RANKED
        event.ranked_at = event.updated_at = now
        session.flush()
        for award in awards:
            record(
                session,
                SCHEDULER,
                "award.create",
                "award",
                str(award.id),
                None,
                snapshot(award),
                at=now,
            )
        ranking = [
            {
                "bid_id": bid.id,
                "participant_id": bid.participant_id,
                "kw": json_value(bid.kw),
                "price": json_value(bid.price),
                "place": bid.place,
                "accepted": bid.accepted,
                "reason": bid.rank_reason,
            }
            for bid in decision.bids.values()
        ]
        record(
            session,
            SCHEDULER,
            "event.rank",
            ENTITY,
            event.id,
            before,
            {**snapshot(event), "ranking": ranking},
            at=now,
        )
        shortfall = f"; shortfall {result.shortfall_kw} kW (有序用电)" if result.shortfall else ""
        return (
            f"{event.id}: ranked {len(result.ranked)} bids ({len(decision.excluded)} excluded), "
            f"accepted {len(accepted)} for {result.accepted_kw} kW of {event.demand_kw} kW "
            f"demand{shortfall}"
        )

    def _notify(
        self, session: Session, repository: EventRepository, event: Event, now: dt.datetime
    ) -> str:
        """ranked → notified: send each accepted participant its plan (执行方案)."""
        before = snapshot(event)
        awards = repository.awards(event.id)
        session.add_all(
            Notification(
                event_id=event.id,
                participant_id=a.participant_id,
                kind=NotificationKind.PLAN,
                payload={
                    **_event_payload(event),
                    "demand_kw": json_value(event.demand_kw),
                    "awarded_kw": json_value(a.kw),
                    "price": json_value(a.price if a.price is not None else event.fixed_price),
                    "place": a.place,
                    "baseline": Baseline(a.baseline_type, a.baseline).payload(),
                },
                created_at=now,
            )
            for a in awards
        )
        event.status = EventStatus.NOTIFIED
        event.notified_at = event.updated_at = now
        session.flush()
        record(
            session,
            SCHEDULER,
            "event.notify",
            ENTITY,
            event.id,
            before,
            {**snapshot(event), "notified": [a.participant_id for a in awards]},
            at=now,
        )
        return f"{event.id}: plan sent to {len(awards)} participants"

    # ---- cancellation ---------------------------------------------------------------------

    def cancel(
        self, session: Session, actor: Actor, now: dt.datetime, event_id: str, reason: str
    ) -> schemas.EventDetail:
        """Call the event off, at least 4 h before it starts (第八条 (一) 4), and tell everyone
        invited, bidding or awarded. A cancelled event is nobody's response day (R4).

        Raises
        ------
        Conflict
            Already cancelled or evaluated, or less than 4 h before the window starts.
        """
        actor.require(Role.GRID_OPERATOR)
        repository = EventRepository(session)
        event = _found(repository, event_id, for_update=True)
        if event.status not in OPEN_FOR_CANCELLATION:
            raise Conflict(f"event {event.id} is {event.status.value}; it cannot be cancelled")
        try:
            check_cancellation(now, event.start_at)
        except InvitationError as err:
            raise Conflict(str(err)) from err
        before = snapshot(event)
        event.status = EventStatus.CANCELLED
        event.cancelled_at = event.updated_at = now
        event.cancel_reason = reason
        told = repository.involved(event.id)
        session.add_all(
            Notification(
                event_id=event.id,
                participant_id=pid,
                kind=NotificationKind.CANCELLATION,
                payload={
                    **_event_payload(event),
                    "reason": reason,
                    "cancelled_at": json_value(now),
                },
                created_at=now,
            )
            for pid in told
        )
        session.flush()
        record(
            session,
            actor.label,
            "event.cancel",
            ENTITY,
            event.id,
            before,
            {**snapshot(event), "notified": told},
            at=now,
        )
        return _detail(event)

    # ---- baselines ------------------------------------------------------------------------

    def _baselines(
        self,
        session: Session,
        repository: EventRepository,
        event: Event,
        window: Window,
        participants: Sequence[Participant],
    ) -> dict[str, Baseline]:
        """Each participant's unadjusted baseline over the window (R4, 告知其基线负荷).

        From stored meter data of the baseline days (D-2 and earlier; for a real-time event the
        two intervals before the window). A participant without the data gets an unavailable
        baseline; a date outside the working calendar makes every baseline unavailable, with
        the reason, rather than failing the notification.
        """
        parts = [
            CoreParticipant(
                p.id, p.kind, tuple(a.account_id for a in p.accounts if a.released_at is None)
            )
            for p in participants
        ]
        parts = [p for p in parts if p.accounts]
        if not parts:
            return {}
        calendar = Calendar()
        try:
            if event.mode is Mode.REALTIME:
                before = window.first_interval - REALTIME_BASELINE_INTERVALS
                days = _covering(
                    np.array([day_number(window.day)]), before, REALTIME_BASELINE_INTERVALS
                )
                history: dict[str, IntArray] = {}
            else:
                candidates = baseline_candidates(window.day, calendar).days
                days = _covering(candidates, window.first_interval, window.n_intervals)
                since = date_of(int(candidates.min())) if len(candidates) else window.day
                history = _response_days(repository, [p.id for p in parts], since)
            loads = load_cube(session, [a for p in parts for a in p.accounts], days)
            result = participant_baselines(window, event.mode, parts, loads, calendar, history)
        except CalendarError as err:
            return {p.id: Baseline(None, None, str(err)) for p in parts}
        totals = round_half_up(result.members.total(result.member_curves), 3)
        return {
            p.id: Baseline(result.baseline_type, _kw_list(row))
            for p, row in zip(parts, totals, strict=True)
        }


event_service = EventService()


def _window_of(start: dt.datetime, end: dt.datetime) -> Window:
    """The event window; 422 naming the end of the window that breaks the rule."""
    try:
        return Window.from_times(start, end)
    except WindowError as err:
        if not is_on_grid(start) or not is_on_grid(end):
            field, why = ("start_at", "开始") if not is_on_grid(start) else ("end_at", "结束")
            why += "时间须在 15 分钟整点上"
        else:
            field, why = "end_at", f"响应时段不少于 {MIN_WINDOW_MINUTES} 分钟（第五条）"
        raise Invalid(f"{why} / {err}", ("body", field)) from err


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


def _check_bid(
    event: Event,
    window: Window,
    participant: Participant,
    kw: Decimal,
    price: Decimal | None,
    received_at: dt.datetime,
    suspended: bool,
    taken: dict[str, list[Window]],
) -> None:
    """:func:`check_bid` with the event's and the participant's facts."""
    assert event.bids_close_at is not None  # every invitation has a close
    check_bid(
        received_at=received_at,
        bids_close=event.bids_close_at,
        kw=kw,
        registered_kw=participant.capability_kw,
        price=price,
        bidding=event.price_mode is PriceMode.BIDDING,
        direction=event.direction,
        suspended=suspended,
        daily_limit=within_daily_limits(taken.get(participant.id, []), window),
    )


def _bidder(actor: Actor, participant_id: str | None) -> str:
    """Whom a bid is for: a scoped token's own participant, or the one the operator names."""
    actor.require(Role.GRID_OPERATOR, *SCOPED_ROLES)
    if actor.role.participant_scoped:
        if participant_id is not None:
            actor.require_participant(participant_id)
        assert actor.participant_id is not None  # a scoped role always has one
        return actor.participant_id
    if participant_id is None:
        raise Invalid(
            "代为申报须指明参与者 / the grid operator bids on a participant's behalf; name the "
            "participant",
            ("body", "participant_id"),
        )
    return participant_id


def _whose(actor: Actor, participant_id: str | None) -> str | None:
    """The participant a list is filtered to: a scoped actor's own, else the one asked for."""
    if participant_id is not None:
        actor.require_participant(participant_id)
    return actor.participant_id if actor.role.participant_scoped else participant_id


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


def _scoped(session: Session, event_id: str | None) -> EventRepository:
    """The repository for a list filtered to ``event_id``; 404 if that event does not exist."""
    repository = EventRepository(session)
    if event_id is not None:
        _found(repository, event_id)
    return repository


def _found(repository: EventRepository, event_id: str, *, for_update: bool = False) -> Event:
    event = repository.get(event_id, for_update=for_update)
    if event is None:
        raise NotFound(f"event {event_id} not found")
    return event


def _bid_key(bid_id: int) -> str:
    # Zero-padded so that the ranking's last tie-break (bid id as text) follows arrival order.
    return f"{bid_id:012d}"


def _covering(days: IntArray, first_interval: int, n_intervals: int) -> IntArray:
    """The calendar days that intervals ``first_interval`` … of each of ``days`` fall on
    (a window may reach past midnight, a real-time baseline before it)."""
    last = first_interval + n_intervals - 1
    shifts = np.arange(first_interval // INTERVALS_PER_DAY, last // INTERVALS_PER_DAY + 1)
    covered: IntArray = np.unique(days[:, None] + shifts[None, :])
    return covered


def _response_days(
    repository: EventRepository, participant_ids: list[str], since: dt.date
) -> dict[str, IntArray]:
    """The participants' response days since ``since`` (R4), from their stored awards."""
    events: dict[str, tuple[Direction, Mode, dt.datetime, dt.datetime, bool]] = {}
    awards: defaultdict[str, list[CoreAward]] = defaultdict(list)
    for event_id, status, direction, mode, start, end, pid, kw in repository.award_history(
        participant_ids, since
    ):
        events[event_id] = (direction, mode, start, end, status is EventStatus.CANCELLED)
        awards[event_id].append(CoreAward(pid, kw))
    return response_days(
        CoreEvent(
            id=event_id,
            direction=direction,
            mode=mode,
            window=Window.from_times(start, end),
            price=None,
            awards=tuple(awards[event_id]),
            cancelled=cancelled,
        )
        for event_id, (direction, mode, start, end, cancelled) in events.items()
    )


def _kw_list(row: FloatArray) -> list[float | None] | None:
    """One interval value per entry, None where NaN; None if no interval has a value."""
    values = [None if np.isnan(v) else v for v in row.tolist()]
    return values if any(v is not None for v in values) else None


def _event_payload(event: Event) -> dict[str, Any]:
    """What every notification about ``event`` says about it."""
    return {
        "event_id": event.id,
        "direction": event.direction.value,
        "mode": event.mode.value,
        "window": {"start": json_value(event.start_at), "end": json_value(event.end_at)},
        "price_mode": event.price_mode.value,
        "fixed_price": json_value(event.fixed_price),
        "price_cap": json_value(event.price_cap),
    }


def _detail(event: Event) -> schemas.EventDetail:
    columns = {k: getattr(event, k) for k in schemas.EventDetail.model_fields if k != "scope"}
    scope = {"substations": event.scope_substations, "feeders": event.scope_feeders}
    return schemas.EventDetail.model_validate({**columns, "scope": scope})


def _names(repository: EventRepository, participant_ids: Iterable[str]) -> dict[str, str]:
    return {pid: p.name for pid, p in repository.participants(set(participant_ids)).items()}


def _provisional_view(event: Event, decision: _Decision) -> schemas.Ranking:
    """The ranking while bids are open: the order if bidding closed now."""
    people = decision.participants
    entries = [
        schemas.RankingEntry(
            place=r.place,
            bid_id=int(r.bid.bid_id),
            participant_id=r.bid.participant_id,
            participant_name=people[r.bid.participant_id].name,
            kw=r.bid.kw,
            price=r.bid.price,
            received_at=r.bid.received_at,
            rank_score=quantize_half_up(r.bid.rank_score, RANK_SCORE_STEP),
            accepted=r.accepted,
            reason=r.reason,
        )
        for r in decision.result.ranked
    ]
    for bid_id, why in decision.excluded.items():
        bid = decision.bids[bid_id]
        entries.append(
            schemas.RankingEntry(
                place=None,
                bid_id=bid.id,
                participant_id=bid.participant_id,
                participant_name=people[bid.participant_id].name,
                kw=bid.kw,
                price=bid.price,
                received_at=bid.received_at,
                rank_score=None,
                accepted=False,
                reason=f"排除 / excluded：{why}",
            )
        )
    result = decision.result
    return _ranking_view(
        event,
        True,
        entries,
        sum((b.kw for b in decision.bids.values()), Decimal(0)),
        (result.accepted_kw, result.shortfall, result.shortfall_kw),
    )


def _ranking_view(
    event: Event,
    provisional: bool,
    entries: list[schemas.RankingEntry],
    offered: Decimal,
    outcome: tuple[Decimal, bool, Decimal] | None = None,
) -> schemas.Ranking:
    """The totals against 100 % and 150 % of demand; ``outcome`` (accepted kW, shortfall,
    shortfall kW) of a provisional ranking, else the event's stored one."""
    accepted, shortfall, shortfall_kw = outcome or (
        event.accepted_kw or Decimal(0),
        event.shortfall,
        event.shortfall_kw or Decimal(0),
    )
    reserve = (event.demand_kw * RESERVE_FACTOR).quantize(KW_STEP)
    return schemas.Ranking(
        event_id=event.id,
        status=event.status,
        provisional=provisional,
        bidding=event.price_mode is PriceMode.BIDDING,
        demand_kw=event.demand_kw,
        reserve_kw=reserve,
        offered_kw=offered,
        accepted_kw=accepted,
        covers_demand=accepted >= event.demand_kw,
        covers_reserve=accepted >= reserve,
        shortfall=shortfall,
        shortfall_kw=shortfall_kw,
        entries=entries,
    )
