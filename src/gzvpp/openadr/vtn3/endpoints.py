"""HTTP routes of the OpenADR 3.1.0 VTN under ``/openadr3/3.1.0`` (openadr3.yaml's paths)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import StringConstraints

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzvpp.models import ObjectType
from gzvpp.openadr import mqtt
from gzvpp.openadr.runtime import runtime_of
from gzvpp.openadr.vtn3 import schemas
from gzvpp.openadr.vtn3.auth import CallerDep, TokenForm, issue_token
from gzvpp.openadr.vtn3.routing import Problem, VtnRoute
from gzvpp.openadr.vtn3.service import (
    EVENTS,
    PROGRAMS,
    REPORTS,
    RESOURCES,
    SUBSCRIPTIONS,
    VENS,
    Filters,
    Vtn,
)

PREFIX = "/openadr3/3.1.0"
router = APIRouter(prefix=PREFIX, tags=["OpenADR 3.1.0 VTN"], route_class=VtnRoute)

Id = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[a-zA-Z0-9_-]*$")]
QueryId = Annotated[str | None, Query(min_length=1, max_length=128, pattern=r"^[a-zA-Z0-9_-]*$")]
Target = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[^\x00]*$")]
Targets = Annotated[list[Target] | None, Query()]
QueryName = Annotated[str | None, Query(min_length=1, max_length=128, pattern=r"^[^\x00]*$")]
Skip = Annotated[int, Query(ge=0, le=schemas.INT32)]
Limit = Annotated[int, Query(ge=0, le=50)]


def _vtn(request: Request, session: SessionDep, caller: CallerDep, clock: ClockDep) -> Vtn:
    return Vtn(session, caller, clock.now(), runtime_of(request))


VtnDep = Annotated[Vtn, Depends(_vtn)]
Object = dict[str, Any]


# ---- auth ----------------------------------------------------------------------------------


@router.get("/auth/server", summary="The token endpoint")
def auth_server(request: Request) -> dict[str, str]:
    """``tokenURL``: the absolute URL of ``/auth/token``."""
    return {"tokenURL": str(request.url_for("openadr3_token"))}


@router.post("/auth/token", name="openadr3_token", summary="Fetch a token")
def auth_token(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    grant_type: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    scope: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    """OAuth2 client credentials (form-encoded; ``client_secret_post`` or HTTP Basic)."""
    form = TokenForm(grant_type, client_id, client_secret, scope)
    return issue_token(request, session, clock.now(), runtime_of(request).settings.token_ttl, form)


# ---- the six collections ---------------------------------------------------------------------


@router.get("/programs", summary="Search programs")
def search_programs(
    vtn: VtnDep, targets: Targets = None, skip: Skip = 0, limit: Limit = 50
) -> list[Object]:
    """Programs the caller may read (targeting, target hiding)."""
    return vtn.search(PROGRAMS, Filters(targets=targets), skip, limit)


@router.post("/programs", status_code=201, summary="Create a program")
def create_program(vtn: VtnDep, body: Annotated[schemas.ProgramRequest, Body()]) -> Object:
    """BL only (``write_programs``); the name must be unique."""
    return vtn.create(PROGRAMS, body)


@router.get("/programs/{programID}", summary="Get a program")
def get_program(vtn: VtnDep, programID: Id) -> Object:
    return vtn.get(PROGRAMS, programID)


@router.put("/programs/{programID}", summary="Update a program")
def update_program(
    vtn: VtnDep, programID: Id, body: Annotated[schemas.ProgramRequest, Body()]
) -> Object:
    return vtn.update(PROGRAMS, programID, body)


@router.delete("/programs/{programID}", summary="Delete a program and its events")
def delete_program(vtn: VtnDep, programID: Id) -> Object:
    return vtn.delete(PROGRAMS, programID)


@router.get("/events", summary="Search events")
def search_events(
    vtn: VtnDep,
    programID: QueryId = None,
    targets: Targets = None,
    skip: Skip = 0,
    limit: Limit = 50,
    active: bool | None = None,
) -> list[Object]:
    """Events the caller may read; ``active=true`` leaves out those that have ended."""
    filters = Filters(targets=targets, program_id=programID, active=active)
    return vtn.search(EVENTS, filters, skip, limit)


@router.post("/events", status_code=201, summary="Create an event")
def create_event(vtn: VtnDep, body: Annotated[schemas.EventRequest, Body()]) -> Object:
    return vtn.create(EVENTS, body)


@router.get("/events/{eventID}", summary="Get an event")
def get_event(vtn: VtnDep, eventID: Id) -> Object:
    return vtn.get(EVENTS, eventID)


@router.put("/events/{eventID}", summary="Update an event")
def update_event(vtn: VtnDep, eventID: Id, body: Annotated[schemas.EventRequest, Body()]) -> Object:
    return vtn.update(EVENTS, eventID, body)


@router.delete("/events/{eventID}", summary="Delete an event")
def delete_event(vtn: VtnDep, eventID: Id) -> Object:
    return vtn.delete(EVENTS, eventID)


@router.get("/reports", summary="Search reports")
def search_reports(
    vtn: VtnDep,
    programID: QueryId = None,
    eventID: QueryId = None,
    clientName: QueryName = None,
    skip: Skip = 0,
    limit: Limit = 50,
) -> list[Object]:
    filters = Filters(program_id=programID, event_id=eventID, name=clientName)
    return vtn.search(REPORTS, filters, skip, limit)


@router.post("/reports", status_code=201, summary="Create a report")
def create_report(vtn: VtnDep, body: Annotated[schemas.ReportRequest, Body()]) -> Object:
    """A VEN's report; on an invitation it is a bid, on a plan or dispatch telemetry."""
    return vtn.create(REPORTS, body)


