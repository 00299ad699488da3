"""The mapping between the platform's notifications and OpenADR objects, object privacy, and
the wire formats — pure functions, no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from gzvpp.openadr.mapping import (
    ReportError,
    baseline_at,
    bid_values,
    cancelled_body,
    event_body,
    program_body,
    readings,
)
from gzvpp.openadr.privacy import shown_targets
from gzvpp.openadr.vtn3.schemas import EventRequest, ProgramRequest
from gzvpp.openadr.wire import event_ends_at, iso_duration, local_time, parse_duration

EVENT = {
    "event_id": "E20250603-001",
    "direction": "peak",
    "mode": "day_ahead",
    "window": {"start": "2025-06-03T12:00:00", "end": "2025-06-03T13:00:00"},
    "price_mode": "bidding",
    "fixed_price": None,
    "price_cap": "5.0000",
}
BASELINE = {"type": "workday", "kw": [900.0, 950.5, 1000.0, 980.0], "available": True}


def values(body: dict[str, Any]) -> dict[str, list[Any]]:
    return {p["type"]: p["values"] for p in body["intervals"][0]["payloads"]}


def test_an_invitation_asks_for_a_bid_and_tells_the_baseline_and_deadline() -> None:
    payload = {
        **EVENT,
        "demand_kw": "400.000",
        "registered_kw": "800.000",
        "deadlines": {"bids_close": "2025-06-02T11:00:00"},
        "baseline": BASELINE,
    }
    body = event_body("invitation", payload)
    EventRequest.model_validate(body)  # a valid eventRequest
    assert body["intervalPeriod"] == {"start": "2025-06-03T12:00:00+08:00", "duration": "PT1H"}
    assert values(body) == {
        "GZ_EVENT_ID": ["E20250603-001"],
        "GZ_DIRECTION": ["PEAK"],
        "GZ_MODE": ["DAY_AHEAD"],
        "GZ_PRICE_MODE": ["BIDDING"],
        "GZ_DEMAND": [400.0],
        "GZ_REGISTERED_KW": [800.0],
        "GZ_BID_DEADLINE": ["2025-06-02T11:00:00+08:00"],
        "GZ_PRICE_CAP": [5.0],
        "BASELINE": [900.0, 950.5, 1000.0, 980.0],
    }
    assert [d["payloadType"] for d in body["reportDescriptors"]] == [
        "LOAD_SHED_DELTA_AVAILABLE",
        "GZ_BID_PRICE",
    ]


def test_a_fixed_price_invitation_asks_for_kw_only_and_states_the_price() -> None:
    payload = {
        **EVENT,
        "price_mode": "fixed",
        "fixed_price": "3.0000",
        "demand_kw": "400.000",
        "registered_kw": "800.000",
        "deadlines": {"bids_close": "2025-06-02T11:00:00"},
        "baseline": {"type": None, "kw": None, "available": False},
    }
    body = event_body("invitation", payload)
    assert values(body)["GZ_PRICE"] == [3.0]
    assert "BASELINE" not in values(body)
    assert [d["payloadType"] for d in body["reportDescriptors"]] == ["LOAD_SHED_DELTA_AVAILABLE"]


def test_plans_and_dispatches_carry_the_kw_as_a_change_of_consumption() -> None:
    plan = event_body(
        "plan",
        {
            **EVENT,
            "direction": "valley",
            "demand_kw": "400",
            "awarded_kw": "250.5",
            "price": "1.5000",
            "place": 1,
            "baseline": BASELINE,
        },
    )
    assert values(plan)["DISPATCH_SETPOINT_RELATIVE"] == [250.5]
    assert values(plan)["GZ_PRICE"] == [1.5]
    dispatch = event_body(
        "dispatch",
        {
            **EVENT,
            "mode": "realtime",
            "price_mode": "fixed",
            "fixed_price": "4",
            "capacity_kw": "300",
            "assigned_kw": "300",
            "notice_at": "2025-06-03T14:02:00",
            "target_at": "2025-06-03T14:07:00",
            "baseline": BASELINE,
        },
    )
    assert values(dispatch)["DISPATCH_SETPOINT_RELATIVE"] == [-300.0]
    assert values(dispatch)["GZ_TARGET_AT"] == ["2025-06-03T14:07:00+08:00"]
    assert dispatch["priority"] == 0
    assert [d["payloadType"] for d in dispatch["reportDescriptors"]] == ["DEMAND"]
    gone = cancelled_body(dispatch, {"reason": "电网恢复", "cancelled_at": "2025-06-03T08:00:00"})
    EventRequest.model_validate(gone)
    assert gone["intervalPeriod"] == {"start": "0001-01-01T00:00:00Z", "duration": "PT0S"}
    assert values(gone)["GZ_CANCELLED"] == ["电网恢复", "2025-06-03T08:00:00+08:00"]
    assert event_ends_at(gone) is not None and event_ends_at(gone) < dt.datetime(2000, 1, 1)


def test_the_program_is_a_valid_program_request() -> None:
    assert ProgramRequest.model_validate(program_body()).programName == "GZ-VPP"


def report(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"eventID": "e", "clientName": "c", "resources": list(resources)}


def resource(name: str, *payloads: tuple[str, list[Any]], **period: str) -> dict[str, Any]:
    found: dict[str, Any] = {
        "resourceName": name,
        "intervals": [{"id": 0, "payloads": [{"type": t, "values": v} for t, v in payloads]}],
    }
    if period:
        found["intervalPeriod"] = period
    return found


def test_a_bid_sums_an_aggregators_resources_under_one_price() -> None:
    body = report(
        resource("m1", ("LOAD_SHED_DELTA_AVAILABLE", [300]), ("GZ_BID_PRICE", [3.2])),
        resource("m2", ("LOAD_SHED_DELTA_AVAILABLE", [150.5]), ("GZ_BID_PRICE", [3.2])),
    )
    assert bid_values(body) == (Decimal("450.5"), Decimal("3.2"))
    assert bid_values(report(resource("m", ("LOAD_SHED_DELTA_AVAILABLE", [10])))) == (
        Decimal(10),
        None,
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (report(resource("m", ("USAGE", [1]))), "needs a LOAD_SHED_DELTA_AVAILABLE"),
        (report(resource("m", ("LOAD_SHED_DELTA_AVAILABLE", [1, 2]))), "one kW figure"),
        (report(resource("m", ("LOAD_SHED_DELTA_AVAILABLE", ["500"]))), "must be a number"),
        (report(resource("m", ("LOAD_SHED_DELTA_AVAILABLE", [True]))), "must be a number"),
        (
            report(
                resource("a", ("LOAD_SHED_DELTA_AVAILABLE", [1]), ("GZ_BID_PRICE", [1])),
                resource("b", ("LOAD_SHED_DELTA_AVAILABLE", [1]), ("GZ_BID_PRICE", [2])),
            ),
            "one price",
        ),
    ],
)
def test_a_report_that_is_no_bid_is_refused(body: dict[str, Any], message: str) -> None:
    with pytest.raises(ReportError, match=message):
        bid_values(body)


def test_telemetry_in_kw_or_kwh_per_minute() -> None:
    body = report(
        resource("m1", ("DEMAND", [600, 610, 620]), start="2025-06-03T04:00:30Z", duration="PT3M"),
        resource("m2", ("USAGE", [2.5]), start="2025-06-03T12:01:00+08:00", duration="PT1M"),
    )
    found = [(r.resource, r.at, r.kw) for r in readings(body)]
    assert found == [
        ("m1", dt.datetime(2025, 6, 3, 12, 0), Decimal("600.000")),
        ("m1", dt.datetime(2025, 6, 3, 12, 1), Decimal("610.000")),
        ("m1", dt.datetime(2025, 6, 3, 12, 2), Decimal("620.000")),
        ("m2", dt.datetime(2025, 6, 3, 12, 1), Decimal("150.000")),
    ]
    with pytest.raises(ReportError, match="has no start"):
        readings(report(resource("m", ("DEMAND", [1]))))
    with pytest.raises(ReportError, match="USAGE needs"):
        readings(report(resource("m", ("USAGE", [1]), start="2025-06-03T12:00:00+08:00")))


def test_the_baseline_of_a_minute_is_its_15_minute_intervals() -> None:
    start = dt.datetime(2025, 6, 3, 12, 0)
    line = [1.0, 2.0, None, 4.0]
    assert baseline_at(line, start, dt.datetime(2025, 6, 3, 11, 58)) == Decimal("1.0")
    assert baseline_at(line, start, dt.datetime(2025, 6, 3, 12, 14)) == Decimal("1.0")
    assert baseline_at(line, start, dt.datetime(2025, 6, 3, 12, 15)) == Decimal("2.0")
    assert baseline_at(line, start, dt.datetime(2025, 6, 3, 12, 31)) is None
    assert baseline_at(line, start, dt.datetime(2025, 6, 3, 14, 0)) == Decimal("4.0")
    assert baseline_at(None, start, start) is None


@pytest.mark.parametrize(
    ("targets", "granted", "requested", "shown"),
    [
        (["a", "b"], None, None, ["a", "b"]),  # BL sees all
        (["a", "b"], None, ["b"], ["a", "b"]),  # BL filtering: matches, shows all
        (["a"], None, ["z"], None),
        ([], {"a"}, None, []),  # untargeted: anyone, by id
        ([], {"a"}, [], []),  # untargeted: a list without targets
        ([], {"a"}, ["a"], None),  # a list with targets shows only targeted objects
        (["a", "b"], {"a"}, None, ["a"]),  # by id: the granted ones only (hiding)
        (["a", "b"], {"a"}, [], None),  # a list must name its targets
        (["a", "b"], {"a"}, ["a", "b"], ["a"]),  # b asked for but not granted
        (["b"], {"a"}, ["b"], None),
    ],
)
def test_targeting_and_hiding(
    targets: list[str], granted: set[str] | None, requested: list[str] | None, shown: Any
) -> None:
    assert shown_targets(targets, granted=granted, requested=requested) == shown


def test_wire_times_and_durations() -> None:
    assert local_time("2025-06-03T04:00:00Z") == dt.datetime(2025, 6, 3, 12, 0)
    assert local_time("2025-06-03T12:00:00+08:00") == dt.datetime(2025, 6, 3, 12, 0)
    assert local_time("2016-12-31T23:59:60Z") == dt.datetime(2017, 1, 1, 7, 59, 59)
    with pytest.raises(ValueError, match="no UTC offset"):
        local_time("2025-06-03T12:00:00")
    assert [iso_duration(dt.timedelta(minutes=m)) for m in (0, 45, 60, 90)] == [
        "PT0S",
        "PT45M",
        "PT1H",
        "PT1H30M",
    ]
    assert parse_duration("P1DT2H30M") == dt.timedelta(days=1, hours=2, minutes=30)
    with pytest.raises(ValueError, match="weeks, days"):
        parse_duration("P1Y")
