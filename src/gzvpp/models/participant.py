"""``participants``: power users (电力用户) and load aggregators (负荷聚合商) (R1, 第四条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzkit.db import enum_type
from gzvpp.core.eligibility import UserCategory
from gzvpp.core.model import ParticipantKind
from gzvpp.kit.db import Base

if TYPE_CHECKING:
    from gzvpp.models.account import Account


class ParticipantStatus(StrEnum):
    """Where the enrolment stands (第六条): 申请 → 电网审核 → 公示 → 签约生效, or 驳回."""

    SUBMITTED = "submitted"
    GRID_REVIEW = "grid_review"
    PUBLICITY = "publicity"
    ACTIVE = "active"
    REJECTED = "rejected"


class Participant(Base):
    """One participant. Columns that apply to one kind only are NULL for the other.

    ``capability_kw`` is the user's declared response capability, or for an aggregator the sum of
    its members' at enrolment. Grid location (substation, feeder) lives on the accounts.
    """

    __tablename__ = "participants"
    __table_args__ = (
        CheckConstraint(
            "kind <> 'user' OR (category IS NOT NULL AND policy_compliant IS NOT NULL"
            " AND max_load_kw IS NOT NULL AND response_duration_min IS NOT NULL)",
            name="user_fields",
        ),
        CheckConstraint(
            "kind <> 'aggregator' OR (registered_in_guangzhou IS NOT NULL"
            " AND registered_capital_cny IS NOT NULL AND member_list_on_file IS NOT NULL"
            " AND delegation_agreement_on_file IS NOT NULL)",
            name="aggregator_fields",
        ),
        Index("ix_participants_realtime", "realtime_capable", "minute_monitoring"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[ParticipantKind] = mapped_column(enum_type(ParticipantKind, "kind"), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    general_taxpayer: Mapped[bool]
    capability_kw: Mapped[Decimal] = mapped_column(index=True)
    response_duration_min: Mapped[int | None]
    realtime_capable: Mapped[bool]
    minute_monitoring: Mapped[bool]
    realtime_capability_kw: Mapped[Decimal | None]

    # Power users only.
    policy_compliant: Mapped[bool | None]
    category: Mapped[UserCategory | None] = mapped_column(
        enum_type(UserCategory, "category"), index=True
    )
    max_load_kw: Mapped[Decimal | None]

    # Aggregators only.
    registered_in_guangzhou: Mapped[bool | None]
    registered_capital_cny: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    member_list_on_file: Mapped[bool | None]
    delegation_agreement_on_file: Mapped[bool | None]

    status: Mapped[ParticipantStatus] = mapped_column(
        enum_type(ParticipantStatus, "status"), index=True
    )
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[dt.datetime] = mapped_column(index=True)
    review_started_at: Mapped[dt.datetime | None]
    publicity_started_at: Mapped[dt.datetime | None]
    publicity_cleared_at: Mapped[dt.datetime | None]
    activated_at: Mapped[dt.datetime | None]
    rejected_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]

    accounts: Mapped[list[Account]] = relationship(
        back_populates="participant", order_by="Account.id"
    )