@router.get("/reports/{reportID}", summary="Get a report")
def get_report(vtn: VtnDep, reportID: Id) -> Object:
    return vtn.get(REPORTS, reportID)


@router.put("/reports/{reportID}", summary="Update a report")
def update_report(
    vtn: VtnDep, reportID: Id, body: Annotated[schemas.ReportRequest, Body()]
) -> Object:
    return vtn.update(REPORTS, reportID, body)


@router.delete("/reports/{reportID}", summary="Delete a report")
def delete_report(vtn: VtnDep, reportID: Id) -> Object:
    return vtn.delete(REPORTS, reportID)


@router.get("/subscriptions", summary="Search subscriptions")
def search_subscriptions(
    vtn: VtnDep,
    programID: QueryId = None,
    clientName: QueryName = None,
    objects: Annotated[list[ObjectType] | None, Query()] = None,
    skip: Skip = 0,
    limit: Limit = 50,
) -> list[Object]:
    filters = Filters(program_id=programID, name=clientName, objects=objects)
    return vtn.search(SUBSCRIPTIONS, filters, skip, limit)


@router.post("/subscriptions", status_code=201, summary="Create a subscription")
def create_subscription(
    vtn: VtnDep, body: Annotated[schemas.SubscriptionRequest, Body()]
) -> Object:
    """Each callbackUrl must answer the echo challenge (and be HTTPS unless allowed)."""
    return vtn.create(SUBSCRIPTIONS, body)


@router.get("/subscriptions/{subscriptionID}", summary="Get a subscription")
def get_subscription(vtn: VtnDep, subscriptionID: Id) -> Object:
    return vtn.get(SUBSCRIPTIONS, subscriptionID)


@router.put("/subscriptions/{subscriptionID}", summary="Update a subscription")
def update_subscription(
    vtn: VtnDep,
    subscriptionID: Id,
    body: Annotated[schemas.SubscriptionRequest, Body()],
) -> Object:
    return vtn.update(SUBSCRIPTIONS, subscriptionID, body)


@router.delete("/subscriptions/{subscriptionID}", summary="Delete a subscription")
def delete_subscription(vtn: VtnDep, subscriptionID: Id) -> Object:
    return vtn.delete(SUBSCRIPTIONS, subscriptionID)


@router.get("/vens", summary="Search vens")
def search_vens(
    vtn: VtnDep,
    venName: QueryName = None,
    targets: Targets = None,
    skip: Skip = 0,
    limit: Limit = 50,
) -> list[Object]:
    """BL sees every ven; a VEN its own (with the targets it was granted)."""
    return vtn.search(VENS, Filters(name=venName, targets=targets), skip, limit)


@router.post("/vens", status_code=201, summary="Create a ven")
def create_ven(vtn: VtnDep, body: Annotated[schemas.VenRequest, Body()]) -> Object:
    return vtn.create(VENS, body)


@router.get("/vens/{venID}", summary="Get a ven")
def get_ven(vtn: VtnDep, venID: Id) -> Object:
    return vtn.get(VENS, venID)


@router.put("/vens/{venID}", summary="Update a ven")
def update_ven(vtn: VtnDep, venID: Id, body: Annotated[schemas.VenRequest, Body()]) -> Object:
    return vtn.update(VENS, venID, body)


@router.delete("/vens/{venID}", summary="Delete a ven and its resources")
def delete_ven(vtn: VtnDep, venID: Id) -> Object:
    return vtn.delete(VENS, venID)


@router.get("/resources", summary="Search resources")
def search_resources(
    vtn: VtnDep,
    resourceName: QueryName = None,
    venID: QueryId = None,
    targets: Targets = None,
    skip: Skip = 0,
    limit: Limit = 50,
) -> list[Object]:
    filters = Filters(name=resourceName, ven_id=venID, targets=targets)
    return vtn.search(RESOURCES, filters, skip, limit)


@router.post("/resources", status_code=201, summary="Create a resource")
def create_resource(vtn: VtnDep, body: Annotated[schemas.ResourceRequest, Body()]) -> Object:
    return vtn.create(RESOURCES, body)


