"""The daily background work: new intake tasks, escalations, recovery orders; run by a served
system on the real clock (:func:`keep_sweeping`), by the demo and through ``/api/admin/sweep``."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gzkit.clock import Clock
from gzkit.db import session_scope
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


SWEEP_INTERVAL_ENV = "GZLONGEVITY_SWEEP_INTERVAL_S"
DEFAULT_SWEEP_INTERVAL_S = 3600
logger = logging.getLogger(__name__)


def sweep_interval_s() -> float:
    """Seconds between sweeps of a served system: ``$GZLONGEVITY_SWEEP_INTERVAL_S``, default an
    hour (the sweep is idempotent: a task, an escalation or an order is made once)."""
    return float(os.environ.get(SWEEP_INTERVAL_ENV, DEFAULT_SWEEP_INTERVAL_S))


async def keep_sweeping(factory: sessionmaker[Session], clock: Clock, interval_s: float) -> None:
    """Run :func:`daily_sweep` now and every ``interval_s`` until cancelled, each in its own
    transaction in a worker thread; a failure is logged and tried again next time."""
    while True:
        try:
            await asyncio.to_thread(_sweep_once, factory, clock)
        except SQLAlchemyError:
            logger.exception("the daily sweep failed; trying again in %s s", interval_s)
        await asyncio.sleep(interval_s)


def _sweep_once(factory: sessionmaker[Session], clock: Clock) -> None:
    with session_scope(factory) as session:
        daily_sweep(session, clock.now())
