"""Real-time events (第八条 (二)): select participants up to the capacity and tell them at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from gzkit.audit import json_value
from gzvpp.core.grid import Window
from gzvpp.core.invitation import (
    within_daily_limits,
)
from gzvpp.core.ranking import (
    RealtimeCandidate,
    select_realtime,
)
from gzvpp.events.baselines import NO_BASELINE, baselines_for, holding
from gzvpp.events.common import REASON_LENGTH, store_awards
from gzvpp.events.notify import event_payload, send_notifications
from gzvpp.events.repository import EventRepository
from gzvpp.models import Event, NotificationKind
from gzvpp.settlement.standing import month_counts, rank_scores

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
    scores = rank_scores(session, ids, event.start_at)
    suspended = month_counts(session, ids, now)[1]
    taken = repository.awarded_windows(window.day, realtime=True, exclude_event_id=event.id)
    decisions = select_realtime(
        (
            RealtimeCandidate(
                participant_id=p.id,
                realtime_kw=p.realtime_capability_kw or Decimal(0),
                realtime_capable=p.realtime_capable and p.minute_monitoring,
                rank_score=scores[p.id],
                # When its real-time capability was registered: the agreement's signing.
                registered_at=p.activated_at or p.submitted_at,
                suspended=suspended[i],
                at_daily_limit=not within_daily_limits(taken.get(p.id, []), window).allowed,
            )
            for i, p in enumerate(people.values())
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
    awards: list[dict[str, Any]] = []
    for place, decision in enumerate(selected, 1):
        baseline = baselines.get(decision.candidate.participant_id, NO_BASELINE)
        awards.append(
            {
                "event_id": event.id,
                "participant_id": decision.candidate.participant_id,
                "kw": decision.kw,
                "place": place,
                "reason": decision.reason[:REASON_LENGTH],
                "baseline_type": baseline.baseline_type,
                "baseline": baseline.kw,
                "created_at": now,
            }
        )
    # In bulk (a few statements however many are called): at 10,000 VENs one statement per
    # award, audit row and notification was most of the time from the POST to the last VEN.
    store_awards(session, repository, actor_label, event.id, awards, now)
    told = event_payload(event)
    target = now + REALTIME_TARGET
    send_notifications(
        session,
        event.id,
        NotificationKind.DISPATCH,
        (
            (
                award["participant_id"],
                {
                    **told,
                    "capacity_kw": json_value(event.demand_kw),
                    "assigned_kw": json_value(award["kw"]),
                    "notice_at": json_value(now),
                    "target_at": json_value(target),
                    "baseline": baselines.get(award["participant_id"], NO_BASELINE).payload(),
                },
            )
            for award in awards
        ),
        now,
    )
    accepted = sum((a["kw"] for a in awards), Decimal(0))
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
