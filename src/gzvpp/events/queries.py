"""Reading events, bids and awards: every role reads events; a participant sees its own bids
and awards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from gzkit.pagination import PaginationParams
from gzkit.sorting import Sorting
from gzvpp.core.model import Direction, Mode
from gzvpp.events import schemas
from gzvpp.events.common import (
    detail,
    found,
    whose,
)
from gzvpp.events.repository import EventRepository
from gzvpp.kit.auth import Actor
from gzvpp.models import (
    Award,
    Bid,
    Event,
    EventStatus,
)


def search(
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


def get(session: Session, actor: Actor, event_id: str) -> schemas.EventDetail:
    """One event."""
    return detail(found(EventRepository(session), event_id))


def list_bids(
    session: Session,
    actor: Actor,
    pagination: PaginationParams,
    *,
    event_id: str | None,
    participant_id: str | None,
) -> tuple[Sequence[Bid], int]:
    """Bids: all for the grid operator and the regulator, a participant's own for it."""
    return _scoped(session, event_id).search_bids(
        pagination, event_id=event_id, participant_id=whose(actor, participant_id)
    )


def list_awards(
    session: Session,
    actor: Actor,
    pagination: PaginationParams,
    *,
    event_id: str | None,
    participant_id: str | None,
) -> tuple[Sequence[Award], int]:
    """Awards: all for the grid operator and the regulator, a participant's own for it."""
    return _scoped(session, event_id).search_awards(
        pagination, event_id=event_id, participant_id=whose(actor, participant_id)
    )


def _scoped(session: Session, event_id: str | None) -> EventRepository:
    """The repository for a list filtered to ``event_id``; 404 if that event does not exist."""
    repository = EventRepository(session)
    if event_id is not None:
        found(repository, event_id)
    return repository
