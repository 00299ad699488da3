"""Real-time events (第八条 (二)): select participants up to the capacity and tell them at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from gzkit.audit import json_value, snapshot
from gzvpp.core.grid import Window
from gzvpp.core.invitation import (
    within_daily_limits,
)
from gzvpp.core.ranking import (
    RealtimeCandidate,
    select_realtime,
)
from gzvpp.events.baselines import NO_BASELINE, baselines_for, holding
from gzvpp.events.common import (
    REASON_LENGTH,
)
from gzvpp.events.notify import event_payload
from gzvpp.events.repository import EventRepository
from gzvpp.kit.audit import record
from gzvpp.models import (
    Award,
    Event,
    Notification,
    NotificationKind,
)
from gzvpp.settlement.standing import standings

#: 第八条 (二): a real-time participant reaches its target within 5 minutes of the notice.
REALTIME_TARGET = dt.timedelta(minutes=5)


def dispatch(
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
    baselines = baselines_for(
        session,
        repository,
        event,
        window,
        [holding(people[d.candidate.participant_id]) for d in selected],
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
                    **event_payload(event),
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
