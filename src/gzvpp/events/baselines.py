"""The baselines told in invitations, plans and dispatches (R4, 告知其基线负荷): gathered
from stored meter data and award history, computed by :mod:`gzvpp.core.baseline`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from gzkit.calendar import Calendar, CalendarError
from gzvpp.core.assessment import participant_baselines, response_days
from gzvpp.core.baseline import (
    REALTIME_BASELINE_INTERVALS,
    baseline_candidates,
)
from gzvpp.core.grid import Window
from gzvpp.core.model import Award as CoreAward
from gzvpp.core.model import Direction, Mode
from gzvpp.core.model import Event as CoreEvent
from gzvpp.core.model import Participant as CoreParticipant
from gzvpp.core.rounding import round_half_up
from gzvpp.core.timeseries import FloatArray, IntArray, date_of, day_number
from gzvpp.events.repository import EventRepository
from gzvpp.meterdata.baselines import covering_days, read_baselines
from gzvpp.meterdata.repository import load_cube, load_uploads_since
from gzvpp.models import (
    Event,
    EventStatus,
    Participant,
)


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


def realtime_baseline_days(window: Window) -> IntArray:
    """The days whose meter data a real-time baseline over ``window`` reads (R4: the two
    intervals before the window, on the day before for a window starting at 00:00 or 00:15)."""
    return covering_days(
        np.array([day_number(window.day)]),
        window.first_interval - REALTIME_BASELINE_INTERVALS,
        REALTIME_BASELINE_INTERVALS,
    )


def holding(participant: Participant) -> CoreParticipant:
    """A stored participant with the accounts it holds now (released ones left out)."""
    return CoreParticipant(
        participant.id,
        participant.kind,
        tuple(a.account_id for a in participant.accounts if a.released_at is None),
    )


def baselines_for(
    session: Session,
    repository: EventRepository,
    event: Event,
    window: Window,
    participants: Sequence[CoreParticipant],
) -> dict[str, Baseline]:
    """Each participant's unadjusted baseline over the window (R4, 告知其基线负荷).

    From stored meter data of the baseline days (D-2 and earlier; for a real-time event the
    two intervals before the window) of the accounts each holds (:func:`holding`). A
    participant without the data gets an unavailable baseline; a date outside the working
    calendar makes every baseline unavailable, with the reason, rather than failing the
    notification.
    """
    parts = [p for p in participants if p.accounts]
    if not parts:
        return {}
    calendar = Calendar()
    try:
        if event.mode is Mode.REALTIME:
            days = realtime_baseline_days(window)
            loads = load_cube(session, [a for p in parts for a in p.accounts], days)
            result = participant_baselines(window, event.mode, parts, loads, calendar, {})
        else:
            candidates = baseline_candidates(window.day, calendar)
            since = date_of(int(candidates.days.min())) if len(candidates.days) else window.day
            history = _response_days(repository, [p.id for p in parts], since)
            _, result = read_baselines(
                session, window, event.mode, parts, candidates, calendar, history
            )
    except CalendarError as err:
        return {p.id: Baseline(None, None, str(err)) for p in parts}
    totals = round_half_up(result.members.total(result.member_curves), 3)
    return {
        p.id: Baseline(result.baseline_type, _kw_list(row))
        for p, row in zip(parts, totals, strict=True)
    }


def current_baselines(
    session: Session,
    repository: EventRepository,
    event: Event,
    window: Window,
    participants: Sequence[CoreParticipant],
) -> dict[str, Baseline]:
    """:func:`baselines_for` an invitation's participants as of now, taking each one's from
    its invitation (R4) where nothing it was computed from has changed since publication.

    A participant's baseline depends only on its own accounts, their meter data on the
    candidate days and its response days among them, and the same calendar. The invitation's
    is taken when no upload since publication wrote loads of a day the baselines read (any
    account's: the audit log names each upload's days), the participant has taken or
    released no account since, and no award of it in an event starting from the day before
    the first candidate to the response day was made, nor its event changed, since. Every
    other participant's is computed again, so the result is what :func:`baselines_for`
    would give all of them, without reading their meter data again.
    """
    published = event.published_at
    if published is None or event.mode is Mode.REALTIME:
        return baselines_for(session, repository, event, window, participants)
    try:
        candidates = baseline_candidates(window.day, Calendar())
    except CalendarError:
        return baselines_for(session, repository, event, window, participants)
    read = covering_days(candidates.days, window.first_interval, window.n_intervals)
    for first, last in load_uploads_since(session, published):
        if ((read >= day_number(first)) & (read <= day_number(last))).any():
            return baselines_for(session, repository, event, window, participants)
    since = date_of(int(candidates.days.min())) if len(candidates.days) else window.day
    changed = repository.holdings_changed_since(published) | repository.awards_changed_since(
        published, since - dt.timedelta(days=1), window.day - dt.timedelta(days=1)
    )
    told = repository.invitation_baselines(event.id)
    kept = {
        p.id: Baseline(told[p.id]["type"], told[p.id]["kw"])
        for p in participants
        if p.id in told and p.id not in changed
    }
    again = [p for p in participants if p.id not in kept]
    return {**kept, **baselines_for(session, repository, event, window, again)}


def _response_days(
    repository: EventRepository, participant_ids: list[str], since: dt.date
) -> dict[str, IntArray]:
    """The participants' response days since ``since`` (R4), from their stored awards."""
    events: dict[str, tuple[Direction, Mode, dt.datetime, dt.datetime, bool]] = {}
    awards: defaultdict[str, list[CoreAward]] = defaultdict(list)
    # From the day before: a window from that evening past midnight makes ``since`` a response
    # day too (every date a window touches is one).
    for event_id, status, direction, mode, start, end, pid, kw in repository.award_history(
        participant_ids, since - dt.timedelta(days=1)
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
