"""The OpenADR 2.0b VTN for the installed base, served by FastAPI at
``/OpenADR2/Simple/2.0b/{service}`` (simple HTTP, pull), beside the OpenADR 3 VTN.

Messages are (de)serialised and checked against the 2.0b XML schema by openleadr's messaging
layer; everything else is the platform's. A VEN is provisioned by the grid operator with its
``venName`` and certificate fingerprint, and must sign every message (XML signature) with that
certificate: the VTN verifies the signature and the fingerprint, so identity does not depend on
how TLS is terminated in front of the app. An unknown or unsigned VEN gets error 452/463 and
nothing else.

What a 2.0b VEN sees and does (docs/openadr.md has the details):

* its events (``oadrDistributeEvent`` on ``oadrRequestEvent``, or on the poll after a change)
  are the participant's OpenADR 3 events rendered as 2.0b: ``SIMPLE`` (0 invitation, 1 act),
  ``BID_LOAD`` (kW asked, awarded or assigned), ``BID_PRICE`` (CNY/kWh), ``LOAD_DISPATCH``
  (delta kW to deliver) and the baseline as ``eiEventBaseline``; a cancellation is the event
  with status ``cancelled`` and a new modification number;
* opting in to an invitation (``oadrCreatedEvent`` optIn) makes the VTN request, on the next
  poll, a one-off report of the data points the VEN registered with report type
  ``deltaDemand`` (the kW it offers for the window) and ``price`` (CNY/kWh, bidding mode): the
  ``oadrUpdateReport`` answering it is the bid, submitted through the events service as
  ``openadr2b`` (2.0b's optIn carries no quantity);
* its ``TELEMETRY_USAGE`` data points of real power (report types reading, usage or demand)
  are requested at registration every ``telemetry_granularity`` and feed the monitoring of the
  events it is awarded in.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request, Response
from openleadr.messaging import validate_xml_signature
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gzkit.db import session_scope
from gzkit.errors import DomainError
from gzkit.timezone import SHANGHAI
from gzvpp.core.model import Mode
from gzvpp.kit.auth import Actor
from gzvpp.models import (
    Award,
    Event,
    EventStatus,
    ObjectType,
    OpenADRObject,
    PlatformUser,
    Ven2b,
    Ven2bMessage,
)
from gzvpp.openadr import monitoring
from gzvpp.openadr.bids import submit_bid
from gzvpp.openadr.mapping import Reading, window
from gzvpp.openadr.runtime import OpenADR, runtime_of
from gzvpp.openadr.xml2b import parse, render

PREFIX = "/OpenADR2/Simple/2.0b"
VTN_ID = "GZVPP_VTN"
MARKET_CONTEXT = "http://gzvpp.local/programs/GZ-VPP"
SOURCE = "openadr2b"
RECENT = dt.timedelta(days=3)
TELEMETRY_TYPES = ("reading", "usage", "demand")
BID_KW_TYPE, BID_PRICE_TYPE = "deltaDemand", "price"
# Real power of a site, bid or measured, is W, kW or MW (SI scale none, k, M); milliwatts or
# gigawatts are a VEN's configuration mistake, refused at registration rather than silently
# scaled. 1 W is 0.001 kW: a bid of 450 on a point registered in plain W is 0.45 kW.
KW_PER_SCALED_W = {"none": Decimal("0.001"), "k": Decimal(1), "M": Decimal(1000)}
# Status codes of 2.0b's eiResponse.
OK, INVALID_DATA, INVALID_ID, NOT_RECOGNIZED, NOT_AUTHORIZED = 200, 454, 452, 453, 463
KW = {
    "ns": "power",
    "name": "powerReal",
    "description": "RealPower",
    "unit": "W",
    "scale": "k",
    "power_attributes": {"hertz": 50, "voltage": 220, "ac": True},
}
CNY_PER_KWH = {
    "ns": "oadr",
    "name": "currencyPerKWh",
    "description": "currencyPerKWh",
    "unit": "CNY",
    "scale": "none",
}

router = APIRouter(prefix=PREFIX, tags=["OpenADR 2.0b VTN"])
log = logging.getLogger(__name__)


class Refusal(Exception):
    """An eiResponse error code and description for the VEN."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


