"""Queries of recoveries and write-offs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, union_all
from sqlalchemy.orm import Session, joinedload

from gzcreditpool.models import (
    Claim,
    ClaimStatus,
    Loan,
    Recovery,
    RefundTopUp,
    Sanction,
    WriteOff,
)


def approved_claims(session: Session, loan_id: int) -> Sequence[Claim]:
    return session.scalars(
        select(Claim)
        .where(Claim.loan_id == loan_id, Claim.status == ClaimStatus.APPROVED)
        .order_by(Claim.filed_on, Claim.id)
    ).all()


def of_loan(session: Session, loan_id: int) -> Sequence[Recovery]:
    return session.scalars(
        select(Recovery).where(Recovery.loan_id == loan_id).order_by(Recovery.id)
    ).all()


def sanctioned(session: Session, loan_id: int) -> bool:
    """Whether a finding on the loan claws its compensation back (第二十五条)."""
    return (
        session.scalar(select(Sanction.id).where(Sanction.loan_id == loan_id).limit(1)) is not None
    )


def recoveries(
    bank_id: int | None, overdue_on: dt.date | None = None, enterprise_id: int | None = None
) -> Select[Recovery]:
    """Recoveries with their loan and bank (a bank's only, an enterprise's only, when given),
    in order of receipt; with ``overdue_on``, only those whose refund or a top-up is still
    unpaid after its due day."""
    query = select(Recovery).join(Loan, Loan.id == Recovery.loan_id)
    query = query.options(joinedload(Recovery.loan).joinedload(Loan.bank))
    if bank_id is not None:
        query = query.where(Loan.bank_id == bank_id)
    if enterprise_id is not None:
        query = query.where(Loan.enterprise_id == enterprise_id)
    if overdue_on is not None:
        late_top_up = (
            select(RefundTopUp.id)
            .where(RefundTopUp.recovery_id == Recovery.id, _late(RefundTopUp, overdue_on))
            .exists()
        )
        query = query.where(or_(_late(Recovery, overdue_on), late_top_up))
    return query.order_by(Recovery.received_on, Recovery.id)


def _late(table: type[Recovery] | type[RefundTopUp], today: dt.date) -> ColumnElement[bool]:
    return and_(table.due_on < today, table.refunded_on.is_(None))


def overdue_total(session: Session, bank_id: int | None, today: dt.date) -> tuple[int, Decimal]:
    """How many refunds and top-ups are overdue on ``today``, and their sum in CNY."""
    owed = union_all(
        select(Recovery.refund.label("owed"), Recovery.loan_id).where(_late(Recovery, today)),
        select(RefundTopUp.amount.label("owed"), Recovery.loan_id)
        .join(Recovery, Recovery.id == RefundTopUp.recovery_id)
        .where(_late(RefundTopUp, today)),
    ).subquery()
    query = select(func.count(), func.coalesce(func.sum(owed.c.owed), 0)).select_from(owed)
    if bank_id is not None:
        query = query.join(Loan, Loan.id == owed.c.loan_id).where(Loan.bank_id == bank_id)
    count, total = session.execute(query).one()
    return int(count), Decimal(total)


def write_offs(bank_id: int | None) -> Select[WriteOff]:
    query = select(WriteOff).join(Loan, Loan.id == WriteOff.loan_id)
    query = query.options(joinedload(WriteOff.loan).joinedload(Loan.bank))
    if bank_id is not None:
        query = query.where(Loan.bank_id == bank_id)
    return query.order_by(WriteOff.written_off_on, WriteOff.id)
