"""The loans' queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from gzcreditpool.models import Bank, Confirmation, Loan, LoanStatus, PolicyVersion


def listed(bank_id: int | None, status: LoanStatus | None) -> Select[Loan]:
    """Loans (a bank's only, in one status, when given) with their bank and enterprise,
    newest disbursement first."""
    query = select(Loan).options(joinedload(Loan.bank), joinedload(Loan.enterprise))
    if bank_id is not None:
        query = query.where(Loan.bank_id == bank_id)
    if status is not None:
        query = query.where(Loan.status == status)
    return query.order_by(Loan.disbursed_on.desc(), Loan.id.desc())


def bank_id(session: Session, code: str) -> int | None:
    """The id of the bank with ``code``, None when there is none."""
    return session.scalar(select(Bank.id).where(Bank.code == code))


def of_enterprise(session: Session, enterprise_id: int, bank_id: int | None) -> Sequence[Loan]:
    """The enterprise's loans (a bank's only, when given), newest disbursement first."""
    return session.scalars(listed(bank_id, None).where(Loan.enterprise_id == enterprise_id)).all()


def one(session: Session, loan_id: int) -> Loan | None:
    return session.scalar(
        select(Loan)
        .options(joinedload(Loan.bank), joinedload(Loan.enterprise))
        .where(Loan.id == loan_id)
    )


def not_refused(session: Session, enterprise_ids: set[int]) -> Sequence[Loan]:
    """The enterprises' loans still in the running under this policy (their yearly cap counts
    them, C3; an earlier policy's do not, C10)."""
    return session.scalars(
        select(Loan)
        .join(PolicyVersion, PolicyVersion.code == Loan.policy_code)
        .where(
            Loan.status != LoanStatus.REFUSED,
            Loan.enterprise_id.in_(enterprise_ids),
            PolicyVersion.earlier.is_(False),
        )
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


def of_confirmation(session: Session, confirmation_id: int) -> Sequence[Loan]:
    return session.scalars(
        select(Loan)
        .options(joinedload(Loan.enterprise))
        .where(Loan.confirmation_id == confirmation_id)
        .order_by(Loan.id)
    ).all()


def confirmations(session: Session, bank_id: int | None, limit: int) -> Sequence[Confirmation]:
    """The latest 确认书 (a bank's own when ``bank_id`` is given), newest first."""
    query = select(Confirmation).order_by(Confirmation.id.desc()).limit(limit)
    if bank_id is not None:
        query = query.where(Confirmation.bank_id == bank_id)
    return session.scalars(query).all()