@router.post("/{service}", summary="OpenADR 2.0b simple HTTP service")
async def service(service: str, request: Request) -> Response:
    """EiRegisterParty, EiEvent, EiReport, EiOpt and OadrPoll: one signed oadrPayload in, one
    oadrPayload out (HTTP 400 for a body that is not a 2.0b message, 413 for one larger than
    the VTN reads)."""
    runtime = runtime_of(request)
    raw = await request.body()  # at most Settings.max_body bytes: gzvpp.edge caps it
    try:
        tree, message_type, payload = parse(raw)
    except Exception as err:  # defusedxml/lxml/xmltodict raise many kinds
        return Response(f"not an OpenADR 2.0b message: {err}", 400, media_type="text/plain")
    reply_type, reply = await run_in_threadpool(_handle, runtime, tree, message_type, payload)
    return Response(render(reply_type, reply), media_type="application/xml")


def _handle(
    runtime: OpenADR, tree: Any, message_type: str, payload: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    request_id = payload.get("request_id") or (payload.get("response") or {}).get("request_id")
    try:
        with session_scope(runtime.factory) as session:
            vtn = Vtn2b(session, runtime, runtime.clock.now())
            return vtn.handle(tree, message_type, payload, request_id)
    except Refusal as refusal:
        return "oadrResponse", {
            "response": _response(request_id, refusal.code, refusal.description),
            "ven_id": payload.get("ven_id"),
        }


def _response(request_id: Any, code: int = OK, description: str = "OK") -> dict[str, Any]:
    return {"response_code": code, "response_description": description, "request_id": request_id}


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=SHANGHAI)


