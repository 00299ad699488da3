"""What every step of the event workflow shares: the audit names, the column steps, the
event lookup and window, and the bid check with the stored facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from gzkit.audit import snapshots_of
from gzkit.db import insert_rows
from gzkit.errors import Invalid, NotFound
from gzvpp.core.grid import Window, WindowError, is_on_grid
from gzvpp.core.invitation import (
    LimitCheck,
    check_bid,
    within_daily_limits,
)
from gzvpp.events import schemas
from gzvpp.events.repository import Bidder, EventRepository
from gzvpp.kit.audit import record_many
from gzvpp.kit.auth import Actor
from gzvpp.kit.db import Base
from gzvpp.models import (
    Award,
    Event,
    Participant,
    PriceMode,
    Role,
)

ENTITY = "event"
#: Who the audit log names for the work the clock triggers.
SCHEDULER = "scheduler"
RANK_SCORE_STEP = Decimal("0.000001")  # the rank_score column's 6 places
REASON_LENGTH = 500  # the reason columns' width
SCOPED_ROLES = (Role.AGGREGATOR, Role.POWER_USER)


def window_of(start: dt.datetime, end: dt.datetime) -> Window:
    """The event window; 422 naming the end of the window that breaks the rule."""
    try:
        return Window.from_times(start, end)
    except WindowError as err:
        field = "start_at" if not is_on_grid(start) else "end_at"
        raise Invalid(str(err), ("body", field)) from err


def check_bid_against(
    event: Event,
    window: Window,
    participant: Participant | Bidder,
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
        daily_limit=_daily_limit(tuple(taken.get(participant.id, ())), window),
    )


@lru_cache(maxsize=1024)
def _daily_limit(taken: tuple[Window, ...], window: Window) -> LimitCheck:
    """:func:`within_daily_limits`, once per distinct windows taken: at the ranking's close
    most of thousands of bidders have taken none, and the check is the same for them all."""
    return within_daily_limits(taken, window)


def table_of(model: type[Base]) -> Table:
    """The table of ``model``, for Core bulk statements: many rows in one executemany, without
    the ORM's bookkeeping per row."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def store_awards(
    session: Session,
    repository: EventRepository,
    actor_label: str,
    event_id: str,
    awards: Sequence[dict[str, Any]],
    now: dt.datetime,
) -> None:
    """Insert an event's new awards (columns by name) and their ``award.create`` audit rows.

    Three statements however many awards: one INSERT (executemany), one SELECT of the ids
    (SQLite cannot return the ids of a multi-row INSERT in order) and one INSERT of the audit
    rows, whose ``after`` is what :func:`gzkit.audit.snapshot` of each award would give.
    """
    if not awards:
        return
    insert_rows(session, table_of(Award), awards)
    ids = repository.award_ids(event_id)
    created = snapshots_of(Award, ({"id": ids[a["participant_id"]], **a} for a in awards))
    record_many(
        session,
        actor_label,
        "award.create",
        "award",
        ((str(a["id"]), None, a) for a in created),
        at=now,
    )


def whose(actor: Actor, participant_id: str | None) -> str | None:
    """The participant a list is filtered to: a scoped actor's own, else the one asked for."""
    if participant_id is not None:
        actor.require_participant(participant_id)
    return actor.participant_id if actor.role.participant_scoped else participant_id


def found(repository: EventRepository, event_id: str, *, for_update: bool = False) -> Event:
    event = repository.get(event_id, for_update=for_update)
    if event is None:
        raise NotFound(f"event {event_id} not found")
    return event


def detail(event: Event) -> schemas.EventDetail:
    columns = {k: getattr(event, k) for k in schemas.EventDetail.model_fields if k != "scope"}
    scope = {"substations": event.scope_substations, "feeders": event.scope_feeders}
    return schemas.EventDetail.model_validate({**columns, "scope": scope})
