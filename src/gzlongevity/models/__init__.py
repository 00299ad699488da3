"""The ORM models, one module per table; importing this package registers them all on
:class:`gzlongevity.kit.db.Base` (Alembic's ``env.py`` relies on that)."""

from gzlongevity.models.audit_log import AuditLog
from gzlongevity.models.change_request import ChangeKind, ChangeRequest, ChangeStatus
from gzlongevity.models.check_record import CheckKind, CheckRecord
from gzlongevity.models.district_standard import DistrictStandard, RuleVersion
from gzlongevity.models.feed import Feed, FeedKind, Source
from gzlongevity.models.intake_task import IntakeTask, Origin, TaskStatus
from gzlongevity.models.notice import Notice, NoticeChannel, NoticeKind
from gzlongevity.models.officer import Officer, Role
from gzlongevity.models.officer_token import OfficerToken
from gzlongevity.models.payer import Payer
from gzlongevity.models.payment_run import PaymentRun, RunStatus
from gzlongevity.models.person import Channel, Person, RegisterStatus
from gzlongevity.models.recovery_case import CaseKind, CaseStatus, RecoveryCase
from gzlongevity.models.recovery_payment import RecoveryPayment, RecoveryWay
from gzlongevity.models.register_event import EventKind, RegisterEvent
from gzlongevity.models.run_line import LineKind, RunLine
from gzlongevity.models.run_overpayment import OverpaymentReason, RunOverpayment
from gzlongevity.models.run_signoff import RunSignoff

__all__ = [
    "AuditLog",
    "CaseKind",
    "CaseStatus",
    "ChangeKind",
    "ChangeRequest",
    "ChangeStatus",
    "Channel",
    "CheckKind",
    "CheckRecord",
    "DistrictStandard",
    "EventKind",
    "Feed",
    "FeedKind",
    "IntakeTask",
    "LineKind",
    "Notice",
    "NoticeChannel",
    "NoticeKind",
    "Officer",
    "OfficerToken",
    "Origin",
    "OverpaymentReason",
    "Payer",
    "PaymentRun",
    "Person",
    "RecoveryCase",
    "RecoveryPayment",
    "RecoveryWay",
    "RegisterEvent",
    "RegisterStatus",
    "Role",
    "RuleVersion",
    "RunLine",
    "RunOverpayment",
    "RunSignoff",
    "RunStatus",
    "Source",
    "TaskStatus",
]
