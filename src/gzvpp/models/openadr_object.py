"""``openadr_objects``: the OpenADR 3.1.0 objects the VTN serves, and their targets.

Programs, events, reports, subscriptions, vens and resources share one table: the VTN stores
each object's client representation (``body``, the JSON of its ``*Request`` schema) and adds the
metadata (id, times, objectType, clientID). The columns beside ``body`` are what the VTN looks
up and filters by. ``openadr_object_targets`` indexes the targets, so "events with any of these
targets" is one join.

Objects the platform manages carry ``gz_kind``: the Guangzhou programme (``program``) and the
events made from its notifications (``invitation``, ``plan``, ``dispatch``), with the platform
event, the participant, and ``gz``, the neutral instruction both OpenADR versions render.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzkit.db import enum_type
from gzvpp.kit.db import Base

OBJECT_ID = String(128)


class ObjectType(StrEnum):
    """The addressable object types (``objectTypes`` in openadr3.yaml)."""

    PROGRAM = "PROGRAM"
    EVENT = "EVENT"
    REPORT = "REPORT"
    SUBSCRIPTION = "SUBSCRIPTION"
    VEN = "VEN"
    RESOURCE = "RESOURCE"


class OpenADRObject(Base):
    """One OpenADR 3 object; times are naive Guangzhou local time."""

    __tablename__ = "openadr_objects"
    __table_args__ = (
        Index("ix_openadr_objects_object_type_name", "object_type", "name"),
        Index("ix_openadr_objects_object_type_client_id", "object_type", "client_id"),
    )

    id: Mapped[str] = mapped_column(OBJECT_ID, primary_key=True)
    object_type: Mapped[ObjectType] = mapped_column(enum_type(ObjectType, "object_type"))
    # The owner's clientID (VEN-created objects; the clientID given by BL for vens, resources).
    client_id: Mapped[str | None] = mapped_column(String(128))
    # programName, venName or resourceName: unique in their scope, and a query filter.
    name: Mapped[str | None] = mapped_column(String(128))
    program_id: Mapped[str | None] = mapped_column(OBJECT_ID, index=True)
    event_id: Mapped[str | None] = mapped_column(OBJECT_ID, index=True)
    ven_id: Mapped[str | None] = mapped_column(OBJECT_ID, index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]
    modified_at: Mapped[dt.datetime]
    # 2.0b's eventDescriptor.modificationNumber: incremented on every update.
    modification_number: Mapped[int] = mapped_column(default=0)
    gz_kind: Mapped[str | None] = mapped_column(String(16))
    gz_event_id: Mapped[str | None] = mapped_column(ForeignKey("events.id"), index=True)
    gz_participant_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id"), index=True)
    gz: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    target_rows: Mapped[list[OpenADRTarget]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )

    @property
    def targets(self) -> list[str]:
        """The object's targets, in the order they were given."""
        return [row.target for row in sorted(self.target_rows, key=lambda row: row.position)]

    @targets.setter
    def targets(self, values: list[str]) -> None:
        unique = list(dict.fromkeys(values))
        self.target_rows = [
            OpenADRTarget(target=target, position=i) for i, target in enumerate(unique)
        ]


class OpenADRTarget(Base):
    """One target of an object (``target`` in openadr3.yaml: a string of 1–128 characters)."""

    __tablename__ = "openadr_object_targets"

    object_id: Mapped[str] = mapped_column(
        ForeignKey("openadr_objects.id", ondelete="CASCADE"), primary_key=True
    )
    target: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    position: Mapped[int]