class Vtn2b:
    """One 2.0b message, within one transaction."""

    def __init__(self, session: Session, runtime: OpenADR, now: dt.datetime) -> None:
        self.session, self.runtime, self.now = session, runtime, now
        self.settings = runtime.settings

    def handle(
        self, tree: Any, message_type: str, payload: dict[str, Any], request_id: Any
    ) -> tuple[str, dict[str, Any]]:
        """The reply to one message."""
        if message_type == "oadrQueryRegistration":
            return "oadrCreatedPartyRegistration", self._registration(request_id, None)
        ven = self._authenticate(tree, message_type, payload)
        if message_type == "oadrCreatePartyRegistration":
            ven.registration_id = ven.registration_id or f"reg-{secrets.token_hex(8)}"
            ven.registered_at = self.now
            return "oadrCreatedPartyRegistration", self._registration(request_id, ven)
        if ven.registration_id is None:
            if message_type == "oadrPoll":
                return "oadrRequestReregistration", {"ven_id": ven.id}
            raise Refusal(NOT_AUTHORIZED, "register first (oadrCreatePartyRegistration)")
        ok = {"response": _response(request_id), "ven_id": ven.id}
        if message_type == "oadrCancelPartyRegistration":
            registration_id, ven.registration_id = ven.registration_id, None
            return "oadrCanceledPartyRegistration", {**ok, "registration_id": registration_id}
        if message_type == "oadrRegisterReport":
            return "oadrRegisteredReport", {
                **ok,
                "report_requests": self._register_reports(ven, payload.get("reports") or []),
            }
        if message_type in ("oadrRequestEvent", "oadrPoll"):
            return self._next_message(ven, request_id, events_only=message_type != "oadrPoll")
        if message_type == "oadrCreatedEvent":
            self._opted(ven, payload.get("event_responses") or [])
            return "oadrResponse", ok
        if message_type == "oadrUpdateReport":
            code, description = self._reports(ven, payload.get("reports") or [])
            return "oadrUpdatedReport", {**ok, "response": _response(request_id, code, description)}
        if message_type in ("oadrCreateOpt", "oadrCancelOpt"):
            reply = "oadrCreatedOpt" if message_type == "oadrCreateOpt" else "oadrCanceledOpt"
            return reply, {**ok, "opt_id": payload.get("opt_id")}
        if message_type in ("oadrCreatedReport", "oadrCanceledReport", "oadrResponse"):
            return "oadrResponse", ok
        raise Refusal(NOT_RECOGNIZED, f"{message_type} is not supported")

    # ---- identity ---------------------------------------------------------------------------

    def _authenticate(self, tree: Any, message_type: str, payload: dict[str, Any]) -> Ven2b:
        ven_id = payload.get("ven_id")
        if ven_id is not None:
            ven = self.session.get(Ven2b, str(ven_id), with_for_update=True)
        elif message_type == "oadrCreatePartyRegistration":
            ven = self.session.scalars(
                select(Ven2b).where(Ven2b.ven_name == str(payload.get("ven_name")))
            ).one_or_none()
        else:
            ven = None
        if ven is None:
            raise Refusal(INVALID_ID, "unknown VEN; the grid operator provisions VENs")
        try:
            validate_xml_signature(tree, cert_fingerprint=ven.fingerprint)
        except Exception as err:  # no signature, wrong certificate, replayed, tampered
            raise Refusal(
                NOT_AUTHORIZED,
                "sign every message with the certificate provisioned for this VEN "
                f"({type(err).__name__})",
            ) from err
        owner = self.session.get(PlatformUser, ven.user_id)
        if owner is not None and owner.disabled_at is not None:  # `gzvpp user disable`
            raise Refusal(NOT_AUTHORIZED, "this VEN's platform user is disabled")
        return ven

    def _registration(self, request_id: Any, ven: Ven2b | None) -> dict[str, Any]:
        return {
            "response": _response(request_id),
            "vtn_id": VTN_ID,
            "ven_id": ven.id if ven else None,
            "registration_id": ven.registration_id if ven else None,
            "profiles": [
                {"profile_name": "2.0b", "transports": [{"transport_name": "simpleHttp"}]}
            ],
            "requested_oadr_poll_freq": self.settings.poll_frequency,
        }

    # ---- reports registered, requested and received --------------------------------------

    def _register_reports(self, ven: Ven2b, reports: list[dict[str, Any]]) -> list[Any]:
        points: dict[str, Any] = {}
        for report in reports:
            for description in report.get("report_descriptions") or []:
                measurement = description.get("measurement") or {}
                points[str(description["r_id"])] = {
                    "report_specifier_id": str(report["report_specifier_id"]),
                    "report_name": report.get("report_name"),
                    "report_type": description.get("report_type"),
                    "reading_type": description.get("reading_type"),
                    "unit": measurement.get("unit"),
                    "scale": measurement.get("scale") or "none",
                }
        for r_id, point in points.items():
            if point["report_type"] == BID_KW_TYPE or (
                point["report_type"] in TELEMETRY_TYPES and point["unit"] == "W"
            ):
                _kw_factor(r_id, point)
        ven.data_points = points
        telemetry: dict[str, list[str]] = {}
        for r_id, point in points.items():
            if point["report_type"] in TELEMETRY_TYPES and point["unit"] == "W":
                telemetry.setdefault(point["report_specifier_id"], []).append(r_id)
        requests = []
        for specifier, r_ids in telemetry.items():
            request = self._report_request(
                ven, specifier, r_ids, "telemetry", None, self.settings.telemetry_granularity
            )
            request.delivered_at = self.now
            requests.append(_report_request(request))
        return requests

    def _report_request(
        self,
        ven: Ven2b,
        specifier: str,
        r_ids: list[str],
        purpose: str,
        object_id: str | None,
        granularity: dt.timedelta,
    ) -> Ven2bMessage:
        points = ven.data_points or {}
        message = Ven2bMessage(
            ven_id=ven.id,
            kind="report_request",
            report_request_id=f"{purpose}-{uuid.uuid4().hex[:16]}",
            purpose=purpose,
            object_id=object_id,
            payload={
                "report_specifier_id": specifier,
                "granularity_s": granularity.total_seconds(),
                "points": [[r_id, points[r_id]["reading_type"]] for r_id in r_ids],
            },
            created_at=self.now,
        )
        self.session.add(message)
        return message

    def _opted(self, ven: Ven2b, responses: list[dict[str, Any]]) -> None:
        """An optIn to an invitation asks the VEN for its bid (once per invitation): the
        deltaDemand data point and the price data points of the same report."""
        points = ven.data_points or {}
        offered = [r for r, p in points.items() if p["report_type"] == BID_KW_TYPE]
        for answer in responses:
            obj = self._event_of(ven, str(answer.get("event_id")))
            if obj is None or obj.gz_kind != "invitation" or answer.get("opt_type") != "optIn":
                continue
            asked = self.session.scalar(
                select(Ven2bMessage.id).where(
                    Ven2bMessage.ven_id == ven.id,
                    Ven2bMessage.purpose == "bid",
                    Ven2bMessage.object_id == obj.id,
                )
            )
            if asked is not None:
                continue
            if not offered:
                raise Refusal(
                    INVALID_DATA,
                    "to bid, register a data point with report type deltaDemand (kW offered)",
                )
            specifier = points[offered[0]]["report_specifier_id"]
            r_ids = [
                r
                for r, p in points.items()
                if p["report_specifier_id"] == specifier
                and p["report_type"] in (BID_KW_TYPE, BID_PRICE_TYPE)
            ]
            self._report_request(ven, specifier, r_ids, "bid", obj.id, dt.timedelta(0))

    def _reports(self, ven: Ven2b, reports: list[dict[str, Any]]) -> tuple[int, str]:
        outcome = (OK, "OK")
        for report in reports:
            request = self.session.scalars(
                select(Ven2bMessage).where(
                    Ven2bMessage.ven_id == ven.id,
                    Ven2bMessage.report_request_id == str(report.get("report_request_id")),
                )
            ).one_or_none()
            if request is None:
                outcome = (INVALID_ID, f"no report request {report.get('report_request_id')}")
                continue
            values = [
                (interval.get("dtstart"), interval["report_payload"])
                for interval in report.get("intervals") or []
            ]
            try:
                if request.purpose == "bid":
                    # Said back in kW, so a VEN that meant kW on a point registered in W sees it.
                    outcome = (OK, f"OK: bid of {self._bid(ven, request, values):f} kW")
                else:
                    self._telemetry(ven, values)
            except Refusal as refusal:
                outcome = (refusal.code, refusal.description)
        return outcome

    @staticmethod
    def _number(r_id: str, value: Any) -> Decimal:
        try:
            return Decimal(str(value))
        except InvalidOperation as err:
            raise Refusal(INVALID_DATA, f"{r_id}: {value!r} is not a number") from err

    def _bid(self, ven: Ven2b, request: Ven2bMessage, values: list[tuple[Any, Any]]) -> Decimal:
        """Submit the bid of a report answering a bid request; its kW."""
        points = ven.data_points or {}
        kw: Decimal | None = None
        price: Decimal | None = None
        for _, payload in values:
            r_id = str(payload.get("r_id"))
            kind = (points.get(r_id) or {}).get("report_type")
            if kind == BID_KW_TYPE:
                kw = self._number(r_id, payload.get("value")) * _kw_factor(r_id, points[r_id])
            elif kind == BID_PRICE_TYPE:
                price = self._number(r_id, payload.get("value"))
        if kw is None:
            raise Refusal(INVALID_DATA, "the bid report has no deltaDemand value")
        obj = self._event_of(ven, request.object_id or "")
        if obj is None or obj.gz_event_id is None:
            raise Refusal(INVALID_ID, "the invitation of this report request is gone")
        user = self.session.get(PlatformUser, ven.user_id)
        assert user is not None  # a foreign key
        actor = Actor(user.id, user.name, user.role, user.participant_id)
        try:
            with self.session.begin_nested():
                submit_bid(
                    self.session,
                    actor,
                    self.now,
                    obj.gz_event_id,
                    kw.normalize(),
                    price.normalize() if price is not None else None,
                    SOURCE,
                )
        except DomainError as err:
            raise Refusal(INVALID_DATA, err.message) from err
        return kw.normalize()

    def _telemetry(self, ven: Ven2b, values: list[tuple[Any, Any]]) -> None:
        points = ven.data_points or {}
        readings: list[Reading] = []
        for start, payload in values:
            r_id = str(payload.get("r_id"))
            point = points.get(r_id)
            if point is None or point["report_type"] not in TELEMETRY_TYPES or not start:
                continue
            at = start.astimezone(SHANGHAI).replace(tzinfo=None, second=0, microsecond=0)
            kw = self._number(r_id, payload.get("value")) * _kw_factor(r_id, point)
            readings.append(Reading(r_id, at, kw.quantize(Decimal("0.001"))))
        for event, chunk in _by_event(self.session, ven.participant_id, readings):
            monitoring.record_readings(
                self.session, event, ven.participant_id, chunk, SOURCE, self.now
            )

    # ---- events --------------------------------------------------------------------------

    def _event_of(self, ven: Ven2b, object_id: str) -> OpenADRObject | None:
        obj = self.session.get(OpenADRObject, object_id)
        if obj is None or obj.gz_participant_id != ven.participant_id:
            return None
        return obj

    def _next_message(
        self, ven: Ven2b, request_id: Any, *, events_only: bool
    ) -> tuple[str, dict[str, Any]]:
        pending = self.session.scalars(
            select(Ven2bMessage)
            .where(Ven2bMessage.ven_id == ven.id, Ven2bMessage.delivered_at.is_(None))
            .order_by(Ven2bMessage.id)
        ).all()
        for message in pending:
            if message.kind == "events":
                message.delivered_at = self.now
        report = next((m for m in pending if m.kind == "report_request"), None)
        if not events_only and report is not None and not any(m.kind == "events" for m in pending):
            report.delivered_at = self.now
            return "oadrCreateReport", {
                "request_id": uuid.uuid4().hex,
                "ven_id": ven.id,
                "report_requests": [_report_request(report)],
            }
        if events_only or any(m.kind == "events" for m in pending):
            return "oadrDistributeEvent", {
                "response": _response(request_id),
                "request_id": uuid.uuid4().hex,
                "vtn_id": VTN_ID,
                "events": self._events(ven),
            }
        return "oadrResponse", {"response": _response(request_id), "ven_id": ven.id}

    def _events(self, ven: Ven2b) -> list[dict[str, Any]]:
        """The participant's events whose window has not ended (a day-ahead invitation is
        made at most two days before its window ends)."""
        objects = self.session.scalars(
            select(OpenADRObject)
            .where(
                OpenADRObject.object_type == ObjectType.EVENT,
                OpenADRObject.gz_participant_id == ven.participant_id,
                OpenADRObject.gz_kind.is_not(None),
                OpenADRObject.created_at >= self.now - RECENT,
            )
            .order_by(OpenADRObject.created_at)
        ).all()
        return [e for e in (self._event(obj, ven) for obj in objects) if e is not None]

    def _event(self, obj: OpenADRObject, ven: Ven2b) -> dict[str, Any] | None:
        gz = obj.gz or {}
        payload = gz["payload"]
        start, end = window(payload)
        if end <= self.now:
            return None
        kind = obj.gz_kind
        status = "cancelled" if "cancelled" in gz else "far" if self.now < start else "active"
        kw = (
            payload.get("demand_kw")
            if kind == "invitation"
            else payload.get("awarded_kw", payload.get("assigned_kw"))
        )
        price = payload.get("price") or payload.get("fixed_price") or payload["price_cap"]
        period = {"dtstart": _aware(start), "duration": end - start}

        def signal(name: str, type_: str, value: float, unit: Any = None) -> dict[str, Any]:
            return {
                "signal_name": name,
                "signal_type": type_,
                "signal_id": name.lower(),
                "intervals": [{**period, "signal_payload": value}],
                "measurement": unit,
            }

        signals = [
            signal("SIMPLE", "level", 0 if kind == "invitation" else 1),
            signal("BID_LOAD", "setpoint", float(Decimal(kw or "0")), KW),
            signal("BID_PRICE", "price", float(Decimal(price)), CNY_PER_KWH),
        ]
        if kind != "invitation":
            delivered = float(Decimal(kw or "0"))
            signals.append(
                signal(
                    "LOAD_DISPATCH",
                    "delta",
                    -delivered if payload["direction"] == "peak" else delivered,
                    KW,
                )
            )
        comment = f"GZ-VPP {payload['event_id']} {kind} {payload['mode']} {payload['direction']}"
        if kind == "invitation":
            comment += f"; bids close {payload['deadlines']['bids_close']}+08:00"
        if kind == "dispatch":
            comment += f"; reach the target by {payload['target_at']}+08:00"
        return {
            "event_descriptor": {
                "event_id": obj.id,
                "modification_number": obj.modification_number,
                "modification_date_time": _aware(obj.modified_at),
                "market_context": MARKET_CONTEXT,
                "event_status": status,
                "created_date_time": _aware(obj.created_at),
                "priority": 0 if payload["mode"] == "realtime" else 1,
                "test_event": False,
                "vtn_comment": comment,
            },
            "active_period": period,
            "event_signals": signals,
            "targets": [{"ven_id": ven.id}],
            "response_required": "always",
            "baseline": (payload.get("baseline") or {}).get("kw")
            if (payload.get("baseline") or {}).get("available")
            else None,
        }


