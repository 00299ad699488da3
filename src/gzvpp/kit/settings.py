"""Platform settings kept in the database (table ``platform_settings``), read and written here.

The first is the demo clock: the demo records the simulated moment its quarter ended, so that
``gzvpp serve`` on the demo's database opens at the demo's own time rather than today.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gzvpp.models import PlatformSetting

DEMO_CLOCK = "demo_clock"


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
