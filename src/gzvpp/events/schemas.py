"""Request and response bodies of the events API.

kW, CNY/kWh and MW are decimals: sent as JSON numbers or strings, returned as strings. Times are
naive Guangzhou local time (Asia/Shanghai), ISO 8601 without an offset; a time sent with an
offset is converted to Guangzhou time first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from gzkit.request_input import Input
from gzkit.timezone import to_local
from gzvpp.core.model import Direction, Mode
from gzvpp.models import EventStatus, NotificationKind, PriceMode
from gzvpp.participants.schemas import GridName, Kw

LocalTime = Annotated[dt.datetime, AfterValidator(to_local)]
PositiveKw = Annotated[Kw, Field(gt=0)]
# CNY/kWh with the 4 places of the price columns; the cap (表 2) depends on the direction, so
# the service checks it.
Price = Annotated[
    Decimal,
    Field(ge=0, max_digits=8, decimal_places=4),
    AfterValidator(lambda d: d.quantize(Decimal("0.0001"))),
]
Mw = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Scope(Input):
    """Where the event applies: both lists empty means every active participant.

    A participant is in scope when any account it holds is at one of the substations or on one
    of the feeders.
    """

    substations: list[GridName] = Field(default_factory=list, max_length=1000)
    feeders: list[GridName] = Field(default_factory=list, max_length=1000)


class EventCreate(Input):
    """A new event (grid operator). Invited events are published at once; a real-time event
    selects and dispatches its participants at once."""

    direction: Direction
    mode: Mode
    start_at: LocalTime = Field(description="Window start, on the 15-minute grid.")
    end_at: LocalTime = Field(description="Window end (exclusive); the window lasts ≥ 30 min.")
    demand_kw: PositiveKw = Field(
        description="需求量; for a real-time event the capacity called (响应容量)."
    )
    scope: Scope = Field(default_factory=Scope)
    price_mode: PriceMode
    fixed_price: Price | None = Field(
        None, description="CNY/kWh; required in fixed mode, refused in bidding mode."
    )
    forecast_max_mw: Mw | None = Field(
        None, description="The day's forecast maximum system load, for the 第七条 trigger check."
    )


class BidCreate(Input):
    """A bid (申报): kW for the whole window and, in bidding mode, a price."""

    kw: Kw
    price: Price | None = None
    participant_id: str | None = Field(
        None,
        description="Whom the grid operator bids for; a participant's own token may omit it.",
    )


class Cancellation(Input):
    """Why the event is called off."""

    multiline = frozenset({"reason"})

    reason: Reason


class TriggerCheck(BaseModel):
    """第七条 (一) 1: forecast maximum ≥ 95 % of last year's maximum system load.

    ``triggered`` is None when no system load of last year is stored.
    """

    day: dt.date
    forecast_max_mw: Decimal
    last_year: int
    last_year_max_mw: Decimal | None
    ratio: Decimal | None
    threshold: Decimal
    triggered: bool | None
    message: str


class EventSummary(BaseModel):
    """An event in a list."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    direction: Direction
    mode: Mode
    start_at: dt.datetime
    end_at: dt.datetime
    demand_kw: Decimal
    price_mode: PriceMode
    status: EventStatus
    accepted_kw: Decimal | None
    shortfall: bool


class EventDetail(EventSummary):
    """Everything about one event: window, demand, scope, price, timeline and outcome."""

    fixed_price: Decimal | None
    price_cap: Decimal
    scope: Scope
    trigger: TriggerCheck | None
    published_at: dt.datetime
    bids_close_at: dt.datetime | None
    ranking_due_at: dt.datetime | None
    notify_due_at: dt.datetime | None
    ranked_at: dt.datetime | None
    notified_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str | None
    evaluated_at: dt.datetime | None
    shortfall_kw: Decimal | None
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


class BidView(BaseModel):
    """A bid and, once bidding has closed, its place in the ranking."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: str
    participant_id: str
    kw: Decimal
    price: Decimal | None
    received_at: dt.datetime
    source: str
    place: int | None
    accepted: bool | None
    rank_score: Decimal | None
    rank_reason: str | None


class SubsidyPreview(BaseModel):
    """What a bid would earn if awarded in full and met exactly (R7); the evaluation decides."""

    kw: Decimal
    hours: Decimal
    price: Decimal = Field(description="The bid's price in bidding mode, else the event's.")
    coefficient: Decimal = Field(description="表 2: day-ahead 1, hours-ahead 1.5.")
    expected_subsidy_cny: Decimal
    max_subsidy_cny: Decimal = Field(description="At 120 % of the award, the most that is paid.")


class AwardView(BaseModel):
    """A participant's part of the plan: awarded kW, price, place and its baseline."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: str
    participant_id: str
    bid_id: int | None
    kw: Decimal
    price: Decimal | None
    place: int
    reason: str
    baseline_type: str | None
    baseline: list[float | None] | None
    created_at: dt.datetime


class NotificationView(BaseModel):
    """One message to a participant; ``payload`` is what it was told."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: str
    participant_id: str
    kind: NotificationKind
    payload: dict[str, Any]
    created_at: dt.datetime
    read_at: dt.datetime | None


class RankingEntry(BaseModel):
    """One bid (or, for a real-time event, one assignment) in ranking order."""

    place: int | None
    bid_id: int | None
    participant_id: str
    participant_name: str
    kw: Decimal
    price: Decimal | None
    received_at: dt.datetime | None
    rank_score: Decimal | None
    accepted: bool
    reason: str


class Ranking(BaseModel):
    """The ranking of one event against 100 % and 150 % of demand (第五条, 第八条 C).

    ``provisional`` is true while bids are still open: the order the bids would take if
    bidding closed now.
    """

    event_id: str
    status: EventStatus
    provisional: bool
    bidding: bool
    demand_kw: Decimal
    reserve_kw: Decimal
    offered_kw: Decimal
    accepted_kw: Decimal
    covers_demand: bool
    covers_reserve: bool
    shortfall: bool
    shortfall_kw: Decimal
    entries: list[RankingEntry]


class TickResult(BaseModel):
    """What one scheduler run did."""

    at: dt.datetime
    actions: list[str]


class SortProperty(StrEnum):
    """What the event list can be sorted by."""

    START_AT = "start_at"
    CREATED_AT = "created_at"
    STATUS = "status"
    MODE = "mode"
    DEMAND_KW = "demand_kw"
