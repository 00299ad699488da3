"""``result_revisions``: each change to a result after it was published to its participant.

A result is published when it is stored and the participant notified (第九条 (四)). When new or
corrected meter data later changes the figures of a result evaluated on complete data (status
``ok``), the figures before and after, who sent the data, why and when are kept here, and the
quarter's publicity list flags it. A result that lacked data has no figures to correct; the data
that completes it gives its first full evaluation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gzvpp.kit.db import Base


class ResultRevision(Base):
    """One revision of one award's published result."""

    __tablename__ = "result_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"))
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    day: Mapped[dt.date] = mapped_column(index=True)
    revised_at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str | None] = mapped_column(String(500))
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
