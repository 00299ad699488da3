"""The banks' queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzcreditpool.models import Bank, BankStatusChange, Call


def by_code(session: Session, code: str) -> Bank | None:
    return session.scalar(select(Bank).where(Bank.code == code))


def all_banks(session: Session) -> Sequence[Bank]:
    return session.scalars(select(Bank).order_by(Bank.code)).all()


def history(session: Session, bank_id: int) -> Sequence[BankStatusChange]:
    return session.scalars(
        select(BankStatusChange)
        .where(BankStatusChange.bank_id == bank_id)
        .order_by(BankStatusChange.at, BankStatusChange.id)
    ).all()


def calls(session: Session) -> Sequence[Call]:
    return session.scalars(select(Call).order_by(Call.opens_on.desc(), Call.id.desc())).all()
