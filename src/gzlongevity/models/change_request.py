"""``change_requests``: personal data and bank account changes (第十六条); a bank account
change takes effect only when a second officer approves it."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class ChangeKind(StrEnum):
    """What changes."""

    PERSONAL = "personal"  # name, phone, address: applied at once
    BANK = "bank"  # bank and account: needs a second officer


class ChangeStatus(StrEnum):
    """Where the change stands."""

    PENDING = "pending"
    APPLIED = "applied"
    REJECTED = "rejected"


class ChangeRequest(Base):
    """One change of one person's data."""

    __tablename__ = "change_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id_number"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(enum_type(ChangeKind, "kind"))
    status: Mapped[ChangeStatus] = mapped_column(enum_type(ChangeStatus, "status"), index=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    told_on: Mapped[dt.date]  # the day the street was told (30 days to act, 第十六条)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    requested_at: Mapped[dt.datetime]
    decided_by: Mapped[str | None] = mapped_column(String(200), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(default=None)
