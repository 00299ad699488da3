"""The platform's audit trail (:mod:`gzkit.audit` over :class:`gzvpp.models.AuditLog`)."""

from __future__ import annotations

from gzkit.audit import AuditTrail
from gzvpp.models.audit_log import AuditLog

TRAIL = AuditTrail(AuditLog)
record = TRAIL.record
record_many = TRAIL.record_many
