"""``bids``: a participant's answer to an invitation (申报, 第八条 (一) 1 ① B).

One bid per participant and event; a new bid before the deadline replaces the earlier one. When
bidding closes, the ranking (第八条 C) is stored on every bid, accepted or not, so the console
shows the ranking as it was decided even after later evaluations change the rank scores.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gzvpp.kit.db import Base
from gzvpp.models.event import PRICE


class Bid(Base):
    """kW offered for the whole window and, in bidding mode, a price in CNY/kWh."""

    __tablename__ = "bids"
    # Pages filled to 40 % on PostgreSQL (migration 0013): the ranking's new version of each bid
    # fits beside the old one, a HOT update.
    __table_args__ = (
        UniqueConstraint("event_id", "participant_id"),
        {"postgresql_with": {"fillfactor": 40}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (event_id, participant_id) one leads with it.
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    kw: Mapped[Decimal]
    price: Mapped[Decimal | None] = mapped_column(PRICE)
    received_at: Mapped[dt.datetime]
    source: Mapped[str] = mapped_column(default="api")  # api, portal, openadr3, openadr2b
    # Set when bidding closes: place (None for a bid excluded at the close), accepted, the rank
    # score (criterion c) used, and why it stands where it does.
    place: Mapped[int | None]
    accepted: Mapped[bool | None]
    rank_score: Mapped[Decimal | None] = mapped_column(Numeric(14, 6))
    rank_reason: Mapped[str | None] = mapped_column(String(500))
