"""The service's notion of "now", injectable so that tests and the demo can run days in seconds.

Every time the service stores or compares is a naive Guangzhou wall-clock time (Asia/Shanghai,
UTC+8, no daylight saving); a clock always returns one. The app keeps its clock in
``app.state.clock``; endpoints get it through :data:`ClockDep`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Protocol

from fastapi import Depends, Request

from gzkit.timezone import to_local


class Clock(Protocol):
    """Anything that tells the current local time."""

    def now(self) -> dt.datetime:
        """The current naive Asia/Shanghai local time."""
        ...


class SystemClock:
    """The real time of day, or real time running on from ``start``.

    Parameters
    ----------
    start : datetime, optional
        The local time it shows at ``anchored_at`` (an aware time is converted); from then on
        it runs at the real pace, so the scheduler keeps every deadline as it would in
        production. For rehearsals, training and benchmarks on a past or future day.
    anchored_at : datetime, optional
        The real Guangzhou time at which it showed ``start``; default now. Processes given the
        same ``start`` and ``anchored_at`` tell the same time, whenever each was started.
    """

    def __init__(
        self, start: dt.datetime | None = None, anchored_at: dt.datetime | None = None
    ) -> None:
        if start is None:
            self._offset = dt.timedelta(0)
        else:
            anchor = to_local(anchored_at) if anchored_at is not None else real_now()
            self._offset = to_local(start) - anchor

    def now(self) -> dt.datetime:
        """The current naive Asia/Shanghai local time."""
        return real_now() + self._offset


def real_now() -> dt.datetime:
    """The real time of day in Guangzhou (naive local), whatever clock the service runs on."""
    return to_local(dt.datetime.now(dt.UTC))


class SimulatedClock:
    """A clock that stands still until it is set or advanced.

    Parameters
    ----------
    start : datetime
        The initial time; an aware time is converted to Guangzhou local time.
    """

    def __init__(self, start: dt.datetime) -> None:
        self._now = to_local(start)

    def now(self) -> dt.datetime:
        """The simulated naive local time."""
        return self._now

    def set(self, moment: dt.datetime) -> None:
        """Jump to ``moment`` (it may be earlier than now, for replays)."""
        self._now = to_local(moment)

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        """Move forward by ``delta`` and return the new time."""
        if delta < dt.timedelta(0):
            raise ValueError(f"a clock only advances; got {delta}")
        self._now += delta
        return self._now


async def _request_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


ClockDep = Annotated[Clock, Depends(_request_clock)]
