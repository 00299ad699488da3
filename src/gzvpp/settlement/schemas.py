"""Response bodies of the results and settlement APIs.

kW, kWh, ratios and CNY are decimals returned as strings with the scale of their column (kW and
kWh 3 places, ratios 6, CNY 2), exactly as the rules engine rounded them. Curves are JSON
numbers (null where a value is missing): they are for charts, not for settling.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gzvpp.core.model import ParticipantKind

QUARTER_PATTERN = r"^\d{4}Q[1-4]$"


class EvaluationReport(BaseModel):
    """What an evaluation of one event did.

    ``evaluated``: results written (the first time, or they changed); ``unchanged``:
    re-evaluated with the same figures, nothing written; ``failed``: the engine refused the
    event's inputs (``detail`` says why) and its stored results, if any, stand.
    """

    event_id: str
    outcome: Literal["evaluated", "unchanged", "failed"]
    detail: str | None = None


class AwardResultView(BaseModel):
    """The evaluation of one award (第九条): baseline, response, score and subsidy.

    Figures the engine could not compute (status other than ``ok``) are null.
    ``month_non_executions``, ``suspended`` and ``rank_score`` are the participant's standing
    after this event, over its results in event order.
    """

    model_config = ConfigDict(from_attributes=True)

    award_id: int
    event_id: str
    participant_id: str
    participant_name: str
    day: dt.date
    start_at: dt.datetime
    mode: str
    direction: str
    status: str
    baseline_type: str
    baseline_days: list[dt.date]
    adjustment_factor: Decimal | None
    baseline_avg_kw: Decimal | None
    baseline_max_kw: Decimal | None
    baseline_min_kw: Decimal | None
    actual_avg_kw: Decimal | None
    actual_max_kw: Decimal | None
    actual_min_kw: Decimal | None
    awarded_kw: Decimal
    response_kw: Decimal | None
    response_ratio: Decimal | None
    effective: bool
    non_execution: bool
    score: Decimal | None
    response_energy_kwh: Decimal | None
    effective_energy_kwh: Decimal | None
    price: Decimal
    coefficient: Decimal
    subsidy_cny: Decimal
    month_non_executions: int
    suspended: bool
    rank_score: Decimal
    evaluated_at: dt.datetime


class ResultRevisionView(BaseModel):
    """A change to a result after it was published (第九条 (四)): new or corrected meter data
    re-evaluated it. ``before`` and ``after`` hold the figures that changed and those beside
    them (kW, kWh and CNY as decimal strings)."""

    model_config = ConfigDict(from_attributes=True)

    event_id: str
    participant_id: str
    award_id: int
    day: dt.date
    revised_at: dt.datetime
    actor: str = Field(description="Who sent the data (or asked for the re-evaluation).")
    source: str = Field(description="The upload (``meter_data.upload <file>``) or ``evaluate``.")
    reason: str | None = Field(description="Why, as given with a correction.")
    before: dict[str, Any]
    after: dict[str, Any]


class MemberShareView(BaseModel):
    """One member user's part of an aggregator's result (R4: the aggregator's load is the sum
    of its members'), window averages in kW."""

    account_id: str
    member_name: str
    baseline_avg_kw: Decimal
    actual_avg_kw: Decimal
    response_kw: Decimal


class AwardResultDetail(AwardResultView):
    """One result with its curves, for the console's chart.

    The window curves have one value per interval of the window (``intervals`` gives their
    starts); ``day_load_kw`` is the participant's metered load (the sum of its accounts) over the
    whole response day, 96 values from midnight, null where any account has no reading.
    """

    intervals: list[dt.datetime]
    baseline_unadjusted_kw: list[float | None]
    baseline_kw: list[float | None]
    actual_kw: list[float | None]
    day_load_kw: list[float | None]
    history: list[ResultRevisionView] = Field(
        description="Its revisions since it was published, oldest first."
    )
    members: list[MemberShareView] = Field(
        default_factory=list,
        description="An aggregator's result by member account (empty for a power user, or "
        "when the result has no figures).",
    )


class QuarterParticipant(BaseModel):
    """One participant's quarter (第九条 (四)): its evaluated awards summed."""

    participant_id: str
    name: str
    kind: ParticipantKind
    events: int = Field(description="Evaluated events it held an award in.")
    effective_responses: int
    response_energy_kwh: Decimal = Field(description="Sum over awards evaluated ok.")
    effective_energy_kwh: Decimal
    subsidy_cny: Decimal
    non_executions: int
    suspended_months: list[str] = Field(
        description="Months (YYYY-MM) in which it reached 3 non-executions (R6)."
    )


class QuarterTotals(BaseModel):
    """The quarter's sums; each equals the sum of the per-award results, to the fen."""

    participants: int
    events: int
    awards: int
    effective_responses: int
    response_energy_kwh: Decimal
    effective_energy_kwh: Decimal
    subsidy_cny: Decimal
    non_executions: int


class QuarterReport(BaseModel):
    """Settlement of one quarter: every participant with an evaluated award, and the totals."""

    quarter: str
    first_day: dt.date
    last_day: dt.date
    participants: list[QuarterParticipant]
    totals: QuarterTotals


class PublicityEntry(BaseModel):
    """One line of the quarter's publicity list (第十条)."""

    participant_id: str
    name: str
    kind: ParticipantKind
    effective_responses: int
    effective_energy_kwh: Decimal
    subsidy_cny: Decimal
    corrections: int = Field(
        description="Revisions of its results of the quarter after they were published; "
        "non-zero flags the line as reopened."
    )


class QuarterPublicity(BaseModel):
    """The list the regulator reviews and publishes for a quarter, with every revision of a
    published result of the quarter (who, why, before and after)."""

    quarter: str
    entries: list[PublicityEntry]
    effective_energy_kwh: Decimal
    subsidy_cny: Decimal
    corrections: list[ResultRevisionView]
