"""``openadr_clients`` and ``openadr_tokens``: OAuth2 client credentials of the OpenADR 3 VTN.

A client is a VEN tied to one participant, or a business-logic (BL) client of the grid operator.
Each is backed by a platform user, so whatever it does through the VTN is done, checked and
audited as that user (a VEN's bid goes through the events service like a bid made on the API).
Secrets and access tokens are stored only as their SHA-256; the secret also as the MQTT broker's
password hash (Mosquitto's ``$7$`` PBKDF2-SHA512), since a client logs in to the broker with its
``client_id`` and ``client_secret`` (``gzvpp openadr mqtt-acl``).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzkit.db import enum_type
from gzvpp.kit.db import Base
from gzvpp.models.platform_user import PlatformUser


class ClientRole(StrEnum):
    """A VEN (virtual end node) or the grid operator's business logic (BL)."""

    VEN = "ven"
    BL = "bl"


class OpenADRClient(Base):
    """Client credentials: ``id`` is the OAuth2 ``client_id``."""

    __tablename__ = "openadr_clients"
    __table_args__ = (
        CheckConstraint(
            "(role = 'ven') = (participant_id IS NOT NULL)", name="participant_iff_ven"
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    # None for clients provisioned before the broker had per-client logins.
    mqtt_password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[ClientRole] = mapped_column(enum_type(ClientRole, "role"))
    participant_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("platform_users.id"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[PlatformUser] = relationship(lazy="joined")


class OpenADRToken(Base):
    """An access token issued by ``/auth/token``; it carries the scopes granted."""

    __tablename__ = "openadr_tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("openadr_clients.id"), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    issued_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]

    client: Mapped[OpenADRClient] = relationship(lazy="joined")
