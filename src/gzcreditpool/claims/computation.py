"""The trustee's computation of claims with the rules engine (第十七条; C5, C6), kept in step
with the book: :func:`recompute` decides the filed claims and decides again every claim
computed and not yet approved whenever a return, a correction or a confirmation of loans may
have changed what it takes. Apart from :mod:`gzcreditpool.claims.service` so that the loans'
confirmation can call it too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from gzcreditpool import ledger
from gzcreditpool.claims import repository
from gzcreditpool.kit.audit import record_many
from gzcreditpool.models import Claim, ClaimStatus, LoanStatus
from gzkit.audit import snapshot


def recompute(session: Session, label: str, waiting: list[Claim], at: dt.datetime) -> None:
    """Compute the ``waiting`` filed claims, and every claim computed but not yet approved
    again, with the rules engine (:func:`gzcreditpool.ledger.claim_results`); a claim
    approved keeps its amount and draws on the caps first, a claim returned and not filed
    again draws on none, a filed one takes its place by its filing day (第十七条, 第二十三条
    (三)). The waiting ones are audited as ``claim.review``, a computed claim whose decision
    or amount changes as ``claim.recompute``.

    Cheap enough to run whenever the claims change: one pass over the loans for the banks'
    caps and one over the claims (``docs/creditpool.md``, 退回补正后重新核算). Run after a
    return, a correction and a confirmation of loans (which moves the banks' caps), so that
    市科技局 never approves a stale amount.
    """
    claims = repository.every_claim(session)
    approved = [
        ledger.PaidClaim(c.id, c.loan_id, c.filed_on, c.npl_balance, c.amount)
        for c in claims
        if c.status is ClaimStatus.APPROVED and c.amount is not None and c.amount > 0
    ]
    pending = [c for c in claims if c.status in (ClaimStatus.FILED, ClaimStatus.REVIEWED)]
    if not pending:
        return
    results = ledger.claim_results(book(session), [_row(c) for c in pending], approved)
    reviewed: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    changed: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for claim in pending:
        result = results[claim.id]
        found = (result.decision, result.reason, result.amount)
        computed = claim.status is ClaimStatus.REVIEWED
        if claim not in waiting and not (
            computed and (claim.decision, claim.reason, claim.amount) != found
        ):
            continue
        before = snapshot(claim)
        claim.decision, claim.reason, claim.amount = found
        claim.status, claim.reviewed_at = ClaimStatus.REVIEWED, at
        (changed if computed else reviewed).append((str(claim.id), before, snapshot(claim)))
    record_many(session, label, "claim.review", "claim", reviewed, at=at)
    record_many(session, label, "claim.recompute", "claim", changed, at=at)


def book(session: Session) -> list[ledger.BookLoan]:
    """Every loan as the claims' caps see it (C6: confirmed lending by bank and year); a loan
    carried in under an earlier policy counts as not registered here (第三十一条, C10)."""
    return [
        ledger.BookLoan(
            loan_id, bank_id, disbursed_on, amount, status is LoanStatus.CONFIRMED and not earlier
        )
        for loan_id, bank_id, disbursed_on, amount, status, earlier in repository.book_loans(
            session
        )
    ]


def _row(claim: Claim) -> ledger.ClaimRow:
    return ledger.ClaimRow(
        id=claim.id,
        loan_id=claim.loan_id,
        filed_on=claim.filed_on,
        classification=claim.classification,
        legal_effective_on=claim.legal_effective_on,
        npl_balance=claim.npl_balance,
    )
