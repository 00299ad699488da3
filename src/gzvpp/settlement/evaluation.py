"""Evaluating events from stored data (第九条, R4–R7) and the standings that follow from it.

The rules engine (:func:`gzvpp.core.assessment.assess_event`) does all the arithmetic; this
module builds its inputs from the database, stores one ``AwardResult`` row per award, and then
recomputes each affected participant's month non-executions, suspension and rank score over
its stored results in event order (:func:`gzvpp.core.results.with_history`), so a late meter
correction flows through to every later event of that participant.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from gzkit.audit import json_value, snapshot
from gzkit.calendar import Calendar, CalendarError
from gzkit.errors import Conflict, NotFound
from gzvpp.core import model as engine
from gzvpp.core.assessment import (
    EventAssessment,
    MemberShare,
    Status,
    assess_event,
    member_shares,
    response_days,
)
from gzvpp.core.baseline import LOOKBACK_DAYS, baseline_candidates
from gzvpp.core.grid import Window
from gzvpp.core.ranking import FIRST_RANK_SCORE
from gzvpp.core.results import AwardResult as EngineResult
from gzvpp.core.results import award_results, with_history
from gzvpp.core.subsidy import PriceError
from gzvpp.core.timeseries import FloatArray, IntArray, date_of, day_number
from gzvpp.evaluation.run import days_needed
from gzvpp.kit import metrics
from gzvpp.kit.audit import record
from gzvpp.kit.auth import Actor
from gzvpp.meterdata.baselines import covering_days, read_baselines
from gzvpp.meterdata.repository import load_cube, load_system_cube
from gzvpp.models import (
    Award,
    AwardResult,
    Event,
    EventStatus,
    Notification,
    NotificationKind,
    PriceMode,
    ResultRevision,
    Role,
)
from gzvpp.settlement import repository
from gzvpp.settlement.schemas import EvaluationReport

HISTORY_FIELDS = ("month_non_executions", "suspended", "rank_score")
# What a notification of the result tells the participant.
NOTIFIED_FIELDS = (
    "status",
    "awarded_kw",
    "response_kw",
    "response_ratio",
    "effective",
    "non_execution",
    "score",
    "effective_energy_kwh",
    "subsidy_cny",
)
# What a result's revision shows before and after: the figures of the notice and the curves'
# means they come from.
REVISED_FIELDS = ("baseline_avg_kw", "actual_avg_kw", *NOTIFIED_FIELDS)
EVALUATE_SOURCE = "evaluate"
_NO_DAYS: IntArray = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Cause:
    """What made an evaluation run, for the revisions of the results it changes: ``source``
    (an upload's file, or ``evaluate`` on request) and the reason given for a correction."""

    source: str
    reason: str | None = None


class UnmeteredError(Exception):
    """An awarded participant holds no account whose load could be evaluated."""


@dataclass(frozen=True)
class Touched:
    """What an upload added or changed: day numbers per account, and system-load day numbers."""

    loads: Mapping[str, IntArray] = field(default_factory=dict)
    system: IntArray = field(default_factory=lambda: _NO_DAYS)

    @property
    def first_day(self) -> int | None:
        """The earliest day touched, or None if nothing was."""
        firsts = [int(d.min()) for d in (*self.loads.values(), self.system) if len(d)]
        return min(firsts, default=None)

    def read_by(self, needed: IntArray, accounts: Iterable[str]) -> bool:
        """True if an evaluation reading ``accounts`` on ``needed`` days sees a touched value."""
        if np.isin(self.system, needed).any():
            return True
        return any(np.isin(self.loads.get(a, _NO_DAYS), needed).any() for a in accounts)


def engine_event(event: Event, awards: Sequence[Award]) -> engine.Event:
    """The rules engine's view of an event and its awards.

    In bidding mode an award is paid its bid price (copied onto the award at ranking); in
    fixed-price mode the event's fixed price (R7).
    """
    bidding = event.price_mode is PriceMode.BIDDING
    return engine.Event(
        id=event.id,
        direction=event.direction,
        mode=event.mode,
        window=Window.from_times(event.start_at, event.end_at),
        price=None if bidding else event.fixed_price,
        awards=tuple(
            engine.Award(award.participant_id, award.kw, award.price if bidding else None)
            for award in awards
        ),
        cancelled=event.status is EventStatus.CANCELLED,
    )


class EvaluationService:
    """Evaluates ended events: on the grid operator's request, or after new meter data."""

    def evaluate(
        self, session: Session, actor: Actor, now: dt.datetime, event_id: str
    ) -> EvaluationReport:
        """Evaluate (or re-evaluate) one event now (grid operator).

        Raises
        ------
        NotFound
            No such event.
        Conflict
            The event is cancelled, its window has not ended, it has no awards, or the engine
            refuses its inputs (a price outside 表 2, a date the calendar does not cover).
        """
        actor.require(Role.GRID_OPERATOR)
        event = repository.event_for_update(session, event_id)
        if event is None:
            raise NotFound(f"event {event_id} not found")
        if event.status is EventStatus.CANCELLED:
            raise Conflict(f"event {event_id} is cancelled; a cancelled event is not evaluated")
        if event.end_at > now:
            raise Conflict(f"event {event_id} runs until {event.end_at:%Y-%m-%d %H:%M}")
        awards = repository.awards_of(session, [event_id]).get(event_id)
        if not awards:
            raise Conflict(f"event {event_id} has no awards to evaluate")
        cause = Cause(f"{EVALUATE_SOURCE} {event_id}")
        report = self._evaluate(session, actor.label, now, event, awards, Calendar(), cause)
        if report.outcome == "failed":
            raise Conflict(f"event {event_id} cannot be evaluated: {report.detail}")
        return report

    def after_upload(
        self, session: Session, actor: str, now: dt.datetime, touched: Touched, cause: Cause
    ) -> list[EvaluationReport]:
        """Re-evaluate every ended event whose evaluation reads a value ``touched`` changed."""
        calendar = Calendar()
        reports = []
        for event, awards, error in self._readers(session, now, touched, calendar):
            if error is not None:
                reports.append(EvaluationReport(event_id=event.id, outcome="failed", detail=error))
            else:
                reports.append(self._evaluate(session, actor, now, event, awards, calendar, cause))
        return reports

    def evaluated_readers(self, session: Session, now: dt.datetime, touched: Touched) -> list[str]:
        """The evaluated events (their results published) that read a value ``touched`` changed:
        a correction reopens them."""
        return [
            event.id
            for event, _, error in self._readers(session, now, touched, Calendar())
            if error is None and event.status is EventStatus.EVALUATED
        ]

    def _readers(
        self, session: Session, now: dt.datetime, touched: Touched, calendar: Calendar
    ) -> Iterator[tuple[Event, list[Award], str | None]]:
        """The ended events whose evaluation reads a value ``touched`` changed, with their
        awards; for an event whose days the calendar cannot give, the calendar's error, when
        its own day was touched.

        An event on day D reads no day after D + 1, so only events from the day before the
        first touched day on are candidates; :func:`days_needed` and the awarded participants'
        accounts then decide.
        """
        first = touched.first_day
        if first is None:
            return
        since = dt.datetime.combine(date_of(first - 1), dt.time())
        events = repository.ended_events(session, now, since)
        awards = repository.awards_of(session, [e.id for e in events])
        accounts = repository.held_accounts(
            session, {a.participant_id for rows in awards.values() for a in rows}
        )
        for event in events:
            plan = engine_event(event, awards[event.id])
            involved = [a for award in plan.awards for a in accounts.get(award.participant_id, [])]
            try:
                needed = days_needed([plan], calendar, LOOKBACK_DAYS)
            except CalendarError as err:
                # The days it would read are unknown: report it when its own day was touched.
                day = day_number(plan.window.day)
                if touched.read_by(np.arange(day - 1, day + 2), involved):
                    yield event, awards[event.id], str(err)
                continue
            if touched.read_by(needed, involved):
                yield event, awards[event.id], None

    def _evaluate(
        self,
        session: Session,
        actor: str,
        now: dt.datetime,
        event: Event,
        awards: Sequence[Award],
        calendar: Calendar,
        cause: Cause,
    ) -> EvaluationReport:
        """:meth:`_assess_and_store`, timed in the evaluation-time metric by outcome."""
        started = time.perf_counter()
        report = self._assess_and_store(session, actor, now, event, awards, calendar, cause)
        metrics.EVALUATION_SECONDS.labels(report.outcome).observe(time.perf_counter() - started)
        return report

    def _assess_and_store(
        self,
        session: Session,
        actor: str,
        now: dt.datetime,
        event: Event,
        awards: Sequence[Award],
        calendar: Calendar,
        cause: Cause,
    ) -> EvaluationReport:
        """Run the engine on one event; store, audit and notify if its results changed, and
        keep a revision of each published result that changed."""
        plan = engine_event(event, awards)
        try:
            assessment = self._assess(session, plan, calendar)
        except (PriceError, CalendarError, UnmeteredError) as err:
            return EvaluationReport(event_id=event.id, outcome="failed", detail=str(err))
        results = award_results(assessment)
        award_ids = [award.id for award in awards]
        columns = {
            award_id: _columns(event, result, _curves(assessment, i))
            for i, (award_id, result) in enumerate(zip(award_ids, results, strict=True))
        }
        stored = repository.results_of_awards(session, award_ids)
        if event.status is EventStatus.EVALUATED and all(
            award_id in stored and _same(stored[award_id], values)
            for award_id, values in columns.items()
        ):
            return EvaluationReport(event_id=event.id, outcome="unchanged")

        before = {
            "status": event.status.value,
            "evaluated_at": json_value(event.evaluated_at),
            "results": [snapshot(stored[a]) for a in award_ids if a in stored],
        }
        rows, told = [], []
        for award_id, values in columns.items():
            row = stored.get(award_id)
            if _news(row, values):
                told.append(award_id)
            if row is None:
                # The history fields are set by _restand below, once every row is stored.
                row = AwardResult(
                    award_id=award_id,
                    month_non_executions=0,
                    suspended=False,
                    rank_score=FIRST_RANK_SCORE,
                )
                session.add(row)
            else:
                revision = _revision(row, values, actor, now, cause)
                if revision is not None:
                    session.add(revision)
            for key, value in values.items():
                setattr(row, key, value)
            row.evaluated_at = now
            rows.append(row)
        event.status = EventStatus.EVALUATED
        event.evaluated_at = event.updated_at = now
        session.flush()
        self._restand(session, {r.participant_id for r in rows})
        record(
            session,
            actor,
            "event.evaluate",
            "event",
            event.id,
            before,
            {
                "status": event.status.value,
                "evaluated_at": json_value(now),
                "results": [snapshot(r) for r in rows],
            },
            at=now,
        )
        for row in rows:
            if row.award_id not in told:
                continue
            session.add(
                Notification(
                    event_id=event.id,
                    participant_id=row.participant_id,
                    kind=NotificationKind.RESULT,
                    payload={
                        "event_id": event.id,
                        **{name: json_value(getattr(row, name)) for name in NOTIFIED_FIELDS},
                        **{name: json_value(getattr(row, name)) for name in HISTORY_FIELDS},
                    },
                    created_at=now,
                )
            )
        return EvaluationReport(event_id=event.id, outcome="evaluated")

    def member_shares(self, session: Session, event: Event, award: Award) -> list[MemberShare]:
        """Each member account's part of ``award``'s result, the engine run again on the stored
        meter data for that award alone (its baselines do not depend on the other awards)."""
        assessment = self._assess(session, engine_event(event, [award]), Calendar())
        accounts = repository.held_accounts(session, [award.participant_id])
        return member_shares(assessment, 0, accounts[award.participant_id])

    def _assess(self, session: Session, plan: engine.Event, calendar: Calendar) -> EventAssessment:
        """The engine's assessment of ``plan`` on the stored meter data (R4–R7).

        The response days of the awarded participants come from every event not cancelled in
        which they hold an award (R4).
        """
        participant_ids = [a.participant_id for a in plan.awards]
        accounts = repository.held_accounts(session, participant_ids)
        kinds = {p.id: p.kind for p in repository.participants(session, participant_ids).values()}
        participants = {}
        for pid in participant_ids:
            if not accounts.get(pid):
                raise UnmeteredError(f"participant {pid} holds no account to meter")
            participants[pid] = engine.Participant(pid, kinds[pid], tuple(accounts[pid]))
        needed = days_needed([plan], calendar, LOOKBACK_DAYS)
        awarded = repository.awarded_events(session, participant_ids)
        plans = repository.awards_of(session, [e.id for e in awarded])
        history = response_days(engine_event(e, plans.get(e.id, [])) for e in awarded)
        if plan.mode.invited:  # the response day, and the baseline days a page at a time
            window = plan.window
            loads, _ = read_baselines(
                session, window, plan.mode, [participants[pid] for pid in participant_ids],
                baseline_candidates(window.day, calendar, LOOKBACK_DAYS), calendar, history,
                also=covering_days(
                    np.array([day_number(window.day)]), window.first_interval, window.n_intervals
                ),
            )  # fmt: skip
        else:
            loads = load_cube(
                session, sorted({a for p in participants.values() for a in p.accounts}), needed
            )
        return assess_event(
            plan, participants, loads, load_system_cube(session, needed), calendar, history
        )

    def _restand(self, session: Session, participant_ids: set[str]) -> None:
        """Recompute the history fields of every stored result of ``participant_ids``."""
        rows = repository.results_in_event_order(session, participant_ids)
        for row, result in zip(rows, with_history(_engine_result(r) for r in rows), strict=True):
            for name in HISTORY_FIELDS:
                if getattr(row, name) != getattr(result, name):
                    setattr(row, name, getattr(result, name))


evaluation_service = EvaluationService()


def _curves(assessment: EventAssessment, award: int) -> dict[str, list[float | None]]:
    """One award's curves over the window, kW, None where NaN."""

    def values(curve: FloatArray) -> list[float | None]:
        return [None if np.isnan(v) else float(v) for v in curve[award]]

    return {
        "baseline_unadjusted": values(assessment.baseline_unadjusted),
        "baseline": values(assessment.baseline),
        "actual": values(assessment.actual),
    }


def _columns(
    event: Event, result: EngineResult, curves: dict[str, list[float | None]]
) -> dict[str, Any]:
    """The ``award_results`` columns of an engine result, except the history fields."""
    values = {
        f.name: getattr(result, f.name)
        for f in dataclasses.fields(result)
        if f.name not in HISTORY_FIELDS
    }
    return {
        **values,
        "status": result.status.value,
        "baseline_days": [d.isoformat() for d in result.baseline_days],
        "start_at": event.start_at,
        "curves": curves,
    }


def _revision(
    row: AwardResult, values: Mapping[str, Any], actor: str, now: dt.datetime, cause: Cause
) -> ResultRevision | None:
    """The revision of a published result about to take ``values``, if its figures change.

    Only a result with figures (status ``ok``) is revised: one that lacked data has none to
    correct, and the data completing it is its first full evaluation.
    """
    if row.status != Status.OK or all(
        getattr(row, name) == values[name] for name in REVISED_FIELDS
    ):
        return None
    before = {name: json_value(getattr(row, name)) for name in REVISED_FIELDS}
    after = {name: json_value(values[name]) for name in REVISED_FIELDS}
    return ResultRevision(
        award_id=row.award_id,
        event_id=row.event_id,
        participant_id=row.participant_id,
        day=row.day,
        revised_at=now,
        actor=actor,
        source=cause.source,
        reason=cause.reason,
        before=before,
        after=after,
    )


def _news(row: AwardResult | None, values: Mapping[str, Any]) -> bool:
    """Whether the result about to take ``values`` tells its participant something new: it has
    figures (its meter data is in; an evaluation before the data arrives is no result to
    announce) and they differ from what the stored result, if any, said. So each participant
    hears once per result, and again only if a correction changes it."""
    if values["status"] == Status.MISSING_DATA:
        return False
    return row is None or any(getattr(row, name) != values[name] for name in NOTIFIED_FIELDS)


def _same(row: AwardResult, values: Mapping[str, Any]) -> bool:
    """True if the stored row already holds ``values``."""
    return all(getattr(row, key) == value for key, value in values.items())


def _engine_result(row: AwardResult) -> EngineResult:
    """A stored row as the engine's result, for :func:`with_history`."""
    names = {f.name for f in dataclasses.fields(EngineResult)}
    values = {name: getattr(row, name) for name in names}
    return EngineResult(
        **{
            **values,
            "status": Status(row.status),
            "baseline_days": tuple(dt.date.fromisoformat(d) for d in row.baseline_days),
        }
    )
