"""Bodies of the intake endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from gzkit.request_input import Input
from gzlongevity.models import EventKind, FeedKind, Source

MAX_ROWS = 500_000


class RegisterRow(Input):
    """One register row, as register.csv's columns (issue #12 §1)."""

    person_id: Annotated[str, Field(min_length=1, max_length=18, description="居民身份证号")]
    name: Annotated[str, Field(max_length=100)] = ""
    birth_date: dt.date
    event: EventKind
    event_date: dt.date | None = None
    known_on: dt.date | None = Field(
        None, description="The day the data reached civil affairs; default: the day received."
    )
    district: Annotated[str, Field(max_length=6)] = ""
    street: Annotated[str, Field(max_length=64)] = ""


class FeedIn(Input):
    """A feed sent by the exchange platform (JSON)."""

    source: Source
    kind: FeedKind
    name: Annotated[str, Field(min_length=1, max_length=200)]
    rows: Annotated[list[RegisterRow], Field(max_length=MAX_ROWS)]


class FeedOut(BaseModel):
    """What a feed added."""

    id: int
    source: Source
    kind: FeedKind
    name: str
    received_at: dt.datetime
    rows: int
    new_events: int
    conflicts: int
    new_persons: int = 0
