"""``awards``: accepted bids and real-time assignments (R2) — what each participant must deliver."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gzvpp.kit.db import Base
from gzvpp.models.event import PRICE


class Award(Base):
    """One participant's part of an event's plan (执行方案).

    ``baseline`` is the unadjusted baseline (kW per 15-minute interval of the window) sent with
    the plan, computed by the rules engine from data up to D-2; ``baseline_type`` names its rule.
    ``place`` and ``reason`` record the ranking (第八条 C a–d) for the console.
    """

    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("event_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (event_id, participant_id) one leads with it.
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("bids.id"))
    kw: Mapped[Decimal]
    price: Mapped[Decimal | None] = mapped_column(PRICE)
    place: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500))
    baseline_type: Mapped[str | None] = mapped_column(String(16))
    baseline: Mapped[list[float | None] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]
    # Real-time monitoring (第五条 (二)): when minute-level data first showed the target reached.
    target_reached_at: Mapped[dt.datetime | None]
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
