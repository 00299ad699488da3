"""The loans' queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gzcreditpool.models import Bank, Confirmation, Enterprise, Loan, LoanStatus

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


def not_refused(session: Session, enterprise_ids: set[int]) -> Sequence[Loan]:
    """The enterprises' loans still in the running (their yearly cap counts them, C3)."""
    return session.scalars(
        select(Loan)
        .where(Loan.status != LoanStatus.REFUSED, Loan.enterprise_id.in_(enterprise_ids))
        .order_by(Loan.id)
    ).all()


def in_status(session: Session, status: LoanStatus, ids: list[int] | None) -> Sequence[Loan]:
    query = select(Loan).where(Loan.status == status)
    if ids is not None:
        query = query.where(Loan.id.in_(ids))
    return session.scalars(query.order_by(Loan.id)).all()


def contracts_taken(session: Session, bank_id: int, contract_nos: list[str]) -> set[str]:
    """Which of ``contract_nos`` the bank has already reported."""
    return set(
        session.scalars(
            select(Loan.contract_no).where(
                Loan.bank_id == bank_id, Loan.contract_no.in_(contract_nos)
            )
        )
    )


def of_confirmation(session: Session, confirmation_id: int) -> Sequence[LoanRow]:
    query = _joined().where(Loan.confirmation_id == confirmation_id).order_by(Loan.id)
    return [(loan, bank, firm) for loan, bank, firm in session.execute(query)]


def confirmations(session: Session, bank_id: int | None, limit: int) -> Sequence[Confirmation]:
    """The latest 确认书 (a bank's own when ``bank_id`` is given), newest first."""
    query = select(Confirmation).order_by(Confirmation.id.desc()).limit(limit)
    if bank_id is not None:
        query = query.where(Confirmation.bank_id == bank_id)
    return session.scalars(query).all()
