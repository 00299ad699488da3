"""The Guangzhou programme in OpenADR terms (docs/openadr.md has the full mapping).

The platform's notifications (``notifications.payload``, written by the events service) become
OpenADR 3.1.0 events of one program, ``GZ-VPP``, each targeted to the one participant it is
for. The same instruction is rendered for 2.0b VENs by :mod:`gzvpp.openadr.vtn2b`. Values the
specification has no enumeration for use private strings prefixed ``GZ_`` (Definitions,
"Private Strings").

Invitation event (邀约): one interval over the window carrying the platform event id,
direction, mode, demand, price mode, fixed price or cap, the participant's registered kW, the
bid deadline and the participant's baseline (``BASELINE``, one value per 15 minutes), and two
``reportDescriptors`` asking for the bid: ``LOAD_SHED_DELTA_AVAILABLE`` (kW for the whole
window) and, in bidding mode, ``GZ_BID_PRICE`` (CNY/kWh).

Plan (执行方案) and real-time dispatch (实时调度) events: the awarded kW as
``DISPATCH_SETPOINT_RELATIVE`` (negative: shed, peak shaving; positive: add, valley filling),
the price, the baseline, and for a dispatch the notice and the 5-minute target time; their
``reportDescriptor`` asks for minute-level ``DEMAND`` telemetry.

Cancellation (取消): the participant's events are updated in place: the interval period
becomes the specification's "no time at all" (``0001-01-01``, ``PT0S``) and ``GZ_CANCELLED``
carries the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gzvpp.core.grid import INTERVAL_MINUTES
from gzvpp.models import NotificationKind
from gzvpp.openadr.wire import iso_duration, local_time, parse_duration, wire_time

PROGRAM_ID = "gz-vpp"
PROGRAM_NAME = "GZ-VPP"
EVENT_KINDS = {
    NotificationKind.INVITATION: "invitation",
    NotificationKind.PLAN: "plan",
    NotificationKind.DISPATCH: "dispatch",
}
# Private strings (Definitions, "Private Strings").
BID_KW = "LOAD_SHED_DELTA_AVAILABLE"
BID_PRICE = "GZ_BID_PRICE"
TELEMETRY = ("DEMAND", "USAGE")
NEVER = "0001-01-01T00:00:00Z"  # with PT0S: an event of no time at all (User Guide 7.9)
TITLES = {"invitation": "邀约 invitation", "plan": "执行方案 plan", "dispatch": "实时调度 dispatch"}


def participant_target(participant_id: str) -> str:
    """The target that makes an object private to one participant's VENs."""
    return f"participant:{participant_id}"


def _descriptor(payload_type: str, units: str | None = None, **extra: str) -> dict[str, Any]:
    found: dict[str, Any] = {"objectType": "EVENT_PAYLOAD_DESCRIPTOR", "payloadType": payload_type}
    if units:
        found["units"] = units
    return {**found, **extra}


EVENT_DESCRIPTORS = {
    "GZ_DEMAND": _descriptor("GZ_DEMAND", "KW"),
    "GZ_REGISTERED_KW": _descriptor("GZ_REGISTERED_KW", "KW"),
    "BASELINE": _descriptor("BASELINE", "KW"),
    "DISPATCH_SETPOINT_RELATIVE": _descriptor("DISPATCH_SETPOINT_RELATIVE", "KW"),
    "GZ_PRICE": _descriptor("GZ_PRICE", "KWH", currency="CNY"),
    "GZ_PRICE_CAP": _descriptor("GZ_PRICE_CAP", "KWH", currency="CNY"),
}


def program_body() -> dict[str, Any]:
    """The ``programRequest`` of the Guangzhou programme (no targets: every VEN may read it).

    Its payload descriptors are the events' only: what a VEN reports is asked, with units, by
    each event's ``reportDescriptors``. (openadr3.yaml allows report payload descriptors here
    too, but ElaadNL's openadr3-client cannot read a program carrying one.)
    """
    return {
        "programName": PROGRAM_NAME,
        "attributes": [
            {
                "type": "PROGRAM_LONG_NAME",
                "values": ["广州市虚拟电厂需求响应 Guangzhou VPP demand response"],
            },
            {"type": "RETAILER_NAME", "values": ["广州供电局"]},
            {"type": "PROGRAM_TYPE", "values": ["DEMAND_RESPONSE"]},
            {"type": "COUNTRY", "values": ["CN"]},
            {"type": "PRINCIPAL_SUBDIVISION", "values": ["GD"]},
            {"type": "BINDING_EVENTS", "values": [False]},
        ],
        "payloadDescriptors": list(EVENT_DESCRIPTORS.values()),
    }


