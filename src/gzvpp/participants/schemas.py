"""Request and response bodies of the participants API.

kW and CNY are decimals: sent as JSON numbers or strings, returned as strings so no digit is
lost. Times are naive Guangzhou local time (Asia/Shanghai), ISO 8601 without an offset.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from gzkit.request_input import Input
from gzvpp.core.eligibility import Condition, UserCategory
from gzvpp.core.model import ParticipantKind
from gzvpp.models import ParticipantStatus

# Quantized on input (exact: the places are already limited) so a value reads back from the
# request with the same scale as from the Numeric column.
Kw = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=3),
    AfterValidator(lambda d: d.quantize(Decimal("0.001"))),
]
Cny = Annotated[
    Decimal,
    Field(ge=0, max_digits=16, decimal_places=2),
    AfterValidator(lambda d: d.quantize(Decimal("0.01"))),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
GridName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
AccountId = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[0-9A-Za-z-]+$"
    ),
    Field(description="营销户号, the electricity account number."),
]
Minutes = Annotated[int, Field(ge=1, le=7 * 24 * 60)]


class _Realtime(Input):
    realtime_capable: bool = Field(False, description="Applies for real-time response (实时响应).")
    minute_monitoring: bool = Field(
        False, description="Minute-level load monitoring feeds the platform (R1)."
    )
    realtime_capability_kw: Kw | None = Field(
        None, description="kW it can deliver in a real-time event; required when realtime_capable."
    )

    @model_validator(mode="after")
    def _realtime_needs_capability(self) -> Self:
        if self.realtime_capable and self.realtime_capability_kw is None:
            raise ValueError("realtime_capability_kw is required when realtime_capable is true")
        return self


class PowerUserCreate(_Realtime):
    """An application from a power user (电力用户, 第四条 (一))."""

    kind: Literal[ParticipantKind.USER]
    name: Name
    account_id: AccountId
    general_taxpayer: bool = Field(description="Holds 一般纳税人 status.")
    policy_compliant: bool = Field(description="Complies with industrial and environmental policy.")
    category: UserCategory
    capability_kw: Kw = Field(description="Declared response (peak-shaving) capability.")
    max_load_kw: Kw = Field(description="Highest 15-minute load of the last 12 months.")
    response_duration_min: Minutes
    substation: GridName
    feeder: GridName


class MemberCreate(Input):
    """One user an aggregator represents (代理用户)."""

    account_id: AccountId
    member_name: Name
    capability_kw: Kw
    policy_compliant: bool
    substation: GridName
    feeder: GridName


class AggregatorCreate(_Realtime):
    """An application from a load aggregator (负荷聚合商, 第四条 (二))."""

    kind: Literal[ParticipantKind.AGGREGATOR]
    name: Name
    general_taxpayer: bool
    registered_in_guangzhou: bool
    registered_capital_cny: Cny
    member_list_on_file: bool = Field(description="代理用户明细表 provided.")
    delegation_agreement_on_file: bool = Field(description="委托协议 scan provided.")
    response_duration_min: Minutes | None = None
    members: list[MemberCreate] = Field(max_length=10_000)


ParticipantCreate = Annotated[PowerUserCreate | AggregatorCreate, Field(discriminator="kind")]


class Rejection(Input):
    """Why an application is turned down."""

    multiline = frozenset({"reason"})

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Check(BaseModel):
    """One application condition of 第四条 and whether it is met."""

    code: Condition
    passed: bool
    message: str


class Account(BaseModel):
    """An account the participant holds (or held, if ``released_at`` is set).

    ``member_name`` and ``member_policy_compliant`` are set for an aggregator's members.
    """

    account_id: str
    capability_kw: Decimal
    substation: str
    feeder: str
    member_name: str | None
    member_policy_compliant: bool | None
    released_at: dt.datetime | None


class ParticipantSummary(BaseModel):
    """A participant as listed."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: ParticipantKind
    name: str
    status: ParticipantStatus
    category: UserCategory | None
    capability_kw: Decimal
    realtime_capable: bool
    minute_monitoring: bool
    submitted_at: dt.datetime
    updated_at: dt.datetime


class PublicityEntry(BaseModel):
    """A participant on the publicity (公示) list."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: ParticipantKind
    name: str
    status: ParticipantStatus
    category: UserCategory | None
    capability_kw: Decimal
    publicity_started_at: dt.datetime | None
    publicity_cleared_at: dt.datetime | None
    activated_at: dt.datetime | None


class ParticipantDetail(ParticipantSummary):
    """Everything about one participant, with its eligibility checked now."""

    general_taxpayer: bool
    response_duration_min: int | None
    realtime_capability_kw: Decimal | None
    policy_compliant: bool | None
    max_load_kw: Decimal | None
    registered_in_guangzhou: bool | None
    registered_capital_cny: Decimal | None
    member_list_on_file: bool | None
    delegation_agreement_on_file: bool | None
    rejection_reason: str | None
    review_started_at: dt.datetime | None
    publicity_started_at: dt.datetime | None
    publicity_cleared_at: dt.datetime | None
    publicity_ends_at: dt.datetime | None = Field(
        description="When the 公示 period is over and the regulator may clear it "
        "(GZVPP_PUBLICITY_WORKDAYS working days after it started)."
    )
    activated_at: dt.datetime | None
    rejected_at: dt.datetime | None
    accounts: list[Account]
    eligible: bool
    eligibility: list[Check]


class SortProperty(StrEnum):
    """What the participant list can be sorted by."""

    NAME = "name"
    SUBMITTED_AT = "submitted_at"
    CAPABILITY_KW = "capability_kw"
    STATUS = "status"
    KIND = "kind"
    PUBLICITY_STARTED_AT = "publicity_started_at"
