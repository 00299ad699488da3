"""Drives ElaadNL's ``openadr3-client`` against the VTN, one step per run, for
``test_openadr3_client_interop.py``. It runs under the client's own Python 3.12 venv (the
client needs Python >= 3.12; the platform runs on 3.11), so it imports nothing of the platform.

``python openadr3_client_driver.py STEP BASE_URL CLIENT_ID CLIENT_SECRET [ARG ...]`` prints one
JSON object on stdout:

* ``program-and-event``: as BL, create a program and an event in it through the client's
  models (which send ``null`` for every optional property left unset); their ids and the
  event's name as read back.
* ``bid GZ_EVENT_ID KW PRICE``: as a VEN, find its ven object and targets, the GZ-VPP program,
  the invitation carrying ``GZ_EVENT_ID``, and report the bid on it; the report's id.
* ``telemetry GZ_EVENT_ID KW``: as a VEN, find the plan of ``GZ_EVENT_ID`` and report the
  site's demand at the plan's start; the report's id.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from openadr3_client._models.common.interval import Interval
from openadr3_client._models.common.interval_period import IntervalPeriod
from openadr3_client.bl.http_factory import BusinessLogicHttpClientFactory
from openadr3_client.oadr310._vtn.interfaces.filters import TargetFilter
from openadr3_client.oadr310.models.event.event import NewEvent
from openadr3_client.oadr310.models.event.event_payload import EventPayload, EventPayloadType
from openadr3_client.oadr310.models.program.program import NewProgram
from openadr3_client.oadr310.models.report.report import NewReport, ReportResource
from openadr3_client.oadr310.models.report.report_payload import ReportPayload, ReportPayloadType
from openadr3_client.ven.http_factory import VirtualEndNodeHttpClientFactory
from openadr3_client.version import OADRVersion

PROGRAM = "GZ-VPP"


def _connection(base: str, client_id: str, secret: str) -> dict[str, Any]:
    """What both factories take: OpenADR 3.1.0 over the test's plain-HTTP loopback."""
    return {
        "vtn_base_url": base,
        "client_id": client_id,
        "client_secret": secret,
        "allow_insecure_http": True,
        "version": OADRVersion.OADR_310,
    }


def program_and_event(base: str, client_id: str, secret: str) -> dict[str, Any]:
    bl = BusinessLogicHttpClientFactory.create_http_bl_client(
        **_connection(base, client_id, secret)
    )
    stamp = dt.datetime.now(dt.UTC).strftime("%H%M%S%f")
    program = bl.programs.create_program(NewProgram(program_name=f"interop-{stamp}"))
    start = dt.datetime(2025, 6, 3, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    event = bl.events.create_event(
        NewEvent(
            program_id=program.id,
            event_name="interop price",
            interval_period=IntervalPeriod(start=start, duration=dt.timedelta(hours=1)),
            intervals=(
                Interval(
                    id=0,
                    payloads=(EventPayload(type=EventPayloadType.PRICE, values=(1.5,)),),
                ),
            ),
        )
    )
    read_back = bl.events.get_event_by_id(event.id)
    return {"program_id": program.id, "event_id": event.id, "event_name": read_back.event_name}


def _ven(base: str, client_id: str, secret: str) -> tuple[Any, str, str]:
    """The VEN client, its granted target and the GZ-VPP program's id."""
    ven = VirtualEndNodeHttpClientFactory.create_http_ven_client(
        **_connection(base, client_id, secret)
    )
    (own,) = ven.vens.get_vens(ven_name=None, target=None, pagination=None)
    assert own.targets, "the ven object carries no granted target"
    (program,) = [
        p
        for p in ven.programs.get_programs(target=None, pagination=None)
        if p.program_name == PROGRAM
    ]
    return ven, own.targets[0], program.id


def _event_of(ven: Any, target: str, program_id: str, gz_event_id: str, kind: str) -> Any:
    for event in ven.events.get_events(
        target=TargetFilter(targets=[target]), pagination=None, program_id=program_id
    ):
        values = {p.type: p.values for p in (event.intervals or ())[0].payloads}
        if kind in (event.event_name or "") and values.get("GZ_EVENT_ID") == (gz_event_id,):
            return event
    raise SystemExit(f"no {kind} for {gz_event_id} among the VEN's events")


def _report(ven: Any, event: Any, client_name: str, period: Any, payloads: tuple[Any, ...]) -> str:
    report = ven.reports.create_report(
        NewReport(
            event_id=event.id,
            client_name=client_name,
            resources=(
                ReportResource(
                    resource_name="AGGREGATED_REPORT",
                    interval_period=period,
                    intervals=(Interval(id=0, payloads=payloads),),
                ),
            ),
        )
    )
    return str(report.id)


def bid(
    base: str, client_id: str, secret: str, gz_event_id: str, kw: str, price: str
) -> dict[str, Any]:
    ven, target, program_id = _ven(base, client_id, secret)
    invitation = _event_of(ven, target, program_id, gz_event_id, "invitation")
    payloads = (
        ReportPayload(type=ReportPayloadType.LOAD_SHED_DELTA_AVAILABLE, values=(float(kw),)),
        ReportPayload(type=ReportPayloadType("GZ_BID_PRICE"), values=(float(price),)),
    )
    return {"report_id": _report(ven, invitation, client_id, invitation.interval_period, payloads)}


def telemetry(base: str, client_id: str, secret: str, gz_event_id: str, kw: str) -> dict[str, Any]:
    ven, target, program_id = _ven(base, client_id, secret)
    plan = _event_of(ven, target, program_id, gz_event_id, "plan")
    # One minute's demand at the window's start.
    minute = IntervalPeriod(start=plan.interval_period.start, duration=dt.timedelta(minutes=1))
    payloads = (ReportPayload(type=ReportPayloadType.DEMAND, values=(float(kw),)),)
    return {"report_id": _report(ven, plan, client_id, minute, payloads)}


STEPS = {"program-and-event": program_and_event, "bid": bid, "telemetry": telemetry}

if __name__ == "__main__":
    step, *arguments = sys.argv[1:]
    print(json.dumps(STEPS[step](*arguments)))
