"""The pool's audit trail (:mod:`gzkit.audit` over :class:`gzcreditpool.models.AuditLog`)."""

from __future__ import annotations

from gzcreditpool.models.audit_log import AuditLog
from gzkit.audit import AuditTrail

TRAIL = AuditTrail(AuditLog)
record = TRAIL.record
record_many = TRAIL.record_many
