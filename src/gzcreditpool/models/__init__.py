"""The pool's tables, one module each; importing this registers them all on ``Base``."""

from gzcreditpool.models.api_tokens import ApiToken
from gzcreditpool.models.audit_log import AuditLog
from gzcreditpool.models.bank_status_changes import BankStatusChange
from gzcreditpool.models.banks import Bank
from gzcreditpool.models.calls import Call
from gzcreditpool.models.claims import Claim
from gzcreditpool.models.classifications import Classification
from gzcreditpool.models.confirmations import Confirmation
from gzcreditpool.models.enterprises import Enterprise
from gzcreditpool.models.enums import (
    BankStatus,
    ClaimStatus,
    LegalKind,
    LoanStatus,
    Role,
    SanctionKind,
    TokenKind,
    WriteOffStatus,
)
from gzcreditpool.models.legal_actions import LegalAction
from gzcreditpool.models.loans import Loan
from gzcreditpool.models.policy_versions import PolicyVersion
from gzcreditpool.models.recoveries import Recovery, RefundTopUp
from gzcreditpool.models.sanctions import Sanction
from gzcreditpool.models.trustee_reports import TrusteeReport
from gzcreditpool.models.users import User
from gzcreditpool.models.write_offs import WriteOff

__all__ = [
    "ApiToken",
    "AuditLog",
    "Bank",
    "BankStatus",
    "BankStatusChange",
    "Call",
    "Claim",
    "ClaimStatus",
    "Classification",
    "Confirmation",
    "Enterprise",
    "LegalAction",
    "LegalKind",
    "Loan",
    "LoanStatus",
    "PolicyVersion",
    "Recovery",
    "RefundTopUp",
    "Role",
    "Sanction",
    "SanctionKind",
    "TokenKind",
    "TrusteeReport",
    "User",
    "WriteOff",
    "WriteOffStatus",
]
