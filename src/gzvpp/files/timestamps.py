"""Local times as the input files write them: one parser for meter exports and event files."""

from __future__ import annotations

import datetime as dt
import re

from gzvpp.core.grid import to_local

TIME_FORMATS = "YYYY-MM-DD HH:MM, or ISO 8601 such as 2025-07-01T14:00:00+08:00"

# The accepted shapes, checked before ``fromisoformat``, which would also take a bare date or
# the ISO basic and week forms that no exporter writes.
_LOCAL_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.ASCII
)


def parse_local_time(text: str) -> dt.datetime | None:
    """Parse a point in time into naive Guangzhou wall-clock time.

    Parameters
    ----------
    text : str
        ``YYYY-MM-DD HH:MM`` (local time), or ISO 8601 with ``T``, optional seconds and an
        optional UTC offset (``+08:00``, ``+0800``, ``Z``). Without an offset the time is local;
        with one it is converted to Asia/Shanghai (UTC+8, no daylight saving; see RULES.md).

    Returns
    -------
    datetime or None
        Naive local time, or None when ``text`` is not a time in one of those forms.
    """
    if _LOCAL_TIME.fullmatch(text) is None:
        return None
    try:
        return to_local(dt.datetime.fromisoformat(text))
    except ValueError:  # the right shape but no such date or time, e.g. 2025-02-30
        return None
