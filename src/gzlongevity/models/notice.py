"""``notices``: the outbox of SMS and letters (no gateway here; a sender reads and marks them)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class NoticeChannel(StrEnum):
    """How the notice travels."""

    SMS = "sms"
    LETTER = "letter"


class NoticeKind(StrEnum):
    """What the notice is about."""

    INTAKE = "intake"  # 第九条: please confirm
    OVERPAYMENT = "overpayment"  # 第二十条: to the family
    ORDER = "order"  # 责令退回
    CONFIRMED = "confirmed"


class Notice(Base):
    """One message waiting to be sent, or sent."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id_number"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_type(NoticeKind, "kind"))
    channel: Mapped[NoticeChannel] = mapped_column(enum_type(NoticeChannel, "channel"))
    recipient: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
