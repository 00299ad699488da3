"""The rule versions' queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzcreditpool.core.policy import Window
from gzcreditpool.models import Loan, PolicyVersion


def every(session: Session) -> Sequence[PolicyVersion]:
    """Every version, the latest in force first."""
    query = select(PolicyVersion).order_by(PolicyVersion.starts_on.desc(), PolicyVersion.code)
    return session.scalars(query).all()


def current_windows(session: Session) -> list[Window]:
    """The windows of this policy's versions (not the earlier ones), earliest first: the
    versions a bank's report falls under."""
    rows = session.scalars(
        select(PolicyVersion)
        .where(PolicyVersion.earlier.is_(False))
        .order_by(PolicyVersion.starts_on)
    )
    return [Window(v.code, v.starts_on, v.ends_on) for v in rows]


def loan_counts(session: Session) -> dict[str, int]:
    """How many loans each version holds."""
    rows = session.execute(select(Loan.policy_code, func.count()).group_by(Loan.policy_code))
    return {code: count for code, count in rows}


def one(session: Session, code: str) -> PolicyVersion | None:
    return session.get(PolicyVersion, code)
