"""``audit_log``: one row per state change, append-only.

The application only ever inserts here (:func:`gzvpp.kit.audit.record`); the migration adds a
trigger on PostgreSQL and SQLite that refuses UPDATE and DELETE, so history cannot be rewritten.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gzvpp.kit.db import Base


class AuditLog(Base):
    """Who did what to which entity, and the entity before and after (JSON, ``None`` if absent)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
