"""Times, durations and object representations on the OpenADR 3 wire.

Inside the platform a time is a naive Guangzhou wall-clock time; on the wire it is RFC 3339 with
the ``+08:00`` offset. Incoming times may carry any offset and are converted.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from gzkit.timezone import to_local
from gzvpp.models import ObjectType, OpenADRObject

OFFSET = "+08:00"
OWNED = frozenset({ObjectType.REPORT, ObjectType.SUBSCRIPTION, ObjectType.VEN, ObjectType.RESOURCE})
_DURATION = re.compile(
    r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)


def wire_time(moment: dt.datetime) -> str:
    """``2025-06-03T12:00:00+08:00`` for the naive local ``moment``."""
    return moment.isoformat() + OFFSET


def local_time(text: str) -> dt.datetime:
    """The naive Guangzhou time of an RFC 3339 ``text`` (a leap second counts as :59).

    Raises
    ------
    ValueError
        Not an RFC 3339 date-time with an offset.
    """
    value = text.strip().upper().replace("Z", "+00:00")
    value = re.sub(r":60(?=[.+-])", ":59", value)
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{text} has no UTC offset")
    return to_local(moment)


def iso_duration(span: dt.timedelta) -> str:
    """``PT2H``, ``PT45M``, ``PT1H30M`` …; ``PT0S`` for zero."""
    seconds = int(span.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    parts += f"{seconds}S" if seconds or not parts else ""
    return "PT" + parts


def parse_duration(text: str) -> dt.timedelta:
    """The span of an ISO 8601 duration in weeks, days, hours, minutes and seconds.

    Raises
    ------
    ValueError
        Years or months (whose length depends on the date), a negative or a malformed duration.
    """
    match = _DURATION.match(text)
    if match is None or text in ("P", "PT"):
        raise ValueError(f"{text} is not a duration in weeks, days, hours, minutes or seconds")
    weeks, days, hours, minutes = (int(g) if g else 0 for g in match.groups()[:4])
    seconds = float(match.group(5) or 0)
    return dt.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


def object_wire(obj: OpenADRObject, targets: list[str] | None = None) -> dict[str, Any]:
    """The server representation: the client's body plus the metadata the VTN provides.

    ``targets`` replaces the object's own (target hiding); None shows them all.
    """
    return representation(
        obj.body,
        object_id=obj.id,
        object_type=obj.object_type,
        created_at=obj.created_at,
        modified_at=obj.modified_at,
        targets=obj.targets if targets is None else targets,
        client_id=obj.client_id,
    )


def representation(
    body: dict[str, Any],
    *,
    object_id: str,
    object_type: ObjectType,
    created_at: dt.datetime,
    modified_at: dt.datetime,
    targets: list[str],
    client_id: str | None,
) -> dict[str, Any]:
    """:func:`object_wire` from the column values, for objects written without the ORM."""
    found: dict[str, Any] = dict(body)
    if targets:  # (a subscription keeps its own filter targets in its body)
        found["targets"] = targets
    found.update(
        id=object_id,
        createdDateTime=wire_time(created_at),
        modificationDateTime=wire_time(modified_at),
        objectType=object_type.value,
    )
    if object_type in OWNED:
        found["clientID"] = client_id
    return found


def event_ends_at(body: dict[str, Any]) -> dt.datetime | None:
    """When an event's last interval ends (naive local), or None if that cannot be told
    (no start, a duration in years or months, "infinity" P9999Y …), for ``?active=true``."""
    period = body.get("intervalPeriod") or {}
    try:
        start = local_time(period["start"])
        if "duration" in body:
            return start + parse_duration(body["duration"])
        default = period.get("duration")
        end = start
        for interval in body.get("intervals") or [{}]:
            own = interval.get("intervalPeriod") or {}
            begin = local_time(own["start"]) if "start" in own else end
            end = begin + parse_duration(own.get("duration", default or "PT0S"))
    except (KeyError, ValueError, OverflowError):
        return None
    return end
