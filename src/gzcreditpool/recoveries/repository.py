"""Queries of recoveries and write-offs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from gzcreditpool.models import Claim, ClaimStatus, Loan, Recovery, Sanction, WriteOff


def approved_claims(session: Session, loan_id: int) -> Sequence[Claim]:
    return session.scalars(
        select(Claim)
        .where(Claim.loan_id == loan_id, Claim.status == ClaimStatus.APPROVED)
        .order_by(Claim.filed_on, Claim.id)
    ).all()


def unrefunded(session: Session, loan_id: int) -> Sequence[Recovery]:
    return session.scalars(
        select(Recovery)
        .where(Recovery.loan_id == loan_id, Recovery.refunded_on.is_(None))
        .order_by(Recovery.id)
    ).all()


def sanctioned(session: Session, loan_id: int) -> bool:
    """Whether a finding on the loan claws its compensation back (第二十五条)."""
    return (
        session.scalar(select(Sanction.id).where(Sanction.loan_id == loan_id).limit(1)) is not None
    )


def recoveries(bank_id: int | None, overdue_on: dt.date | None = None) -> Select[Recovery]:
    """Recoveries with their loan and bank (a bank's only when given), in order of receipt;
    with ``overdue_on``, only refunds still unpaid after their due day."""
    query = select(Recovery).join(Loan, Loan.id == Recovery.loan_id)
    query = query.options(joinedload(Recovery.loan).joinedload(Loan.bank))
    if bank_id is not None:
        query = query.where(Loan.bank_id == bank_id)
    if overdue_on is not None:
        query = query.where(Recovery.due_on < overdue_on, Recovery.refunded_on.is_(None))
    return query.order_by(Recovery.received_on, Recovery.id)


def overdue_total(session: Session, bank_id: int | None, today: dt.date) -> tuple[int, Decimal]:
    """How many refunds are overdue on ``today``, and their sum in CNY."""
    query = recoveries(bank_id, today).order_by(None).subquery()
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(query.c.refund), 0))
    ).one()
    return int(count), Decimal(total)


def write_offs(bank_id: int | None) -> Select[WriteOff]:
    query = select(WriteOff).join(Loan, Loan.id == WriteOff.loan_id)
    query = query.options(joinedload(WriteOff.loan).joinedload(Loan.bank))
    if bank_id is not None:
        query = query.where(Loan.bank_id == bank_id)
    return query.order_by(WriteOff.written_off_on, WriteOff.id)