@router.get("/resources/{resourceID}", summary="Get a resource")
def get_resource(vtn: VtnDep, resourceID: Id) -> Object:
    return vtn.get(RESOURCES, resourceID)


@router.put("/resources/{resourceID}", summary="Update a resource")
def update_resource(
    vtn: VtnDep, resourceID: Id, body: Annotated[schemas.ResourceRequest, Body()]
) -> Object:
    return vtn.update(RESOURCES, resourceID, body)


@router.delete("/resources/{resourceID}", summary="Delete a resource")
def delete_resource(vtn: VtnDep, resourceID: Id) -> Object:
    return vtn.delete(RESOURCES, resourceID)


# ---- notifiers -------------------------------------------------------------------------------


@router.get("/notifiers", summary="Notifier bindings")
def notifiers(request: Request, caller: CallerDep) -> Object:
    """WEBHOOK always; MQTT when a broker is configured."""
    caller.require("read_all")
    publisher = runtime_of(request).notifier.publisher
    bindings: Object = {"WEBHOOK": True}
    if publisher is not None:
        bindings["MQTT"] = {
            "URIS": [publisher.url],
            "serialization": "JSON",
            "authentication": {"method": "ANONYMOUS"},
        }
    return bindings


def _topics(request: Request, path: str, *, create: bool = True) -> Object:
    if runtime_of(request).notifier.publisher is None:
        raise Problem(404, "this VTN has no MQTT notifier")
    return {"topics": mqtt.topics(path, create=create)}


@router.get("/notifiers/mqtt/topics/programs", summary="MQTT topics: programs")
def topics_programs(request: Request, caller: CallerDep) -> Object:
    caller.require("read_all")
    return _topics(request, "programs")


@router.get("/notifiers/mqtt/topics/programs/{programID}", summary="MQTT topics: a program")
def topics_program(request: Request, vtn: VtnDep, programID: Id) -> Object:
    vtn.caller.require("read_all")
    vtn.get(PROGRAMS, programID)
    return _topics(request, f"programs/{programID}", create=False)


@router.get("/notifiers/mqtt/topics/events", summary="MQTT topics: every event (BL)")
def topics_events(request: Request, caller: CallerDep) -> Object:
    caller.require("read_bl")
    return _topics(request, "events")


@router.get(
    "/notifiers/mqtt/topics/programs/{programID}/events",
    summary="MQTT topics: a program's events without targets",
)
def topics_program_events(request: Request, vtn: VtnDep, programID: Id) -> Object:
    vtn.caller.require("read_all")
    vtn.get(PROGRAMS, programID)
    return _topics(request, f"programs/{programID}/events")


@router.get("/notifiers/mqtt/topics/reports", summary="MQTT topics: reports (BL)")
def topics_reports(request: Request, caller: CallerDep) -> Object:
    caller.require("read_bl")
    return _topics(request, "reports")


@router.get("/notifiers/mqtt/topics/subscriptions", summary="MQTT topics: subscriptions (BL)")
def topics_subscriptions(request: Request, caller: CallerDep) -> Object:
    caller.require("read_bl")
    return _topics(request, "subscriptions")


@router.get("/notifiers/mqtt/topics/vens", summary="MQTT topics: vens (BL)")
def topics_vens(request: Request, caller: CallerDep) -> Object:
    caller.require("read_bl")
    return _topics(request, "vens")


@router.get("/notifiers/mqtt/topics/resources", summary="MQTT topics: resources (BL)")
def topics_resources(request: Request, caller: CallerDep) -> Object:
    caller.require("read_bl")
    return _topics(request, "resources")


@router.get("/notifiers/mqtt/topics/vens/{venID}", summary="MQTT topics: a ven")
def topics_ven(request: Request, vtn: VtnDep, venID: Id) -> Object:
    vtn.get(VENS, venID)
    return _topics(request, f"vens/{venID}", create=False)


@router.get("/notifiers/mqtt/topics/vens/{venID}/events", summary="MQTT topics: a ven's events")
def topics_ven_events(request: Request, vtn: VtnDep, venID: Id) -> Object:
    vtn.get(VENS, venID)
    return _topics(request, f"vens/{venID}/events")


@router.get("/notifiers/mqtt/topics/vens/{venID}/programs", summary="MQTT topics: a ven's programs")
def topics_ven_programs(request: Request, vtn: VtnDep, venID: Id) -> Object:
    vtn.get(VENS, venID)
    return _topics(request, f"vens/{venID}/programs")


@router.get(
    "/notifiers/mqtt/topics/vens/{venID}/resources", summary="MQTT topics: a ven's resources"
)
def topics_ven_resources(request: Request, vtn: VtnDep, venID: Id) -> Object:
    vtn.get(VENS, venID)
    return _topics(request, f"vens/{venID}/resources")
