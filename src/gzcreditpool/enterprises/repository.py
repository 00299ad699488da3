"""The enterprises' queries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzcreditpool.models import Enterprise


def by_uscc(session: Session, uscc: str) -> Enterprise | None:
    return session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
