"""Guangzhou's time zone: every time the systems store or compare is a naive Asia/Shanghai
wall-clock time (UTC+8, no daylight saving)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def to_local(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` as a naive Guangzhou wall-clock time.

    Parameters
    ----------
    moment : datetime
        Naive (taken as already local) or timezone-aware.
    """
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(SHANGHAI).replace(tzinfo=None)
