"""The daily background work: new intake tasks, escalations, recovery orders."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gzlongevity.cases.schemas import SweepOut
from gzlongevity.cases.service import create_due_tasks, escalate_overdue
from gzlongevity.recovery.service import order_unreturned


def daily_sweep(session: Session, now: dt.datetime) -> SweepOut:
    """Everything due today (L4, L7)."""
    return SweepOut(
        tasks_created=create_due_tasks(session, now),
        tasks_escalated=escalate_overdue(session, now),
        orders=order_unreturned(session, now),
    )
