"""``recovery_cases``: overpayments and fraud to take back (第二十条, 第二十四条)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class CaseKind(StrEnum):
    """Why money is owed back."""

    OVERPAYMENT = "overpayment"  # 多领, found by a run
    FRAUD = "fraud"  # 虚报、冒领 …, with evidence (第二十四条)


class CaseStatus(StrEnum):
    """Where the recovery stands."""

    OPEN = "open"  # found, the family not yet told
    NOTIFIED = "notified"  # told; waiting for the return (or the claw-back)
    CLAWBACK = "clawback"  # a return instruction goes into the next bank file (第十二条)
    ORDERED = "ordered"  # 责令退回: 3 months passed unreturned
    CLOSED = "closed"  # recovered (or written off by the district, with a reason)


class RecoveryCase(Base):
    """One person's amount to recover."""

    __tablename__ = "recovery_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id_number"), index=True)
    district: Mapped[str] = mapped_column(String(6), index=True)
    street: Mapped[str] = mapped_column(String(64))
    kind: Mapped[CaseKind] = mapped_column(enum_type(CaseKind, "kind"))
    status: Mapped[CaseStatus] = mapped_column(enum_type(CaseStatus, "status"), index=True)
    amount_fen: Mapped[int]
    recovered_fen: Mapped[int] = mapped_column(default=0)
    opened_on: Mapped[dt.date]
    found_in_run: Mapped[int | None] = mapped_column(default=None)  # month number
    notified_on: Mapped[dt.date | None] = mapped_column(default=None)
    clawback_month: Mapped[int | None] = mapped_column(default=None)  # the bank file's run
    ordered_on: Mapped[dt.date | None] = mapped_column(default=None)
    closed_on: Mapped[dt.date | None] = mapped_column(default=None)
    evidence: Mapped[str | None] = mapped_column(Text, default=None)
