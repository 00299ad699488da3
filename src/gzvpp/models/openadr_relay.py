"""``openadr_relayed``: which platform notifications the OpenADR relay has already turned into
OpenADR objects, so each is relayed exactly once even with several relays running."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from gzvpp.kit.db import Base


class RelayedNotification(Base):
    """One notification, relayed at ``relayed_at`` (platform clock)."""

    __tablename__ = "openadr_relayed"

    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), primary_key=True)
    relayed_at: Mapped[dt.datetime]
