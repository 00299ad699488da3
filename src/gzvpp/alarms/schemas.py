"""What ``GET /api/alarms`` answers."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field


class AlarmKind(StrEnum):
    """The kinds of alarm, most urgent first."""

    NON_RESPONDER = "non_responder"
    BIDDING_SHORTFALL = "bidding_shortfall"
    RANKING_DUE = "ranking_due"
    PLAN_DUE = "plan_due"
    MISSING_METER_DATA = "missing_meter_data"
    SUSPENDED = "suspended"


class Alarm(BaseModel):
    """One alarm: its kind, the moment it is about (a deadline, a notice, the response day),
    the event and the participant it concerns, and what is wrong, in Chinese."""

    kind: AlarmKind
    at: dt.datetime = Field(description="The deadline, notice or response time it is about.")
    event_id: str | None
    participant_id: str | None
    participant_name: str | None
    message: str


class AlarmCounts(BaseModel):
    """How many alarms of each kind stand now (the console header's badge)."""

    total: int
    by_kind: dict[AlarmKind, int]
