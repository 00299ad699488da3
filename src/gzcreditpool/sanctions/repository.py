"""Queries of duplicate funding and sanctions."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Integer, Select, cast, extract, func, select
from sqlalchemy.orm import Session, joinedload

from gzcreditpool.models import Claim, ClaimStatus, Loan, Recovery, RefundTopUp, Sanction


def claimed_twice(session: Session) -> Sequence[tuple[int, int]]:
    """(loan, year) with more than one claim filed that year."""
    year = cast(extract("year", Claim.filed_on), Integer)
    return session.execute(
        select(Claim.loan_id, year).group_by(Claim.loan_id, year).having(func.count() > 1)
    ).all()


def same_contract_two_banks(session: Session) -> Sequence[tuple[int, str]]:
    """(enterprise, contract number) reported by more than one bank."""
    return session.execute(
        select(Loan.enterprise_id, Loan.contract_no)
        .group_by(Loan.enterprise_id, Loan.contract_no)
        .having(func.count(func.distinct(Loan.bank_id)) > 1)
    ).all()


def loans_of_contract(session: Session, enterprise_id: int, contract_no: str) -> list[int]:
    return list(
        session.scalars(
            select(Loan.id).where(
                Loan.enterprise_id == enterprise_id, Loan.contract_no == contract_no
            )
        )
    )


def compensation(session: Session, loan_id: int) -> tuple[Decimal, Decimal, Decimal]:
    """Approved compensation on the loan, the refunds and top-ups due on it and what earlier
    sanctions already claw back, in CNY."""
    paid = session.scalar(
        select(func.coalesce(func.sum(Claim.amount), 0)).where(
            Claim.loan_id == loan_id, Claim.status == ClaimStatus.APPROVED
        )
    )
    refunded = session.scalar(
        select(func.coalesce(func.sum(Recovery.refund), 0)).where(Recovery.loan_id == loan_id)
    )
    topped_up = session.scalar(
        select(func.coalesce(func.sum(RefundTopUp.amount), 0))
        .join(Recovery, Recovery.id == RefundTopUp.recovery_id)
        .where(Recovery.loan_id == loan_id)
    )
    clawed = session.scalar(
        select(func.coalesce(func.sum(Sanction.clawback), 0)).where(Sanction.loan_id == loan_id)
    )
    return (
        Decimal(paid or 0),
        Decimal(refunded or 0) + Decimal(topped_up or 0),
        Decimal(clawed or 0),
    )


def sanctions(bank_id: int | None) -> Select[Sanction]:
    """The findings (a bank's only, when given) with their loan and bank, in order of
    decision."""
    query = select(Sanction).join(Loan, Loan.id == Sanction.loan_id)
    query = query.options(joinedload(Sanction.loan).joinedload(Loan.bank))
    if bank_id is not None:
        query = query.where(Loan.bank_id == bank_id)
    return query.order_by(Sanction.decided_at, Sanction.id)
