"""The OpenADR 3.1.0 VTN's operations on programs, events, reports, subscriptions, vens and
resources: scopes, object privacy (:mod:`gzvpp.openadr.privacy`), names that must be unique,
and what a VEN's report does on the platform.

Objects the platform manages (the ``GZ-VPP`` program and the events relayed from its
notifications) are read-only here: an update is a 409 and a delete a 403; the platform changes
them (cancel an event through ``POST /api/events/{id}/cancel``). A report on one of those
events is the VEN's answer: a bid on an invitation, telemetry on a plan or a dispatch.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from gzkit.errors import NotFound
from gzvpp.models import Event, ObjectType, OpenADRObject
from gzvpp.openadr import mapping, monitoring
from gzvpp.openadr.bids import submit_bid
from gzvpp.openadr.notifier import Change, after_commit
from gzvpp.openadr.privacy import TARGETED, shown_targets
from gzvpp.openadr.runtime import OpenADR
from gzvpp.openadr.vtn3 import schemas
from gzvpp.openadr.vtn3.auth import Caller
from gzvpp.openadr.vtn3.repository import ObjectRepository
from gzvpp.openadr.vtn3.routing import Problem
from gzvpp.openadr.webhooks import CallbackRefused
from gzvpp.openadr.wire import event_ends_at, object_wire

SOURCE = "openadr3"
# Properties of a request kept in columns rather than in the stored body (a subscription's
# targets are its own filter, not a grant, and stay in the body).
_COLUMNS = ("targets", "objectType", "clientID")


@dataclass(frozen=True)
class Kind:
    """One collection: its object type and the scopes to read and write it."""

    object_type: ObjectType
    read_scope: str
    write_scope: str

    @property
    def label(self) -> str:
        """``program``, ``event`` … for messages."""
        return self.object_type.value.lower()


PROGRAMS = Kind(ObjectType.PROGRAM, "read_targets", "write_programs")
EVENTS = Kind(ObjectType.EVENT, "read_targets", "write_events")
REPORTS = Kind(ObjectType.REPORT, "read_ven_objects", "write_reports")
SUBSCRIPTIONS = Kind(ObjectType.SUBSCRIPTION, "read_ven_objects", "write_subscriptions")
VENS = Kind(ObjectType.VEN, "read_ven_objects", "write_vens")
RESOURCES = Kind(ObjectType.RESOURCE, "read_ven_objects", "write_vens")


@dataclass(frozen=True)
class Filters:
    """The query parameters of a search; None means not given."""

    targets: list[str] | None = None
    program_id: str | None = None
    event_id: str | None = None
    ven_id: str | None = None
    name: str | None = None  # clientName, venName or resourceName
    objects: list[ObjectType] | None = None
    active: bool | None = None


def _body(object_type: ObjectType, request: schemas.Spec) -> dict[str, Any]:
    kept = ("targets",) if object_type is ObjectType.SUBSCRIPTION else ()
    return {k: v for k, v in request.wire().items() if k not in _COLUMNS or k in kept}


class Vtn:
    """The VTN as one caller sees it, within one transaction."""

    def __init__(self, session: Session, caller: Caller, now: dt.datetime, runtime: OpenADR):
        self.session, self.caller, self.now, self.runtime = session, caller, now, runtime
        self.repository = ObjectRepository(session)
        self._granted: set[str] | None = None
        self._events: dict[str, OpenADRObject | None] = {}

    @property
    def granted(self) -> set[str] | None:
        """The caller's granted targets; None for BL, which sees everything."""
        if self.caller.is_bl:
            return None
        if self._granted is None:
            self._granted = self.repository.granted(self.caller.client_id)
        return self._granted

    # ---- reads ----------------------------------------------------------------------------

    def search(self, kind: Kind, filters: Filters, skip: int, limit: int) -> list[dict[str, Any]]:
        """A page of the objects of ``kind`` the caller may see, matching ``filters``."""
        self.caller.require(kind.read_scope)
        object_type = kind.object_type
        repository = self.repository
        if object_type in TARGETED:
            requested = filters.targets or []
            granted = self.granted
            if granted is None:
                statement = repository.search(
                    object_type, program_id=filters.program_id, any_target=requested or None
                )
            elif requested:
                effective = set(requested) & granted
                if not effective:
                    return []
                statement = repository.search(
                    object_type, program_id=filters.program_id, any_target=effective
                )
            else:
                statement = repository.search(
                    object_type, program_id=filters.program_id, untargeted=True
                )

            def shown(obj: OpenADRObject) -> list[str] | None:
                return shown_targets(obj.targets, granted=granted, requested=requested)
        else:
            statement = repository.search(
                object_type,
                client_id=None if self.caller.is_bl else self.caller.client_id,
                name=filters.name,
                event_id=filters.event_id,
                ven_id=filters.ven_id,
                program_id=(filters.program_id if object_type is ObjectType.SUBSCRIPTION else None),
                report_program_id=(
                    filters.program_id if object_type is ObjectType.REPORT else None
                ),
                any_target=filters.targets or None,
            )

            def shown(obj: OpenADRObject) -> list[str] | None:
                return obj.targets

        if filters.active is None and filters.objects is None:
            rows: Sequence[OpenADRObject] = repository.page(statement, skip, limit)
        else:
            everything = self.session.scalars(statement).all()
            rows = [o for o in everything if self._matches(o, filters)][skip : skip + limit]
        return [object_wire(obj, shown(obj)) for obj in rows]

    def _matches(self, obj: OpenADRObject, filters: Filters) -> bool:
        if filters.active:
            ends = event_ends_at(obj.body)
            if ends is not None and ends <= self.now:
                return False
        if filters.objects is not None:
            subscribed = {
                kind for op in obj.body.get("objectOperations", []) for kind in op["objects"]
            }
            if not subscribed & {o.value for o in filters.objects}:
                return False
        return True

    def get(self, kind: Kind, object_id: str) -> dict[str, Any]:
        """One object; 404 if there is none the caller may see."""
        obj, shown = self._readable(kind, object_id)
        return object_wire(obj, shown)

    def _readable(
        self, kind: Kind, object_id: str, *, for_update: bool = False
    ) -> tuple[OpenADRObject, list[str]]:
        self.caller.require(kind.read_scope)
        obj = self.repository.get(kind.object_type, object_id, for_update=for_update)
        shown = self._shown(obj) if obj is not None else None
        if obj is None or shown is None:
            raise Problem(404, f"no {kind.label} {object_id}")
        return obj, shown

    def _shown(self, obj: OpenADRObject) -> list[str] | None:
        """The targets the caller sees of ``obj``, or None if it may not read it."""
        if obj.object_type in TARGETED:
            return shown_targets(obj.targets, granted=self.granted, requested=None)
        if self.caller.is_bl or obj.client_id == self.caller.client_id:
            return obj.targets
        return None

    # ---- writes ---------------------------------------------------------------------------

    def create(self, kind: Kind, request: BaseModel) -> dict[str, Any]:
        """Create an object from ``request``; the server representation."""
        self.caller.require(kind.write_scope)
        obj = OpenADRObject(
            id=uuid.uuid4().hex,
            object_type=kind.object_type,
            body={},
            created_at=self.now,
            modified_at=self.now,
        )
        obj.targets = []
        self._fill(obj, request, creating=True)
        self.session.add(obj)
        self.session.flush()
        self._answer(obj)
        self._changed("CREATE", obj)
        return object_wire(obj, self._shown(obj))

    def update(self, kind: Kind, object_id: str, request: BaseModel) -> dict[str, Any]:
        """Replace an object's representation with ``request``."""
        self.caller.require(kind.write_scope)
        obj = self._writable(kind, object_id, deleting=False)
        self._fill(obj, request, creating=False)
        obj.modified_at = self.now
        obj.modification_number += 1
        self.session.flush()
        self._answer(obj)
        self._changed("UPDATE", obj)
        return object_wire(obj, self._shown(obj))

    def delete(self, kind: Kind, object_id: str) -> dict[str, Any]:
        """Delete an object (a program's events, a ven's resources with it); the object."""
        self.caller.require(kind.write_scope)
        obj = self._writable(kind, object_id, deleting=True)
        dependants: Sequence[OpenADRObject] = ()
        if obj.object_type is ObjectType.PROGRAM:
            dependants = self.repository.children(ObjectType.EVENT, program_id=obj.id)
        elif obj.object_type is ObjectType.VEN:
            dependants = self.repository.children(ObjectType.RESOURCE, ven_id=obj.id)
        representation = object_wire(obj, self._shown(obj))
        for doomed in (*dependants, obj):
            self._changed("DELETE", doomed)
            self.session.delete(doomed)
        self.session.flush()
        return representation

    def _writable(self, kind: Kind, object_id: str, *, deleting: bool) -> OpenADRObject:
        obj, _ = self._readable(kind, object_id, for_update=True)
        if obj.gz_kind is not None:
            raise Problem(
                403 if deleting else 409,
                f"{kind.label} {object_id} is managed by the platform (its events change "
                "through /api/events); it cannot be changed here",
            )
        return obj

    def _changed(self, operation: str, obj: OpenADRObject) -> None:
        program_id = None
        if obj.object_type is ObjectType.REPORT and obj.event_id is not None:
            event = self._event(obj.event_id)
            program_id = event.program_id if event is not None else None
        after_commit(self.session, self.runtime.notifier, [Change.of(operation, obj, program_id)])

    # ---- one fill per type ----------------------------------------------------------------

    def _fill(self, obj: OpenADRObject, request: BaseModel, *, creating: bool) -> None:
        fill = {
            ObjectType.PROGRAM: self._fill_program,
            ObjectType.EVENT: self._fill_event,
            ObjectType.REPORT: self._fill_report,
            ObjectType.SUBSCRIPTION: self._fill_subscription,
            ObjectType.VEN: self._fill_ven,
            ObjectType.RESOURCE: self._fill_resource,
        }[obj.object_type]
        fill(obj, request, creating)
        assert isinstance(request, schemas.Spec)
        obj.body = _body(obj.object_type, request)

    def _unique(
        self, obj: OpenADRObject, name: str, creating: bool, *, ven_id: str | None = None
    ) -> None:
        clash = self.repository.named(obj.object_type, name, ven_id=ven_id)
        if clash is not None and clash.id != obj.id:
            raise Problem(409, f"a {obj.object_type.value.lower()} named {name!r} exists")

    def _fill_program(self, obj: OpenADRObject, request: BaseModel, creating: bool) -> None:
        assert isinstance(request, schemas.ProgramRequest)
        self._unique(obj, request.programName, creating)
        obj.name = request.programName
        obj.targets = request.targets or []

    def _fill_event(self, obj: OpenADRObject, request: BaseModel, creating: bool) -> None:
        assert isinstance(request, schemas.EventRequest)
        if self.repository.get(ObjectType.PROGRAM, request.programID) is None:
            raise Problem(409, f"no program {request.programID}")
        obj.program_id = request.programID
        obj.targets = request.targets or []

    def _event(self, event_id: str) -> OpenADRObject | None:
        """The event a report is on, read once per request: the session holds objects only
        while they are referenced, and each read would query the event and its targets again
        (a report's validation, its telemetry and its notification each want it)."""
        if event_id not in self._events:
            self._events[event_id] = self.repository.get(ObjectType.EVENT, event_id)
        return self._events[event_id]

    def _fill_report(self, obj: OpenADRObject, request: BaseModel, creating: bool) -> None:
        assert isinstance(request, schemas.ReportRequest)
        event = self._event(request.eventID)
        if event is None or self._shown(event) is None:
            raise Problem(409, f"no event {request.eventID}")
        obj.event_id = request.eventID
        obj.name = request.clientName
        if creating:
            obj.client_id = self.caller.client_id

    def _fill_subscription(self, obj: OpenADRObject, request: BaseModel, creating: bool) -> None:
        assert isinstance(request, schemas.SubscriptionRequest)
        if request.programID is not None:
            program = self.repository.get(ObjectType.PROGRAM, request.programID)
            if program is None or self._shown(program) is None:
                raise Problem(409, f"no program {request.programID}")
        for operation in request.objectOperations:
            try:
                self.runtime.webhooks.check(operation.callbackUrl)
            except CallbackRefused as err:
                raise Problem(400, str(err)) from err
        obj.program_id = request.programID
        obj.name = request.clientName
        if creating:
            obj.client_id = self.caller.client_id

    def _fill_ven(self, obj: OpenADRObject, request: BaseModel, creating: bool) -> None:
        assert isinstance(request, schemas.VenVenRequest | schemas.BlVenRequest)
        if isinstance(request, schemas.BlVenRequest):
            if not self.caller.is_bl:
                raise Problem(403, "only the business logic writes a ven's clientID and targets")
            obj.client_id = request.clientID
            obj.targets = request.targets or []
        elif creating and not self.caller.is_bl:
            obj.client_id = self.caller.client_id
        self._unique(obj, request.venName, creating)
        obj.name = request.venName

    def _fill_resource(self, obj: OpenADRObject, request: BaseModel, creating: bool) -> None:
        assert isinstance(request, schemas.BlResourceRequest | schemas.VenResourceRequest)
        ven = self.repository.get(ObjectType.VEN, request.venID)
        if ven is None or self._shown(ven) is None:
            raise Problem(404, f"no ven {request.venID}")
        if isinstance(request, schemas.BlResourceRequest):
            if not self.caller.is_bl:
                raise Problem(
                    403, "only the business logic writes a resource's clientID and targets"
                )
            obj.client_id = request.clientID
            obj.targets = request.targets or []
        elif creating and not self.caller.is_bl:
            obj.client_id = self.caller.client_id
        self._unique(obj, request.resourceName, creating, ven_id=request.venID)
        obj.ven_id = request.venID
        obj.name = request.resourceName

    # ---- a VEN's report on a platform event -----------------------------------------------

    def _answer(self, obj: OpenADRObject) -> None:
        """Bid or telemetry, if ``obj`` is a report on an event the platform manages."""
        if obj.object_type is not ObjectType.REPORT or obj.event_id is None:
            return
        event = self._event(obj.event_id)
        if event is None or event.gz_kind is None or event.gz_event_id is None:
            return
        if event.gz_participant_id != self.caller.participant_id:
            raise Problem(403, f"event {event.id} is another participant's")
        try:
            if event.gz_kind == "invitation":
                kw, price = mapping.bid_values(obj.body)
                submit_bid(
                    self.session, self.caller.actor, self.now, event.gz_event_id, kw, price, SOURCE
                )
                return
            readings = mapping.readings(obj.body)
        except mapping.ReportError as err:
            raise Problem(400, str(err)) from err
        except NotFound as err:  # POST /reports documents no 404
            raise Problem(400, err.message) from err
        if event.gz and "cancelled" in event.gz:
            raise Problem(409, f"event {event.gz_event_id} was cancelled; no telemetry is taken")
        platform_event = self.session.get(Event, event.gz_event_id)
        assert platform_event is not None  # a foreign key
        assert self.caller.participant_id is not None  # checked above
        monitoring.record_readings(
            self.session, platform_event, self.caller.participant_id, readings, SOURCE, self.now
        )
