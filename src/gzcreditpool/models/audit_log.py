"""``audit_log``: one row per state change or full view of secret data, append-only (the
migration installs triggers refusing UPDATE and DELETE)."""

from __future__ import annotations

from sqlalchemy import Index

from gzcreditpool.kit.db import Base
from gzkit.audit import AuditLogColumns


class AuditLog(AuditLogColumns, Base):
    """Who did what to which entity, and the entity before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)
