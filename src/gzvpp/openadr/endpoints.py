"""The platform's OpenADR routes under ``/api``: provisioning clients, and the real-time
monitoring of an event."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzvpp.kit.auth import ActorDep
from gzvpp.models import Role
from gzvpp.openadr import monitoring, provisioning
from gzvpp.openadr.notifier import after_commit
from gzvpp.openadr.runtime import runtime_of
from gzvpp.openadr.schemas import (
    BlClientCreate,
    ClientCredentialsView,
    VenCreate,
    VenCredentialsView,
)

router = APIRouter(tags=["openadr"])
VTN_PATHS = {"3.1.0": "openadr3/3.1.0", "2.0b": "OpenADR2/Simple/2.0b"}


@router.post("/openadr/vens", status_code=201, summary="Provision a VEN")
def provision_ven(
    request: Request, body: VenCreate, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> VenCredentialsView:
    """Give an active participant a VEN (grid operator): OpenADR 3 client credentials and a
    ven object granting the participant's target, or a 2.0b venName bound to a certificate
    fingerprint."""
    actor.require(Role.GRID_OPERATOR)
    credentials, changes = provisioning.add_ven(
        session,
        actor.label,
        clock.now(),
        body.participant_id,
        protocol=body.protocol,
        ven_name=body.ven_name,
        fingerprint=body.fingerprint,
    )
    after_commit(session, runtime_of(request).notifier, changes)
    return VenCredentialsView(
        **{**asdict(credentials), "targets": list(credentials.targets)},
        vtn_url=f"{request.base_url}{VTN_PATHS[credentials.protocol]}",
    )


@router.post("/openadr/bl-clients", status_code=201, summary="Create a business-logic client")
def create_bl_client(
    request: Request, body: BlClientCreate, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> ClientCredentialsView:
    """OpenADR 3 client credentials with the business-logic scopes (grid operator)."""
    actor.require(Role.GRID_OPERATOR)
    credentials = provisioning.add_bl(session, actor.label, clock.now(), body.name)
    return ClientCredentialsView(
        **asdict(credentials), vtn_url=f"{request.base_url}{VTN_PATHS['3.1.0']}"
    )


@router.post("/openadr/clients/{client_id}/revoke", status_code=204, summary="Revoke a client")
def revoke_client(client_id: str, actor: ActorDep, session: SessionDep, clock: ClockDep) -> None:
    """Its tokens stop working at once (grid operator)."""
    actor.require(Role.GRID_OPERATOR)
    provisioning.revoke(session, actor.label, clock.now(), client_id)


@router.get("/events/{event_id}/monitoring", summary="Real-time monitoring of an event")
def event_monitoring(
    event_id: str,
    actor: ActorDep,
    session: SessionDep,
    samples_for: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Only this participant's minute samples; the others' lists come empty "
            "(their figures and the total stay complete). Default: every participant's.",
        ),
    ] = None,
) -> monitoring.Monitoring:
    """Target against measured response, per participant and in total, from minute-level
    telemetry; when each participant reached its target and whether within 5 minutes of the
    notice (第五条, 第八条). A participant's token sees only its own part."""
    return monitoring.monitoring(session, actor, event_id, samples_for=samples_for)
