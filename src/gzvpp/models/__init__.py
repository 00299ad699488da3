"""The ORM models, one module per table; importing this package registers them all on
:class:`gzvpp.kit.db.Base` (Alembic's ``env.py`` relies on that)."""

from gzvpp.models.account import Account
from gzvpp.models.aggregator_member import AggregatorMember
from gzvpp.models.api_token import ApiToken
from gzvpp.models.audit_log import AuditLog
from gzvpp.models.award import Award
from gzvpp.models.award_result import AwardResult
from gzvpp.models.bid import Bid
from gzvpp.models.event import Event, EventStatus, PriceMode
from gzvpp.models.meter_day import MeterDay, SystemLoadDay
from gzvpp.models.notification import Notification, NotificationKind
from gzvpp.models.participant import Participant, ParticipantStatus
from gzvpp.models.platform_user import PlatformUser, Role

__all__ = [
    "Account",
    "AggregatorMember",
    "ApiToken",
    "AuditLog",
    "Award",
    "AwardResult",
    "Bid",
    "Event",
    "EventStatus",
    "MeterDay",
    "Notification",
    "NotificationKind",
    "Participant",
    "ParticipantStatus",
    "PlatformUser",
    "PriceMode",
    "Role",
    "SystemLoadDay",
]
