"""The system's audit trail (:mod:`gzkit.audit` over :class:`gzlongevity.models.AuditLog`)."""

from __future__ import annotations

from gzkit.audit import AuditTrail
from gzlongevity.models.audit_log import AuditLog

TRAIL = AuditTrail(AuditLog)
record = TRAIL.record
record_many = TRAIL.record_many
