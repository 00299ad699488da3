"""The ORM models, one module per table; importing this package registers them all on
:class:`gzvpp.kit.db.Base` (Alembic's ``env.py`` relies on that)."""

from gzvpp.models.account import Account
from gzvpp.models.aggregator_member import AggregatorMember
from gzvpp.models.api_token import ApiToken, TokenKind
from gzvpp.models.audit_log import AuditLog
from gzvpp.models.award import Award
from gzvpp.models.award_result import AwardResult
from gzvpp.models.bid import Bid
from gzvpp.models.event import Event, EventStatus, PriceMode
from gzvpp.models.job import Job, JobKind, JobStatus
from gzvpp.models.meter_day import MeterDay, SystemLoadDay
from gzvpp.models.notification import Notification, NotificationKind
from gzvpp.models.openadr_client import ClientRole, OpenADRClient, OpenADRToken
from gzvpp.models.openadr_object import ObjectType, OpenADRObject, OpenADRTarget
from gzvpp.models.openadr_relay import RelayedNotification
from gzvpp.models.openadr_telemetry import Telemetry
from gzvpp.models.openadr_ven2b import Ven2b, Ven2bMessage
from gzvpp.models.participant import Participant, ParticipantStatus
from gzvpp.models.platform_setting import PlatformSetting
from gzvpp.models.platform_user import PlatformUser, Role
from gzvpp.models.result_revision import ResultRevision

__all__ = [
    "Account",
    "AggregatorMember",
    "ApiToken",
    "AuditLog",
    "Award",
    "AwardResult",
    "Bid",
    "ClientRole",
    "Event",
    "EventStatus",
    "Job",
    "JobKind",
    "JobStatus",
    "MeterDay",
    "Notification",
    "NotificationKind",
    "ObjectType",
    "OpenADRClient",
    "OpenADRObject",
    "OpenADRTarget",
    "OpenADRToken",
    "Participant",
    "ParticipantStatus",
    "PlatformSetting",
    "PlatformUser",
    "PriceMode",
    "RelayedNotification",
    "ResultRevision",
    "Role",
    "SystemLoadDay",
    "Telemetry",
    "TokenKind",
    "Ven2b",
    "Ven2bMessage",
]
