"""Platform settings kept in the database (table ``platform_settings``), read and written here:

- the demo clock: the demo records the simulated moment its quarter ended, so that
  ``gzvpp serve`` on the demo's database opens at the demo's own time rather than today;
- the service clock: the clock ``gzvpp serve`` chose at its start (``--clock-start``, the demo
  clock, or none for the real time), which each of its processes reads when it starts, so that
  every process, and one the server restarts after a crash, tells the same time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gzkit.clock import SystemClock
from gzvpp.models import PlatformSetting

DEMO_CLOCK = "demo_clock"
SERVICE_CLOCK = "service_clock"
REAL_TIME_NAME = "平台时间"  # the console header's name for the real clock


def read(session: Session, key: str) -> str | None:
    """The value stored under ``key``, if any."""
    row = session.get(PlatformSetting, key)
    return None if row is None else row.value


def write(session: Session, key: str, value: str, now: dt.datetime) -> None:
    """Store ``value`` under ``key``, replacing what was there."""
    row = session.get(PlatformSetting, key)
    if row is None:
        session.add(PlatformSetting(key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now


def demo_clock(session: Session) -> dt.datetime | None:
    """The Guangzhou local time the demo's simulation ended at, on a demo database."""
    value = read(session, DEMO_CLOCK)
    return None if value is None else dt.datetime.fromisoformat(value)


def record_demo_clock(session: Session, moment: dt.datetime) -> None:
    """Record where the demo's simulated clock stands (naive Guangzhou local time)."""
    write(session, DEMO_CLOCK, moment.isoformat(sep=" "), moment)


@dataclass(frozen=True)
class ServiceClock:
    """A clock showing ``start`` at the real Guangzhou time ``anchored_at``, then running at the
    real pace; ``name`` is what the console's header calls it (设定时钟, 演示时钟)."""

    name: str
    start: dt.datetime
    anchored_at: dt.datetime

    def clock(self) -> SystemClock:
        """The clock itself; every process making it tells the same time."""
        return SystemClock(self.start, anchored_at=self.anchored_at)


def service_clock(session: Session) -> ServiceClock | None:
    """The clock the running service's processes share; None for the real time."""
    value = read(session, SERVICE_CLOCK)
    if value is None:
        return None
    fields = json.loads(value)
    return ServiceClock(
        name=fields["name"],
        start=dt.datetime.fromisoformat(fields["start"]),
        anchored_at=dt.datetime.fromisoformat(fields["anchored_at"]),
    )


def record_service_clock(session: Session, clock: ServiceClock | None, now: dt.datetime) -> None:
    """Record the clock the service's processes are to share (None: the real time)."""
    if clock is None:
        row = session.get(PlatformSetting, SERVICE_CLOCK)
        if row is not None:
            session.delete(row)
        return
    fields = {
        "name": clock.name,
        "start": clock.start.isoformat(sep=" "),
        "anchored_at": clock.anchored_at.isoformat(sep=" "),
    }
    write(session, SERVICE_CLOCK, json.dumps(fields, ensure_ascii=False), now)
