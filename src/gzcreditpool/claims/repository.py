"""Queries of post-loan tracking and claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session, joinedload

from gzcreditpool.models import (
    Bank,
    Claim,
    ClaimStatus,
    Classification,
    LegalAction,
    Loan,
    LoanStatus,
    PolicyVersion,
)


def classifications(session: Session, loan_id: int) -> Sequence[Classification]:
    return session.scalars(
        select(Classification)
        .where(Classification.loan_id == loan_id)
        .order_by(Classification.as_of, Classification.id)
    ).all()


def legal_actions(session: Session, loan_id: int) -> Sequence[LegalAction]:
    return session.scalars(
        select(LegalAction)
        .where(LegalAction.loan_id == loan_id)
        .order_by(LegalAction.effective_on, LegalAction.id)
    ).all()


def claims(
    *,
    bank_id: int | None = None,
    loan_id: int | None = None,
    status: ClaimStatus | None = None,
    enterprise_id: int | None = None,
) -> Select[Claim]:
    """Claims with their loan and its bank, in order of filing."""
    query = select(Claim).join(Loan, Loan.id == Claim.loan_id)
    query = query.options(joinedload(Claim.loan).joinedload(Loan.bank))
    if bank_id is not None:
        query = query.where(Loan.bank_id == bank_id)
    if loan_id is not None:
        query = query.where(Claim.loan_id == loan_id)
    if status is not None:
        query = query.where(Claim.status == status)
    if enterprise_id is not None:
        query = query.where(Loan.enterprise_id == enterprise_id)
    return query.order_by(Claim.filed_on, Claim.id)


def any_in_status(session: Session, status: ClaimStatus) -> bool:
    return session.scalar(select(Claim.id).where(Claim.status == status).limit(1)) is not None


def every_claim(session: Session) -> Sequence[Claim]:
    return session.scalars(select(Claim).order_by(Claim.id)).all()


def book_loans(
    session: Session,
) -> Sequence[Row[int, int, dt.date, Decimal, LoanStatus, bool]]:
    """Every loan's id, bank, disbursement day, amount, status and whether it is an earlier
    policy's: the banks' caps need all of last year's lending (C6). Columns, not loans: the
    book is read whole at each computation."""
    return session.execute(
        select(
            Loan.id,
            Loan.bank_id,
            Loan.disbursed_on,
            Loan.amount,
            Loan.status,
            PolicyVersion.earlier,
        )
        .join(PolicyVersion, PolicyVersion.code == Loan.policy_code)
        .order_by(Loan.id)
    ).all()


def banks(session: Session) -> Sequence[Bank]:
    return session.scalars(select(Bank)).all()
