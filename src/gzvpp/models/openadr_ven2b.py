"""``openadr2b_vens`` and ``openadr2b_messages``: the OpenADR 2.0b VENs of the installed base.

A 2.0b VEN is provisioned by the grid operator for one participant with its ``venName`` and
the fingerprint of its certificate; it registers (``oadrCreatePartyRegistration``) and signs
every message with that certificate. 2.0b is pull-based: what the VTN has to say waits in
``openadr2b_messages`` until the VEN polls (``oadrPoll``): a changed event list, or a report
request (``oadrCreateReport``). A report request keeps its ``report_request_id`` so that the
``oadrUpdateReport`` answering it is recognised (a bid, or telemetry).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gzvpp.kit.db import Base


class Ven2b(Base):
    """One provisioned 2.0b VEN; ``id`` is the venID it is given at registration."""

    __tablename__ = "openadr2b_vens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ven_name: Mapped[str] = mapped_column(String(128), unique=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("platform_users.id"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    registration_id: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[dt.datetime | None]
    # The data points of its METADATA reports: r_id → report specifier, report type, reading
    # type, unit and scale, as registered (oadrRegisterReport).
    data_points: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]


class Ven2bMessage(Base):
    """Something waiting for a 2.0b VEN's poll, or a report request sent to it."""

    __tablename__ = "openadr2b_messages"
    __table_args__ = (Index("ix_openadr2b_messages_ven_id_delivered_at", "ven_id", "delivered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ven_id: Mapped[str] = mapped_column(ForeignKey("openadr2b_vens.id"))
    kind: Mapped[str] = mapped_column(String(16))  # events, report_request
    report_request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    purpose: Mapped[str | None] = mapped_column(String(16))  # bid, telemetry
    object_id: Mapped[str | None] = mapped_column(String(128))  # the OpenADR event it is about
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]
    delivered_at: Mapped[dt.datetime | None]
