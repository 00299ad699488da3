"""``persons``: everyone the register feeds have named, with what the system knows of them.

The register's history is in ``register_events``; the place, status and death date here are
the latest picture, kept for jurisdiction and work lists. Personal and bank data are
confidential (第二十一条): shown masked except to the officer acting on the case. Routes,
links and answers name a person by ``ref``, an opaque random reference that carries no
personal data, never by the ID number (URLs end up in access logs and browser history).
"""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class RegisterStatus(StrEnum):
    """Where the person stands in the city register, by the latest data."""

    REGISTERED = "registered"
    LEFT = "left"
    DIED = "died"


class Channel(StrEnum):
    """How a confirmation was made (第九条: the app, the committee, the street)."""

    APP = "app"
    COMMITTEE = "committee"
    STREET = "street"


REF_BYTES = 8  # 16 hex digits: unguessable, and never 18 characters like an ID number


def new_ref() -> str:
    """A fresh person reference: random, so it reveals neither the person nor the register's
    order or size (a sequential number would)."""
    return secrets.token_hex(REF_BYTES)


class Person(Base):
    """One person of the register."""

    __tablename__ = "persons"
    __table_args__ = (
        Index("ix_persons_district_street", "district", "street"),
        Index("ux_persons_ref", "ref", unique=True),
        # The cadres' IDs (第二十五条) without reading every person: see migration 0004.
        Index("ix_persons_military", "military"),
    )

    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    ref: Mapped[str] = mapped_column(String(2 * REF_BYTES), default=new_ref)
    name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[dt.date]
    district: Mapped[str] = mapped_column(String(6))
    street: Mapped[str] = mapped_column(String(64))
    status: Mapped[RegisterStatus] = mapped_column(enum_type(RegisterStatus, "status"))
    death_date: Mapped[dt.date | None] = mapped_column(default=None)
    # Two sources gave different death dates: the earliest counts (L7), a person checks.
    death_conflict: Mapped[bool] = mapped_column(default=False)
    military: Mapped[bool] = mapped_column(default=False)  # 第二十五条: paid by its own payer
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    address: Mapped[str | None] = mapped_column(String(200), default=None)
    bank_name: Mapped[str | None] = mapped_column(String(100), default=None)
    bank_account: Mapped[str | None] = mapped_column(String(34), default=None)
    confirmed_on: Mapped[dt.date | None] = mapped_column(default=None)
    confirm_channel: Mapped[Channel | None] = mapped_column(
        enum_type(Channel, "confirm_channel"), default=None
    )
    confirm_evidence: Mapped[str | None] = mapped_column(Text, default=None)
    agreement_signed_on: Mapped[dt.date | None] = mapped_column(default=None)  # 第十二条
    # A move within the city: the old place keeps the case until this month number (the month
    # after the move became known), then the new one takes it (第十七条, L6).
    previous_district: Mapped[str | None] = mapped_column(String(6), default=None)
    previous_street: Mapped[str | None] = mapped_column(String(64), default=None)
    handover_month: Mapped[int | None] = mapped_column(default=None)
    # A failed check (第十九条) stops payment from this month number on.
    suspended_from: Mapped[int | None] = mapped_column(default=None)

    def holder(self, month: int) -> tuple[str, str]:
        """The district and street holding the case in ``month`` (a month number): after a
        move, the old place's until ``handover_month``, the new place's from then (第十七条,
        L6)."""
        if self.handover_month is None or self.handover_month <= month:
            return self.district, self.street
        return self.previous_district or self.district, self.previous_street or self.street
