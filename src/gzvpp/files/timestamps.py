"""Local times as the input files write them: one parser for meter exports and event files."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from gzkit.timezone import to_local

TIME_FORMATS = "YYYY-MM-DD HH:MM，或 ISO 8601 如 2025-07-01T14:00:00+08:00"

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


# The lengths of the forms without offset: YYYY-MM-DD HH:MM and YYYY-MM-DD HH:MM:SS (or T).
_NAIVE_SHORT, _NAIVE_LONG = 16, 19
_SHANGHAI_UTC_OFFSET_US = 8 * 3600 * 10**6  # Asia/Shanghai: UTC+8, no daylight saving


def local_ticks(texts: pa.Array) -> npt.NDArray[np.int64] | None:
    """Parse many times at once into microseconds since 1970-01-01 00:00 Guangzhou time.

    Arrow's ISO 8601 parser reads them, gated so that it takes exactly what
    :func:`parse_local_time` takes and gives the same time: texts without offset only when
    every one is ``YYYY-MM-DD HH:MM`` or ``YYYY-MM-DD HH:MM:SS`` (with a space or ``T``; the
    parser demands two-digit fields and real dates and times, so the length settles the form);
    texts with offsets only when every one matches the accepted pattern.

    Parameters
    ----------
    texts : pyarrow.Array
        Text without nulls.

    Returns
    -------
    ndarray of int64 or None
        Per text, local microseconds since 1970-01-01 00:00; None unless every text could be
        read in bulk (then :func:`parse_local_time` decides, text by text).
    """
    lengths = pc.binary_length(texts).to_numpy(zero_copy_only=False)
    try:
        if ((lengths == _NAIVE_SHORT) | (lengths == _NAIVE_LONG)).all():
            moments, shift = pc.cast(texts, pa.timestamp("us")), 0
        elif pc.all(pc.match_substring_regex(texts, f"^(?:{_LOCAL_TIME.pattern})$")).as_py():
            moments, shift = pc.cast(texts, pa.timestamp("us", "UTC")), _SHANGHAI_UTC_OFFSET_US
        else:
            return None
    except pa.ArrowInvalid:  # a text that is not a time, or a mix of forms
        return None
    ticks: npt.NDArray[np.int64] = moments.view(pa.int64()).to_numpy() + shift
    return ticks
