"""``notifications``: what the platform told each participant, and when (第八条)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzvpp.kit.db import Base


class NotificationKind(StrEnum):
    """邀约 invitation, 执行方案 plan, 取消 cancellation, 实时调度 dispatch, 结果 result."""

    INVITATION = "invitation"
    PLAN = "plan"
    CANCELLATION = "cancellation"
    DISPATCH = "dispatch"
    RESULT = "result"


class Notification(Base):
    """One message to one participant about one event; ``payload`` is what it was told."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_participant_id_created_at", "participant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id"), index=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    kind: Mapped[NotificationKind] = mapped_column(enum_type(NotificationKind, "kind"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]
    read_at: Mapped[dt.datetime | None]
