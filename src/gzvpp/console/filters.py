"""The filters and sort order of the console's participants and events lists, as query models:
the list page and its 导出 (xlsx, CSV) read the same query and search the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from sqlalchemy.orm import Session

from gzkit.pagination import PaginationParams
from gzkit.sorting import Sorting
from gzvpp.core.eligibility import UserCategory
from gzvpp.core.model import Direction, Mode, ParticipantKind
from gzvpp.events import schemas as event_schemas
from gzvpp.events.service import event_service
from gzvpp.kit.auth import Actor
from gzvpp.models import Event, EventStatus, Participant, ParticipantStatus
from gzvpp.participants import schemas as participant_schemas
from gzvpp.participants.service import participant_service

# An export reads the whole filtered list, this many rows per query.
EXPORT_BATCH = 500


def sorting(enum: Any, key: str, default: str) -> Sorting[Any]:
    """``?sort=-name`` as the services' sorting; an unknown key falls back to ``default``."""
    name = key.removeprefix("-")
    if name not in enum._value2member_map_:
        return sorting(enum, default, default)
    return [(enum(name), key.startswith("-"))]


class _Filters(BaseModel):
    """A filter form sends its "全部…" choices as empty values: those filter nothing."""

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any, info: ValidationInfo) -> Any:
        return None if value == "" and info.field_name != "sort" else value


class ParticipantFilters(_Filters):
    """参与者 list: search text, kind, status, category, substation, real-time capability."""

    sort: str = Field("-submitted_at", max_length=40)
    q: str | None = Field(None, max_length=200)
    kind: ParticipantKind | None = None
    status: ParticipantStatus | None = None
    category: UserCategory | None = None
    substation: str | None = Field(None, max_length=64)
    realtime: bool | None = None

    def search(
        self, session: Session, actor: Actor, pagination: PaginationParams
    ) -> tuple[Sequence[Participant], int]:
        """One page of the matching participants, in the chosen order."""
        return participant_service.search(
            session,
            actor,
            pagination=pagination,
            sorting=sorting(participant_schemas.SortProperty, self.sort, "-submitted_at"),
            query=self.q or None,
            kind=self.kind,
            statuses=[self.status] if self.status else (),
            category=self.category,
            substation=self.substation or None,
            realtime=self.realtime,
        )

    def form(self) -> dict[str, str]:
        """The filter form's values."""
        return {
            "q": self.q or "",
            "kind": self.kind or "",
            "status": self.status or "",
            "category": self.category or "",
            "substation": self.substation or "",
            "realtime": "" if self.realtime is None else str(self.realtime).lower(),
        }


class EventFilters(_Filters):
    """事件 list: status, mode, direction."""

    sort: str = Field("-start_at", max_length=40)
    status: EventStatus | None = None
    mode: Mode | None = None
    direction: Direction | None = None

    def search(
        self, session: Session, actor: Actor, pagination: PaginationParams
    ) -> tuple[Sequence[Event], int]:
        """One page of the matching events, in the chosen order."""
        return event_service.search(
            session,
            actor,
            pagination=pagination,
            sorting=sorting(event_schemas.SortProperty, self.sort, "-start_at"),
            statuses=[self.status] if self.status else (),
            mode=self.mode,
            direction=self.direction,
            day_from=None,
            day_to=None,
        )

    def form(self) -> dict[str, str]:
        """The filter form's values."""
        return {
            "status": self.status or "",
            "mode": self.mode or "",
            "direction": self.direction or "",
        }


def every_row(
    filters: ParticipantFilters | EventFilters, session: Session, actor: Actor
) -> list[Any]:
    """Every row the filters match, in their order (an export's rows)."""
    rows: list[Any] = []
    page = 1
    while True:
        batch, total = filters.search(session, actor, PaginationParams(page, EXPORT_BATCH))
        rows.extend(batch)
        if not batch or len(rows) >= total:
            return rows
        page += 1
