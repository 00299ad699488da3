"""The loans' queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gzcreditpool.models import Bank, Enterprise, Loan, LoanStatus

LoanRow = tuple[Loan, Bank, Enterprise]


def _joined() -> Select[Loan, Bank, Enterprise]:
    return (
        select(Loan, Bank, Enterprise)
        .join(Bank, Bank.id == Loan.bank_id)
        .join(Enterprise, Enterprise.id == Loan.enterprise_id)
    )


def page(
    session: Session,
    *,
    bank_id: int | None,
    status: LoanStatus | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[LoanRow], int]:
    """One page of loans (newest disbursement first) and how many match."""
    query = _joined()
    if bank_id is not None:
        query = query.where(Loan.bank_id == bank_id)
    if status is not None:
        query = query.where(Loan.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Loan.disbursed_on.desc(), Loan.id.desc()).offset(offset).limit(limit)
    )
    return [(loan, bank, firm) for loan, bank, firm in rows], total


def one(session: Session, loan_id: int) -> LoanRow | None:
    found = session.execute(_joined().where(Loan.id == loan_id)).one_or_none()
    return None if found is None else (found[0], found[1], found[2])


def not_refused(session: Session) -> Sequence[Loan]:
    """Every loan still in the running (the enterprise's yearly cap counts them, C3)."""
    return session.scalars(
        select(Loan).where(Loan.status != LoanStatus.REFUSED).order_by(Loan.id)
    ).all()


def in_status(session: Session, status: LoanStatus, ids: list[int] | None) -> Sequence[Loan]:
    query = select(Loan).where(Loan.status == status)
    if ids is not None:
        query = query.where(Loan.id.in_(ids))
    return session.scalars(query.order_by(Loan.id)).all()


def by_contract(session: Session, bank_id: int, contract_no: str) -> Loan | None:
    return session.scalar(
        select(Loan).where(Loan.bank_id == bank_id, Loan.contract_no == contract_no)
    )


def of_confirmation(session: Session, confirmation_id: int) -> Sequence[LoanRow]:
    query = _joined().where(Loan.confirmation_id == confirmation_id).order_by(Loan.id)
    return [(loan, bank, firm) for loan, bank, firm in session.execute(query)]
