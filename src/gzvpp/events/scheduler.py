"""The work the clock triggers: closing bidding, ranking and sending the plan (R2, 第八条).

:func:`run_due` ranks and notifies every invitation whose bids have closed. It ranks as soon as
bidding closes (day-ahead: D-1 11:00; hours-ahead: 1 h after publication) and sends the plan
in the same step, so both happen well before the deadlines (day-ahead ranking by 12:00 and
plan by 12:30; hours-ahead both within 30 min of the close), however late in the window the
scheduler runs. It is idempotent: an event already ranked and notified is not touched again.

With the real clock, :func:`start_scheduler` runs it every ``interval`` seconds
(``$GZVPP_SCHEDULER_INTERVAL_S``, default 30) on a background thread; with a
:class:`~gzkit.clock.SimulatedClock` the caller (tests, the demo, ``POST /api/admin/tick``)
runs it after moving the clock.

On PostgreSQL several processes may serve (``gzvpp serve --workers N``); the thread runs in all
of them but only the elected one works (:class:`~gzkit.advisory.Leadership`). The others
ask again every interval, so when the elected process dies another takes over within two
intervals. Should two runs ever overlap (a manual tick, a leader cut off from the database),
:func:`~gzvpp.events.ranking.close_bidding` locks the event's row and re-reads its status, so
an invitation is still ranked once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading

from sqlalchemy.orm import Session, sessionmaker

from gzkit.advisory import Leadership
from gzkit.clock import Clock, SystemClock
from gzkit.db import session_scope
from gzvpp.events.repository import EventRepository
from gzvpp.events.service import event_service
from gzvpp.kit import metrics
from gzvpp.kit.auth import Actor
from gzvpp.models import Role

INTERVAL_ENV = "GZVPP_SCHEDULER_INTERVAL_S"
DEFAULT_INTERVAL_S = 30.0

log = logging.getLogger(__name__)
# One run at a time in this process: the background thread and a manual tick never overlap.
_running = threading.Lock()


def run_due(factory: sessionmaker[Session], now: dt.datetime) -> list[str]:
    """Rank and notify every invitation due at ``now``; one line per thing done.

    Each event runs in its own transaction, so one that fails (it is logged and reported)
    leaves the others' results committed.
    """
    with _running:
        with session_scope(factory) as session:
            due = EventRepository(session).due_for_ranking(now)
        done: list[str] = []
        for event_id in due:
            try:
                with session_scope(factory) as session:
                    done.extend(event_service.close_bidding(session, now, event_id))
            except Exception as err:  # one event must not hold up the rest
                log.exception("closing event %s failed", event_id)
                done.append(f"{event_id}: failed: {err}")
        metrics.SCHEDULER_LAST_RUN.set_to_current_time()
        return done


def tick(actor: Actor, factory: sessionmaker[Session], now: dt.datetime) -> list[str]:
    """:func:`run_due` on the grid operator's request."""
    actor.require(Role.GRID_OPERATOR)
    return run_due(factory, now)


def interval_s() -> float:
    """Seconds between the scheduler's runs: ``$GZVPP_SCHEDULER_INTERVAL_S`` (default 30).

    Raises
    ------
    ValueError
        Naming the variable, if it is not a number of seconds in (0, 3600].
    """
    text = os.environ.get(INTERVAL_ENV, "").strip()
    if not text:
        return DEFAULT_INTERVAL_S
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise ValueError(f"{INTERVAL_ENV} must be a number of seconds in (0, 3600], not {text!r}")
    return seconds


class Scheduler:
    """A daemon thread calling :func:`run_due` every ``interval`` seconds until stopped; with
    a ``leadership``, only while this process holds it."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        clock: Clock,
        interval: float,
        leadership: Leadership | None = None,
    ) -> None:
        self._factory, self._clock, self._interval = factory, clock, interval
        self._leadership = leadership
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="gzvpp-scheduler", daemon=True)

    def start(self) -> None:
        """Start the thread; the first run is immediate."""
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to stop, wait for the run in progress to finish, and step down."""
        self._stopping.set()
        self._thread.join()
        if self._leadership is not None:
            self._leadership.release()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                leader = self._leadership is None or self._leadership.holds()
                metrics.SCHEDULER_LEADER.set(int(leader))
                if leader:
                    for line in run_due(self._factory, self._clock.now()):
                        log.info("scheduler: %s", line)
            except Exception:  # e.g. the database away: try again next time
                log.exception("scheduler run failed")
            self._stopping.wait(self._interval)
        metrics.SCHEDULER_LEADER.set(0)


def start_scheduler(
    factory: sessionmaker[Session],
    clock: Clock,
    interval: float | None = None,
    leadership: Leadership | None = None,
) -> Scheduler | None:
    """Start the background scheduler for the real clock, every ``interval`` seconds (default
    :func:`interval_s`), elected by ``leadership`` if given; None for a simulated clock."""
    if not isinstance(clock, SystemClock):
        return None
    scheduler = Scheduler(factory, clock, interval or interval_s(), leadership)
    scheduler.start()
    return scheduler
