"""Request and response bodies of the meter data API.

kW and MW are JSON numbers here, not decimal strings: meter readings are measurements stored as
float64 (see models.meter_day), and the figures the rules round are in the results API.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from gzvpp.jobs.schemas import JobRef
from gzvpp.participants.schemas import AccountId
from gzvpp.settlement.schemas import EvaluationReport

MAX_READINGS = 100_000  # per JSON request; larger batches go as a file
MAX_REASON = 500  # characters of a correction's reason


class Reading(BaseModel):
    """One 15-minute reading: the average load of the interval starting at ``ts``."""

    model_config = ConfigDict(extra="forbid")

    account_id: AccountId
    ts: dt.datetime = Field(
        description="Interval start, Guangzhou local time; an offset is converted to it."
    )
    # NaN and ±Infinity are parsed here and refused by the service with a 422 naming the field:
    # pydantic's own error would echo the value, which JSON cannot carry.
    kw: float = Field(description="kW; negative is net export. A finite number.")


class ReadingsUpload(BaseModel):
    """A batch of readings, merged like an uploaded file."""

    model_config = ConfigDict(extra="forbid")

    readings: list[Reading] = Field(min_length=1, max_length=MAX_READINGS)
    reason: str | None = Field(
        default=None,
        max_length=MAX_REASON,
        description="Why, when the readings correct data an evaluated event has read (required "
        "then).",
    )


class UploadSummary(BaseModel):
    """What an upload changed, and the job evaluating the events it touched."""

    source: str = Field(description="The uploaded file's name, or ``api`` for JSON readings.")
    series: int = Field(description="Accounts in the upload (1 for the system load).")
    days: int = Field(description="Calendar days with readings in the upload.")
    values: int = Field(description="Readings received.")
    new_values: int = Field(description="Readings stored where there was none.")
    changed_values: int = Field(description="Stored readings replaced by a different value.")
    unchanged_values: int = Field(description="Readings equal to what was stored.")
    negative_values: int = Field(
        description="Readings below zero: net export (the site fed power back)."
    )
    evaluations: list[EvaluationReport] = Field(
        description="Ended events whose evaluation reads data this upload added or changed, "
        "once its job is done: at once on SQLite; on PostgreSQL the job is queued and this is "
        "empty (read GET /api/jobs/{id})."
    )
    job: JobRef | None = Field(
        description="The evaluation job the upload queued with its data (None: nothing "
        "changed, nothing to evaluate); ``queued`` on PostgreSQL, ``done`` (or ``failed``) on "
        "SQLite, where it runs before the answer."
    )


class LoadPoint(BaseModel):
    """One interval of a load series; ``kw`` is null where there is no reading."""

    ts: dt.datetime
    kw: float | None


class LoadSeries(BaseModel):
    """An account's 15-minute loads over [from, to)."""

    model_config = ConfigDict(populate_by_name=True)

    account_id: str
    start: dt.datetime = Field(serialization_alias="from")
    end: dt.datetime = Field(serialization_alias="to")
    points: list[LoadPoint]
