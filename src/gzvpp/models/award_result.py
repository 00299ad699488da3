"""``award_results``: the evaluation of each award (第九条), as the rules engine computed it.

One row per award, replaced when new meter data changes the evaluation (the audit log keeps the
old row). Columns mirror :class:`gzvpp.core.results.AwardResult`; the curves (kW per interval of
the window) feed the console's charts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from gzvpp.kit.db import Base
from gzvpp.models.event import PRICE

ENERGY = Numeric(16, 3)
RATIO = Numeric(14, 6)


class AwardResult(Base):
    """Status, baseline, response, score and subsidy of one award."""

    __tablename__ = "award_results"
    __table_args__ = (Index("ix_award_results_participant_id_day", "participant_id", "day"),)

    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    day: Mapped[dt.date]
    start_at: Mapped[dt.datetime]
    mode: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    baseline_type: Mapped[str] = mapped_column(String(16))
    baseline_days: Mapped[list[str]] = mapped_column(JSON)
    adjustment_factor: Mapped[Decimal | None] = mapped_column(RATIO)
    baseline_avg_kw: Mapped[Decimal | None]
    baseline_max_kw: Mapped[Decimal | None]
    baseline_min_kw: Mapped[Decimal | None]
    actual_avg_kw: Mapped[Decimal | None]
    actual_max_kw: Mapped[Decimal | None]
    actual_min_kw: Mapped[Decimal | None]
    awarded_kw: Mapped[Decimal]
    response_kw: Mapped[Decimal | None]
    response_ratio: Mapped[Decimal | None] = mapped_column(RATIO)
    effective: Mapped[bool]
    non_execution: Mapped[bool]
    score: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    response_energy_kwh: Mapped[Decimal | None] = mapped_column(ENERGY)
    effective_energy_kwh: Mapped[Decimal | None] = mapped_column(ENERGY)
    price: Mapped[Decimal] = mapped_column(PRICE)
    coefficient: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    subsidy_cny: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    month_non_executions: Mapped[int]
    suspended: Mapped[bool]
    rank_score: Mapped[Decimal] = mapped_column(RATIO)
    # kW per interval of the window: baseline unadjusted / adjusted, actual (None where missing)
    curves: Mapped[dict[str, Any]] = mapped_column(JSON)
    evaluated_at: Mapped[dt.datetime]
