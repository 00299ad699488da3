"""``intake_tasks``: the street's task to notify a person about to turn 70 (第八条, 第九条), or
an application by someone the data missed (第十条); 3 months to notify, then escalated."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class Origin(StrEnum):
    """Why the task exists."""

    DATA = "data"  # found by data sharing, 3 months before the 70th birthday
    APPLICATION = "application"  # applied through a channel of 第十条


class TaskStatus(StrEnum):
    """Where the task stands."""

    OPEN = "open"  # to notify
    NOTIFIED = "notified"  # notice sent, waiting for the confirmation
    CONFIRMED = "confirmed"  # personal data and bank account confirmed
    CLOSED = "closed"  # no longer needed (died, left)


class IntakeTask(Base):
    """One person's intake at one street."""

    __tablename__ = "intake_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id_number"), index=True)
    origin: Mapped[Origin] = mapped_column(enum_type(Origin, "origin"))
    district: Mapped[str] = mapped_column(String(6), index=True)
    street: Mapped[str] = mapped_column(String(64))
    status: Mapped[TaskStatus] = mapped_column(enum_type(TaskStatus, "status"), index=True)
    created_on: Mapped[dt.date]
    notify_by: Mapped[dt.date]
    notified_on: Mapped[dt.date | None] = mapped_column(default=None)
    escalated_on: Mapped[dt.date | None] = mapped_column(default=None)
    closed_on: Mapped[dt.date | None] = mapped_column(default=None)
    # The one-time code the notice carries (only its hash), for the elder's own confirmation.
    code_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    failed_attempts: Mapped[int] = mapped_column(default=0)
