"""``events``: demand-response events (第五条, 第七条, 第八条) and where each stands (R2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzvpp.core.model import Direction, Mode
from gzvpp.kit.db import Base

PRICE = Numeric(8, 4)


class PriceMode(StrEnum):
    """固定价格补贴 (fixed price, 市场培育期) or 竞价 (bidding under the cap of 表 2)."""

    FIXED = "fixed"
    BIDDING = "bidding"


class EventStatus(StrEnum):
    """The life of an event.

    Invitations: published (bids open) → ranked (bids closed, plan chosen) → notified (plan
    sent) → evaluated; real-time: dispatched → evaluated; any of them may end cancelled.
    """

    PUBLISHED = "published"
    RANKED = "ranked"
    NOTIFIED = "notified"
    DISPATCHED = "dispatched"
    EVALUATED = "evaluated"
    CANCELLED = "cancelled"


class Event(Base):
    """One event: direction, mode, window [start_at, end_at), demand, scope and price mode.

    Times are naive Guangzhou local time. ``scope_substations`` / ``scope_feeders`` empty means
    every active participant is in scope.
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_status_start_at", "status", "start_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    direction: Mapped[Direction] = mapped_column(enum_type(Direction, "direction"))
    mode: Mapped[Mode] = mapped_column(enum_type(Mode, "mode"))
    start_at: Mapped[dt.datetime] = mapped_column(index=True)
    end_at: Mapped[dt.datetime]
    demand_kw: Mapped[Decimal]
    price_mode: Mapped[PriceMode] = mapped_column(enum_type(PriceMode, "price_mode"))
    fixed_price: Mapped[Decimal | None] = mapped_column(PRICE)
    price_cap: Mapped[Decimal] = mapped_column(PRICE)
    scope_substations: Mapped[list[str]] = mapped_column(JSON)
    scope_feeders: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[EventStatus] = mapped_column(enum_type(EventStatus, "status"))
    # The 第七条 trigger check shown when the event was created (forecast, last year's max …).
    trigger: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    published_at: Mapped[dt.datetime]
    bids_close_at: Mapped[dt.datetime | None]
    ranking_due_at: Mapped[dt.datetime | None]
    notify_due_at: Mapped[dt.datetime | None]
    ranked_at: Mapped[dt.datetime | None]
    notified_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    evaluated_at: Mapped[dt.datetime | None]
    accepted_kw: Mapped[Decimal | None]
    shortfall: Mapped[bool] = mapped_column(default=False)  # 衔接有序用电方案
    shortfall_kw: Mapped[Decimal | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