def _report_request(message: Ven2bMessage) -> dict[str, Any]:
    """The ``oadrReportRequest`` of a stored report request (granularity and back-duration
    alike: one value per period, or a single report for 0)."""
    payload = message.payload or {}
    period = dt.timedelta(seconds=payload["granularity_s"])
    return {
        "report_request_id": message.report_request_id,
        "report_specifier": {
            "report_specifier_id": payload["report_specifier_id"],
            "granularity": period,
            "report_back_duration": period,
            "specifier_payloads": [
                {"r_id": r_id, "reading_type": reading} for r_id, reading in payload["points"]
            ],
        },
    }


def _kw_factor(r_id: str, point: dict[str, Any]) -> Decimal:
    """The factor from a real-power data point's values to kW, or a refusal naming the point
    when its unit is not W or its SI scale not ``none`` (W), ``k`` (kW) or ``M`` (MW)."""
    unit, scale = point.get("unit"), point.get("scale") or "none"
    if unit != "W" or scale not in KW_PER_SCALED_W:
        raise Refusal(
            INVALID_DATA,
            f"data point {r_id} ({point.get('report_type')}): unit {unit} scale {scale} is not "
            "real power in W, kW or MW; register it with unit W and siScaleCode none, k or M",
        )
    return KW_PER_SCALED_W[scale]


def _by_event(
    session: Session, participant_id: str, readings: list[Reading]
) -> Iterable[tuple[Event, list[Reading]]]:
    """Readings grouped by the participant's awarded event they fall in: from the notice (a
    real-time event) or the window start, to the window end."""
    if not readings:
        return []
    first, last = min(r.at for r in readings), max(r.at for r in readings)
    rows = session.execute(
        select(Event, Award)
        .join(Award, Award.event_id == Event.id)
        .where(
            Award.participant_id == participant_id,
            Event.status != EventStatus.CANCELLED,
            Event.end_at > first,
            Award.created_at <= last,
        )
    ).all()
    grouped = []
    for event, award in rows:
        begin = award.created_at if event.mode is Mode.REALTIME else event.start_at
        begin = begin.replace(second=0, microsecond=0)
        chunk = [r for r in readings if begin <= r.at < event.end_at]
        if chunk:
            grouped.append((event, chunk))
    return grouped
