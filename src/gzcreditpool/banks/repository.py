"""The banks' queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from gzcreditpool.models import Bank, BankStatusChange, Call


def by_code(session: Session, code: str) -> Bank | None:
    return session.scalar(select(Bank).where(Bank.code == code))


def banks() -> Select[Bank]:
    """Every bank, by code."""
    return select(Bank).order_by(Bank.code)


def history(session: Session, bank_id: int) -> Sequence[BankStatusChange]:
    return session.scalars(
        select(BankStatusChange)
        .where(BankStatusChange.bank_id == bank_id)
        .order_by(BankStatusChange.at, BankStatusChange.id)
    ).all()


def calls() -> Select[Call]:
    """The calls, latest first."""
    return select(Call).order_by(Call.opens_on.desc(), Call.id.desc())


def open_calls(session: Session, today: dt.date) -> Sequence[Call]:
    """The calls taking applications on ``today``."""
    return session.scalars(calls().where(Call.opens_on <= today, Call.closes_on >= today)).all()
