"""``openadr_telemetry``: minute-level load readings VENs send for an event (第五条 (二)).

One row per event, participant, resource and minute (the reading's start, naive Guangzhou local
time); a reading sent again replaces the earlier value. The real-time monitoring sums a
participant's resources per minute. Settlement does not use these: it evaluates 15-minute meter
data (``meter_days``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gzvpp.kit.db import Base


class Telemetry(Base):
    """The mean load (kW) of one resource of a participant over one minute of an event."""

    __tablename__ = "openadr_telemetry"
    __table_args__ = (
        UniqueConstraint("event_id", "participant_id", "resource", "at"),
        Index("ix_openadr_telemetry_event_id_at", "event_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    resource: Mapped[str] = mapped_column(String(128))
    at: Mapped[dt.datetime]
    kw: Mapped[Decimal]
    source: Mapped[str] = mapped_column(String(16))  # openadr3, openadr2b
    received_at: Mapped[dt.datetime]
