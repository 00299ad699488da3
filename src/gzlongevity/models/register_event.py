"""``register_events``: the register's rows as the feeds brought them, with ``known_on`` (the
day the data reached civil affairs, L5, 第十九条). Idempotent: a row's ``fingerprint`` (person,
event, date, place) is unique, so a feed sent twice adds nothing."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class EventKind(StrEnum):
    """The register's events (issue #12 §1)."""

    REGISTERED = "registered"
    MOVED = "moved"
    LEFT = "left"
    DIED = "died"


class RegisterEvent(Base):
    """One register event of one person."""

    __tablename__ = "register_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id_number"), index=True)
    event: Mapped[EventKind] = mapped_column(enum_type(EventKind, "event"))
    event_date: Mapped[dt.date | None] = mapped_column(default=None)
    known_on: Mapped[dt.date] = mapped_column(index=True)
    district: Mapped[str | None] = mapped_column(String(6), default=None)
    street: Mapped[str | None] = mapped_column(String(64), default=None)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    conflict: Mapped[bool] = mapped_column(default=False)  # a second, different death date
