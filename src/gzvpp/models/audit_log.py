"""``audit_log``: one row per state change, append-only.

The application only ever inserts here (:mod:`gzvpp.kit.audit`); the migration adds a
trigger on PostgreSQL and SQLite that refuses UPDATE and DELETE, so history cannot be rewritten.
"""

from __future__ import annotations

from sqlalchemy import Index

from gzkit.audit import AuditLogColumns
from gzvpp.kit.db import Base


class AuditLog(AuditLogColumns, Base):
    """Who did what to which entity, and the entity before and after (JSON, ``None`` if absent)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)
