"""The pool's enumerations, stored as text with a CHECK (:func:`gzkit.db.enum_type`)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who uses the pool (C1): 市科技局, the trustee, a partner bank, an auditor."""

    BUREAU = "bureau"
    TRUSTEE = "trustee"
    BANK = "bank"
    AUDITOR = "auditor"


class TokenKind(StrEnum):
    API = "api"
    SESSION = "session"


class BankStatus(StrEnum):
    """A bank's way through 第二十二条 (call → application → review → publicity → partner) and
    out of it (第二十五条)."""

    APPLIED = "applied"
    REVIEWED = "reviewed"
    PUBLICITY = "publicity"
    PARTNER = "partner"
    NOT_SELECTED = "not_selected"
    REVOKED = "revoked"


class LoanStatus(StrEnum):
    """A reported loan (第二十三条 (一)(二)): reported by the bank, checked and forwarded by
    the trustee (with the rules' decision), confirmed or refused by 市科技局."""

    REPORTED = "reported"
    FORWARDED = "forwarded"
    CONFIRMED = "confirmed"
    REFUSED = "refused"


class ClaimStatus(StrEnum):
    """A claim (第二十三条 (三)): filed by the bank, reviewed (computed) by the trustee,
    approved by 市科技局 — or returned by 市科技局 with a reason, to be corrected and filed
    again."""

    FILED = "filed"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    RETURNED = "returned"


class LegalKind(StrEnum):
    """第十六条: a lawsuit, an arbitration, or enforcement of a notarised debt instrument."""

    LAWSUIT = "lawsuit"
    ARBITRATION = "arbitration"
    NOTARISED = "notarised"


class WriteOffStatus(StrEnum):
    REPORTED = "reported"
    REVIEWED = "reviewed"


class SanctionKind(StrEnum):
    """第二十五条, 第三十条: what a sanction is for."""

    DUPLICATE_FUNDING = "duplicate_funding"
    MISCLASSIFICATION = "misclassification"
    FALSE_MATERIALS = "false_materials"
