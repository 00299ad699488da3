"""The enterprises' queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from gzcreditpool.models import Enterprise


def by_uscc(session: Session, uscc: str) -> Enterprise | None:
    return session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))


def by_usccs(session: Session, codes: set[str]) -> Sequence[Enterprise]:
    return session.scalars(select(Enterprise).where(Enterprise.uscc.in_(codes))).all()


def dishonest() -> Select[Enterprise]:
    """The enterprises flagged 失信, latest first."""
    return (
        select(Enterprise)
        .where(Enterprise.dishonest_at.is_not(None))
        .order_by(Enterprise.dishonest_at.desc(), Enterprise.id.desc())
    )
