"""The ORM models, one module per table; importing this package registers them all on
:class:`gzvpp.kit.db.Base` (Alembic's ``env.py`` relies on that)."""

from gzvpp.models.account import Account
from gzvpp.models.aggregator_member import AggregatorMember
from gzvpp.models.api_token import ApiToken
from gzvpp.models.audit_log import AuditLog
from gzvpp.models.participant import Participant, ParticipantStatus
from gzvpp.models.platform_user import PlatformUser, Role

__all__ = [
    "Account",
    "AggregatorMember",
    "ApiToken",
    "AuditLog",
    "Participant",
    "ParticipantStatus",
    "PlatformUser",
    "Role",
]
