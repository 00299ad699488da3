"""``audit_log``: one row per state change and per full view of a person's record, append-only
(the migration installs triggers that refuse UPDATE and DELETE; 第二十一条)."""

from __future__ import annotations

from sqlalchemy import Index

from gzkit.audit import AuditLogColumns
from gzlongevity.kit.db import Base


class AuditLog(AuditLogColumns, Base):
    """Who did what to which entity, and the entity before and after (JSON)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)