def _number(value: str | None) -> float:
    return float(Decimal(value or "0"))


def _signed(kw: str, direction: str) -> float:
    """kW as a change of consumption: shed (negative) for peak shaving, added for valley."""
    return -_number(kw) if direction == "peak" else _number(kw)


def window(payload: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    """The window [start, end) of a notification's event (naive local)."""
    found = payload["window"]
    return dt.datetime.fromisoformat(found["start"]), dt.datetime.fromisoformat(found["end"])


def event_body(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The ``eventRequest`` (without targets) for a notification ``payload`` of ``kind``."""
    start, end = window(payload)
    direction, mode = payload["direction"], payload["mode"]
    values: dict[str, list[Any]] = {
        "GZ_EVENT_ID": [payload["event_id"]],
        "GZ_DIRECTION": [direction.upper()],
        "GZ_MODE": [mode.upper()],
        "GZ_PRICE_MODE": [payload["price_mode"].upper()],
    }
    report: list[dict[str, Any]] = [
        {
            "payloadType": "DEMAND",
            "readingType": "DIRECT_READ",
            "units": "KW",
            "reportIntervals": "OPEN_INTERVALS",
        }
    ]
    if kind == "invitation":
        values["GZ_DEMAND"] = [_number(payload["demand_kw"])]
        values["GZ_REGISTERED_KW"] = [_number(payload["registered_kw"])]
        values["GZ_BID_DEADLINE"] = [
            wire_time(dt.datetime.fromisoformat(payload["deadlines"]["bids_close"]))
        ]
        report = [
            {
                "payloadType": BID_KW,
                "readingType": "FORECAST",
                "units": "KW",
                "startInterval": 0,
                "numIntervals": 1,
                "historical": False,
            }
        ]
        if payload["price_mode"] == "bidding":
            report.append(
                {
                    "payloadType": BID_PRICE,
                    "units": "KWH",
                    "startInterval": 0,
                    "numIntervals": 1,
                    "historical": False,
                }
            )
    elif kind == "plan":
        values["GZ_DEMAND"] = [_number(payload["demand_kw"])]
        values["DISPATCH_SETPOINT_RELATIVE"] = [_signed(payload["awarded_kw"], direction)]
    else:
        values["GZ_DEMAND"] = [_number(payload["capacity_kw"])]
        values["DISPATCH_SETPOINT_RELATIVE"] = [_signed(payload["assigned_kw"], direction)]
        values["GZ_NOTICE_AT"] = [wire_time(dt.datetime.fromisoformat(payload["notice_at"]))]
        values["GZ_TARGET_AT"] = [wire_time(dt.datetime.fromisoformat(payload["target_at"]))]
    price = payload.get("price") or payload.get("fixed_price")
    if kind == "invitation" and payload["price_mode"] == "bidding":
        price = None
    if price is not None:
        values["GZ_PRICE"] = [_number(price)]
    values["GZ_PRICE_CAP"] = [_number(payload["price_cap"])]
    baseline = payload.get("baseline") or {}
    if baseline.get("available"):
        values["BASELINE"] = [float(v) for v in baseline["kw"]]
    return {
        "programID": PROGRAM_ID,
        "eventName": f"{payload['event_id']} {TITLES[kind]} ({mode} {direction})",
        "priority": 0 if mode == "realtime" else 1,
        "payloadDescriptors": [EVENT_DESCRIPTORS[t] for t in values if t in EVENT_DESCRIPTORS],
        "intervalPeriod": {"start": wire_time(start), "duration": iso_duration(end - start)},
        "intervals": [{"id": 0, "payloads": [{"type": t, "values": v} for t, v in values.items()]}],
        "reportDescriptors": report,
    }


def cancelled_body(body: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """``body`` called off: no time at all, no reports wanted, and why (``GZ_CANCELLED``)."""
    cancelled_at = wire_time(dt.datetime.fromisoformat(payload["cancelled_at"]))
    interval = dict(body["intervals"][0])
    interval["payloads"] = [
        *interval["payloads"],
        {"type": "GZ_CANCELLED", "values": [payload["reason"], cancelled_at]},
    ]
    return {
        **body,
        "eventName": f"{body['eventName']} — 已取消 cancelled",
        "intervalPeriod": {"start": NEVER, "duration": "PT0S"},
        "intervals": [interval],
        "reportDescriptors": [],
    }


# ---- reports from VENs ----------------------------------------------------------------------


class ReportError(ValueError):
    """A report that cannot be read as a bid or as telemetry."""


@dataclass(frozen=True)
class Reading:
    """A resource's mean load over one minute (naive local start)."""

    resource: str
    at: dt.datetime
    kw: Decimal


def _numeric(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReportError(f"{what} must be a number, not {value!r}")
    return Decimal(str(value))


def bid_values(body: dict[str, Any]) -> tuple[Decimal, Decimal | None]:
    """kW offered (summed over the report's resources) and the price of a bid report.

    Raises
    ------
    ReportError
        No ``LOAD_SHED_DELTA_AVAILABLE``, more than one value per resource, differing prices.
    """
    kw: list[Decimal] = []
    prices: set[Decimal] = set()
    for resource in body.get("resources", []):
        offered = [
            value
            for interval in resource.get("intervals", [])
            for payload in interval.get("payloads", [])
            if payload.get("type") == BID_KW
            for value in payload.get("values", [])
        ]
        if len(offered) > 1:
            raise ReportError(
                f"resource {resource.get('resourceName')} gives {len(offered)} {BID_KW} values; "
                "a bid is one kW figure for the whole window"
            )
        kw.extend(_numeric(v, BID_KW) for v in offered)
        prices.update(
            _numeric(value, BID_PRICE)
            for interval in resource.get("intervals", [])
            for payload in interval.get("payloads", [])
            if payload.get("type") == BID_PRICE
            for value in payload.get("values", [])
        )
    if not kw:
        raise ReportError(f"a bid report needs a {BID_KW} payload (kW for the whole window)")
    if len(prices) > 1:
        raise ReportError(f"a bid has one price; the report gives {sorted(prices)}")
    return sum(kw, Decimal(0)), next(iter(prices), None)


def readings(body: dict[str, Any]) -> list[Reading]:
    """The DEMAND (kW) or USAGE (kWh over the interval) values of a report, per resource and
    minute; a multi-valued payload splits its interval evenly (User Guide 7.3).

    Raises
    ------
    ReportError
        A value without a start time, a USAGE without a duration, a value that is not a number.
    """
    found: list[Reading] = []
    for resource in body.get("resources", []):
        name = resource.get("resourceName", "")
        default = resource.get("intervalPeriod") or {}
        cursor: dt.datetime | None = None
        for interval in resource.get("intervals", []):
            own = interval.get("intervalPeriod") or {}
            try:
                start = local_time(own["start"]) if "start" in own else cursor
                if start is None and "start" in default:
                    start = local_time(default["start"])
                duration_text = own.get("duration", default.get("duration"))
                duration = parse_duration(duration_text) if duration_text else None
            except ValueError as err:
                raise ReportError(f"resource {name}: {err}") from err
            if start is None:
                raise ReportError(f"resource {name}: interval {interval.get('id')} has no start")
            cursor = start + duration if duration is not None else None
            for payload in interval.get("payloads", []):
                kind = payload.get("type")
                if kind not in TELEMETRY:
                    continue
                values = payload.get("values", [])
                if kind == "USAGE" and not duration:
                    raise ReportError(f"resource {name}: USAGE needs the interval's duration")
                step = duration / len(values) if duration and values else dt.timedelta(0)
                for i, value in enumerate(values):
                    amount = _numeric(value, kind)
                    if kind == "USAGE":
                        amount /= Decimal(step.total_seconds()) / Decimal(3600)
                    at = (start + i * step).replace(second=0, microsecond=0)
                    found.append(Reading(name, at, amount.quantize(Decimal("0.001"))))
    return found


def baseline_at(
    baseline: list[float | None] | None, start: dt.datetime, at: dt.datetime
) -> Decimal | None:
    """The baseline kW of the 15-minute interval of the window holding ``at`` (the first
    before the window starts, the last after it ends)."""
    if not baseline:
        return None
    index = int((at - start) / dt.timedelta(minutes=INTERVAL_MINUTES))
    value = baseline[min(max(index, 0), len(baseline) - 1)]
    return None if value is None else Decimal(str(value))
