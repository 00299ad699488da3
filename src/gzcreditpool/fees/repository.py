"""The yearly figures by bank, summed in the database."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, cast, distinct, extract, func, select, union_all
from sqlalchemy.orm import Session, joinedload

from gzcreditpool.models import (
    Bank,
    Claim,
    ClaimStatus,
    Loan,
    LoanStatus,
    PolicyVersion,
    Recovery,
    RefundTopUp,
    TrusteeReport,
    WriteOff,
)

Key = tuple[int, int]  # (bank id, year)


def _year(column: Any) -> Any:
    return cast(extract("year", column), Integer)


def banks(session: Session) -> Sequence[Bank]:
    return session.scalars(select(Bank).order_by(Bank.code)).all()


def lending(session: Session) -> dict[Key, tuple[Decimal, int, int]]:
    """Confirmed lending of this policy by (bank, disbursement year): amount, loans, distinct
    enterprises (an earlier policy's loans are that policy's, C10)."""
    year = _year(Loan.disbursed_on)
    rows = session.execute(
        select(
            Loan.bank_id,
            year,
            func.sum(Loan.amount),
            func.count(),
            func.count(distinct(Loan.enterprise_id)),
        )
        .join(PolicyVersion, PolicyVersion.code == Loan.policy_code)
        .where(Loan.status == LoanStatus.CONFIRMED, PolicyVersion.earlier.is_(False))
        .group_by(Loan.bank_id, year)
    )
    return {(b, int(y)): (Decimal(s), n, e) for b, y, s, n, e in rows}


def claims(session: Session) -> dict[Key, tuple[Decimal, Decimal]]:
    """Claims by (bank, filing year): balances claimed, compensation approved."""
    year = _year(Claim.filed_on)
    approved = func.sum(
        func.coalesce(Claim.amount, 0) * (Claim.status == ClaimStatus.APPROVED).cast(Integer)
    )
    rows = session.execute(
        select(Loan.bank_id, year, func.sum(Claim.npl_balance), approved)
        .join(Loan, Loan.id == Claim.loan_id)
        .group_by(Loan.bank_id, year)
    )
    return {(b, int(y)): (Decimal(n), Decimal(a or 0)) for b, y, n, a in rows}


def refunds(session: Session) -> dict[Key, Decimal]:
    """Refunds due by (bank, year received), each recovery's with its top-ups (C7: what the
    recovery owes the treasury in all, as ``gzcreditpool settle`` counts it)."""
    year = _year(Recovery.received_on)
    due = select(Loan.bank_id, year.label("year"), Recovery.refund.label("amount")).join(
        Loan, Loan.id == Recovery.loan_id
    )
    topped = (
        select(Loan.bank_id, year.label("year"), RefundTopUp.amount.label("amount"))
        .join(Recovery, Recovery.id == RefundTopUp.recovery_id)
        .join(Loan, Loan.id == Recovery.loan_id)
    )
    owed = union_all(due, topped).subquery()
    rows = session.execute(
        select(owed.c.bank_id, owed.c.year, func.sum(owed.c.amount)).group_by(
            owed.c.bank_id, owed.c.year
        )
    )
    return {(b, int(y)): Decimal(s) for b, y, s in rows}


def written_off(session: Session) -> dict[Key, Decimal]:
    year = _year(WriteOff.written_off_on)
    rows = session.execute(
        select(Loan.bank_id, year, func.sum(WriteOff.amount))
        .join(Loan, Loan.id == WriteOff.loan_id)
        .group_by(Loan.bank_id, year)
    )
    return {(b, int(y)): Decimal(s) for b, y, s in rows}


def write_offs_of(session: Session, year: int) -> Sequence[WriteOff]:
    """The write-offs of ``year`` with their loan and bank, in date order."""
    return session.scalars(
        select(WriteOff)
        .join(Loan, Loan.id == WriteOff.loan_id)
        .options(joinedload(WriteOff.loan).joinedload(Loan.bank))
        .where(_year(WriteOff.written_off_on) == year)
        .order_by(WriteOff.written_off_on, WriteOff.id)
    ).all()


def reports(session: Session) -> dict[int, TrusteeReport]:
    return {r.year: r for r in session.scalars(select(TrusteeReport))}
