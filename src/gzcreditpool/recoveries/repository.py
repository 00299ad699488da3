"""Queries of recoveries and write-offs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzcreditpool.models import Bank, Claim, ClaimStatus, Loan, Recovery, Sanction, WriteOff


def approved_claims(session: Session, loan_id: int) -> Sequence[Claim]:
    return session.scalars(
        select(Claim)
        .where(Claim.loan_id == loan_id, Claim.status == ClaimStatus.APPROVED)
        .order_by(Claim.filed_on, Claim.id)
    ).all()


def sanctioned(session: Session, loan_id: int) -> bool:
    """Whether a finding on the loan claws its compensation back (第二十五条)."""
    return (
        session.scalar(select(Sanction.id).where(Sanction.loan_id == loan_id).limit(1)) is not None
    )


def recoveries(session: Session, bank_id: int | None) -> Sequence[tuple[Recovery, str]]:
    query = select(Recovery, Bank.code).join(Loan, Loan.id == Recovery.loan_id).join(Bank)
    if bank_id is not None:
        query = query.where(Loan.bank_id == bank_id)
    return session.execute(query.order_by(Recovery.received_on, Recovery.id)).all()


def write_offs(session: Session, bank_id: int | None) -> Sequence[tuple[WriteOff, str]]:
    query = select(WriteOff, Bank.code).join(Loan, Loan.id == WriteOff.loan_id).join(Bank)
    if bank_id is not None:
        query = query.where(Loan.bank_id == bank_id)
    return session.execute(query.order_by(WriteOff.written_off_on, WriteOff.id)).all()
