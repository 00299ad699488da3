"""Telemetry over MQTT: reports that VENs publish, recorded in batches (第八条（二）, issue #11 §4).

A VEN of a real-time dispatch sends its load every minute. Over HTTP that is one request per
VEN and minute (``POST /reports``: the token, the report object, its notification), which one
process answers at a few dozen a second; 10,000 VENs send 167 a second. Here a VEN publishes
the same OpenADR 3 report JSON (``reportRequest``) on its own topic instead:

=============================================  ============================================
topic                                          what
=============================================  ============================================
``openadr3/vens/{venID}/telemetry``            the VEN's report on its event (QoS 1)
``openadr3/vens/{venID}/telemetry/problems``   why a report was not taken (``problem`` JSON)
=============================================  ============================================

The broker vouches for the sender: ``gzvpp openadr mqtt-acl`` lets a VEN's login write only
its own ``telemetry`` topic (and read its ``problems``). One subscriber per process takes the
messages through a shared subscription (``$share/{group}/…``), so that with several
processes each report is recorded once; a writer thread records what arrived in one
transaction every ``interval`` seconds, through the same :func:`monitoring.record_readings`
as ``POST /reports`` (a minute sent again replaces the one before, so a message the broker
delivers twice changes nothing). The readings become telemetry and the 5-minute check; no
OpenADR report object is kept (nobody reads them back, and a subscriber to report objects
would be told of every minute of every VEN).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gzkit.db import in_ids, session_scope
from gzvpp.kit.metrics import TELEMETRY_REPORTS, TELEMETRY_WAITING
from gzvpp.models import ClientRole, Event, ObjectType, OpenADRClient, OpenADRObject
from gzvpp.openadr import mapping, monitoring
from gzvpp.openadr.mqtt import PREFIX, Broker, encode
from gzvpp.openadr.vtn3 import schemas

SOURCE = "openadr3-mqtt"
TOPIC = f"{PREFIX}/vens/+/telemetry"
MAX_BATCH = 5_000  # messages recorded in one transaction at most
RECEIVE_MAXIMUM = 65_535  # reports the broker may send before their PUBACK (MQTT 5's most)

log = logging.getLogger(__name__)


def telemetry_topic(ven_id: str) -> str:
    """The topic the VEN ``ven_id`` publishes its reports on."""
    return f"{PREFIX}/vens/{ven_id}/telemetry"


def problems_topic(ven_id: str) -> str:
    """The topic the VEN ``ven_id`` is told on why a report was not taken."""
    return f"{telemetry_topic(ven_id)}/problems"


@dataclass(frozen=True)
class Problem:
    """A report not taken: whose, and why (the ``detail`` of an OpenADR ``problem``)."""

    ven_id: str
    detail: str


def record_reports(
    session: Session, messages: Sequence[tuple[str, bytes]], now: dt.datetime
) -> list[Problem]:
    """Record the readings of ``messages`` (``(venID, report JSON)``) as ``POST /reports``
    would for each VEN's client; the reports not taken, with why.

    A report is taken when its VEN belongs to a client that is neither revoked nor disabled,
    and names a real-time (not bidding) event of the platform dispatched to that client's
    participant and not cancelled. The VENs, clients and events of the batch are read in
    three queries, whatever the number of messages.
    """
    problems: list[Problem] = []
    reports: list[tuple[str, schemas.ReportRequest]] = []
    for ven_id, payload in messages:
        try:
            reports.append((ven_id, schemas.ReportRequest.model_validate_json(payload)))
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "body"
            problems.append(Problem(ven_id, f"not a report: {where}: {first['msg']}"))
    if not reports:
        return problems
    vens = _objects(session, ObjectType.VEN, {ven_id for ven_id, _ in reports})
    events = _objects(session, ObjectType.EVENT, {r.eventID for _, r in reports})
    client_ids = {v.client_id for v in vens.values() if v.client_id is not None}
    clients = {
        c.id: c
        for where in in_ids(session, OpenADRClient.id, sorted(client_ids))
        for c in session.scalars(select(OpenADRClient).where(where))
    }
    for ven_id, report in reports:
        ven = vens.get(ven_id)
        client = clients.get(ven.client_id or "") if ven is not None else None
        if (
            client is None
            or client.role is not ClientRole.VEN
            or client.revoked_at is not None
            or client.user.disabled_at is not None
        ):
            problems.append(Problem(ven_id, f"no active ven {ven_id}"))
            continue
        event = events.get(report.eventID)
        if (
            event is None
            or event.gz_event_id is None
            or event.gz_kind in (None, "invitation")
            or event.gz_participant_id != client.participant_id
        ):
            problems.append(Problem(ven_id, f"no real-time event {report.eventID} of this ven"))
            continue
        if event.gz and "cancelled" in event.gz:
            problems.append(Problem(ven_id, f"event {event.gz_event_id} was cancelled"))
            continue
        try:
            readings = mapping.readings(report.wire())
        except mapping.ReportError as err:
            problems.append(Problem(ven_id, str(err)))
            continue
        platform_event = session.get(Event, event.gz_event_id)
        assert platform_event is not None and client.participant_id is not None  # foreign keys
        monitoring.record_readings(
            session, platform_event, client.participant_id, readings, SOURCE, now
        )
    return problems


def _objects(session: Session, kind: ObjectType, ids: set[str]) -> dict[str, OpenADRObject]:
    return {
        o.id: o
        for where in in_ids(session, OpenADRObject.id, sorted(ids))
        for o in session.scalars(
            select(OpenADRObject).where(OpenADRObject.object_type == kind, where)
        )
    }


class TelemetrySubscriber:
    """The process's subscriber to :data:`TOPIC` and the thread recording what it receives.

    ``group`` names the shared subscription (every process of one deployment uses the same);
    ``interval`` is how long the writer gathers messages before it records them (s).
    """

    def __init__(
        self,
        url: str,
        factory: sessionmaker[Session],
        now: Callable[[], dt.datetime],
        *,
        group: str = "gzvpp",
        interval: float = 0.5,
        max_body: int = 1 << 20,
    ) -> None:
        self._factory, self._now = factory, now
        self._interval = interval
        self._subscription = f"$share/{group}/{TOPIC}"
        # MQTT 5, to tell the broker how many reports may await their PUBACK (Receive
        # Maximum): Mosquitto lets an MQTT 3.1.1 subscriber have 20, queues 1,000 more and
        # drops the rest, and 10,000 VENs publish within a second.
        self._broker = Broker.at(
            url, f"gzvpp-telemetry-{uuid.uuid4().hex[:12]}", MQTTProtocolVersion.MQTTv5
        )
        self._client = self._broker.client
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._max_body = max_body
        self._inbox: queue.SimpleQueue[tuple[str, bytes] | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self.refused = 0  # reports not taken since start

    def start(self) -> None:
        """Connect (in the background, retrying) and start the writer."""
        if self._writer is not None:
            return
        self._writer = threading.Thread(
            target=self._write, name="gzvpp-openadr-telemetry", daemon=True
        )
        self._writer.start()
        connect = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        connect.ReceiveMaximum = RECEIVE_MAXIMUM
        self._broker.connect("reports", connect)

    def stop(self) -> None:
        """Disconnect, record what has arrived, stop."""
        if self._writer is None:
            return
        self._client.disconnect()
        self._client.loop_stop()
        self._inbox.put(None)
        self._writer.join(30)
        self._writer = None

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any
    ) -> None:
        if reason.is_failure:
            log.warning(
                "MQTT broker %s refused the telemetry login: %s", self._broker.address, reason
            )
        else:
            client.subscribe(self._subscription, qos=1)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        ven_id = message.topic.split("/")[2]
        if len(message.payload) > self._max_body:
            self._tell([Problem(ven_id, f"a report is at most {self._max_body} bytes")])
        else:
            self._inbox.put((ven_id, bytes(message.payload)))

    def _write(self) -> None:
        while (first := self._inbox.get()) is not None:
            batch = [first]
            deadline = time.monotonic() + self._interval  # gather what arrives meanwhile
            stopping = False
            while len(batch) < MAX_BATCH and (left := deadline - time.monotonic()) > 0:
                try:
                    item = self._inbox.get(timeout=left)
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._record(batch)
            if stopping:
                return

    def _record(self, batch: list[tuple[str, bytes]]) -> None:
        try:
            with session_scope(self._factory) as session:
                problems = record_reports(session, batch, self._now())
        except Exception:
            # One report must not cost the others theirs: each on its own, then; the broker
            # does not send them again.
            if len(batch) > 1:
                for message in batch:
                    self._record([message])
                return
            log.exception("telemetry: a report over MQTT could not be recorded")
            self.refused += 1
            TELEMETRY_REPORTS.labels("refused").inc()
            self._tell([Problem(batch[0][0], "the report could not be recorded")])
            return
        self.refused += len(problems)
        TELEMETRY_REPORTS.labels("recorded").inc(len(batch) - len(problems))
        TELEMETRY_REPORTS.labels("refused").inc(len(problems))
        TELEMETRY_WAITING.set(self._inbox.qsize())
        self._tell(problems)

    def _tell(self, problems: list[Problem]) -> None:
        for problem in problems:
            body = {"title": "Bad Request", "status": 400, "detail": problem.detail}
            self._client.publish(problems_topic(problem.ven_id), encode(body), qos=1)
