"""Provisioning OpenADR clients (the out-of-band enrolment of the Definitions, "VEN enrollment").

The grid operator gives an active participant a VEN: for OpenADR 3 a ``client_id`` and
``client_secret`` (shown once) and a ven object granting the participant's target; for 2.0b a
``venName`` and the fingerprint of the VEN's certificate. Either way the VEN gets a platform
user of the participant's role, so what it does is checked and audited like the participant's
own API calls. Business-logic clients act as a grid-operator user. A client can be revoked.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzkit.auth import hash_token
from gzkit.errors import Conflict, Invalid, NotFound
from gzvpp.kit.audit import record
from gzvpp.kit.auth import ROLE_KIND, create_user
from gzvpp.models import (
    ClientRole,
    ObjectType,
    OpenADRClient,
    OpenADRObject,
    Participant,
    ParticipantStatus,
    PlatformUser,
    Role,
    Ven2b,
)
from gzvpp.openadr.broker import password_hash
from gzvpp.openadr.mapping import PROGRAM_ID, participant_target
from gzvpp.openadr.notifier import Change
from gzvpp.openadr.relay import ensure_program

Protocol = Literal["3.1.0", "2.0b"]
FINGERPRINT = re.compile(r"^([0-9A-F]{2}:){9}[0-9A-F]{2}$")
ROLE_OF_KIND = {kind: role for role, kind in ROLE_KIND.items()}


@dataclass(frozen=True)
class VenCredentials:
    """What the participant configures its VEN with; the secret is shown only now."""

    protocol: Protocol
    participant_id: str
    ven_name: str
    ven_id: str
    client_id: str | None = None
    client_secret: str | None = None
    targets: tuple[str, ...] = ()
    fingerprint: str | None = None


@dataclass(frozen=True)
class ClientCredentials:
    """A business-logic client's credentials; the secret is shown only now."""

    client_id: str
    client_secret: str
    name: str


def _new_client(
    session: Session,
    *,
    role: ClientRole,
    user: PlatformUser,
    participant_id: str | None,
    name: str,
    now: dt.datetime,
) -> tuple[OpenADRClient, str]:
    secret = secrets.token_urlsafe(32)
    client = OpenADRClient(
        id=f"{role.value}-{secrets.token_hex(8)}",
        secret_sha256=hash_token(secret),
        mqtt_password_hash=password_hash(secret),
        role=role,
        participant_id=participant_id,
        user_id=user.id,
        name=name,
        created_at=now,
    )
    session.add(client)
    session.flush()
    return client, secret


def add_ven(
    session: Session,
    actor: str,
    now: dt.datetime,
    participant_id: str,
    *,
    protocol: Protocol = "3.1.0",
    ven_name: str | None = None,
    fingerprint: str | None = None,
) -> tuple[VenCredentials, list[Change]]:
    """Provision a VEN for an active participant; its credentials and the objects created.

    Raises
    ------
    NotFound
        No such participant.
    Conflict
        The participant is not active, or the venName is taken.
    Invalid
        A 2.0b VEN without a certificate fingerprint (``AB:CD:…``, 10 bytes).
    """
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise NotFound(f"participant {participant_id} not found")
    if participant.status is not ParticipantStatus.ACTIVE:
        raise Conflict(
            f"participant {participant_id} is {participant.status.value}; a VEN is given to an "
            "active participant (agreement signed)"
        )
    name = ven_name or f"ven-{participant_id[:8]}-{secrets.token_hex(3)}"
    taken = session.scalar(
        select(OpenADRObject.id).where(
            OpenADRObject.object_type == ObjectType.VEN, OpenADRObject.name == name
        )
    ) or session.scalar(select(Ven2b.id).where(Ven2b.ven_name == name))
    if taken:
        raise Conflict(f"a VEN named {name!r} exists")
    if protocol == "2.0b" and (fingerprint is None or not FINGERPRINT.match(fingerprint)):
        raise Invalid(
            "a 2.0b VEN needs its certificate fingerprint, e.g. 7A:1F:…:C2 (10 bytes)",
            "fingerprint",
        )
    user, _ = create_user(
        session,
        name=f"OpenADR {protocol} VEN {name}",
        role=ROLE_OF_KIND[participant.kind],
        participant_id=participant.id,
        at=now,
        actor=actor,
    )
    changes: list[Change] = []
    if session.get(OpenADRObject, PROGRAM_ID) is None:
        changes.append(Change.of("CREATE", ensure_program(session, now)))
    if protocol == "2.0b":
        assert fingerprint is not None
        ven2b = Ven2b(
            id=f"ven2b-{uuid.uuid4().hex[:16]}",
            ven_name=name,
            participant_id=participant.id,
            user_id=user.id,
            fingerprint=fingerprint,
            created_at=now,
        )
        session.add(ven2b)
        credentials = VenCredentials(
            protocol, participant.id, name, ven2b.id, fingerprint=fingerprint
        )
    else:
        client, secret = _new_client(
            session,
            role=ClientRole.VEN,
            user=user,
            participant_id=participant.id,
            name=name,
            now=now,
        )
        ven = OpenADRObject(
            id=uuid.uuid4().hex,
            object_type=ObjectType.VEN,
            client_id=client.id,
            name=name,
            body={"venName": name},
            created_at=now,
            modified_at=now,
        )
        ven.targets = [participant_target(participant.id)]
        session.add(ven)
        session.flush()
        changes.append(Change.of("CREATE", ven))
        credentials = VenCredentials(
            protocol,
            participant.id,
            name,
            ven.id,
            client_id=client.id,
            client_secret=secret,
            targets=tuple(ven.targets),
        )
    record(
        session,
        actor,
        "openadr.ven.provision",
        "openadr_ven",
        credentials.ven_id,
        None,
        {
            "protocol": protocol,
            "participant_id": participant.id,
            "ven_name": name,
            "client_id": credentials.client_id,
            "fingerprint": fingerprint,
        },
        at=now,
    )
    return credentials, changes


def add_bl(session: Session, actor: str, now: dt.datetime, name: str) -> ClientCredentials:
    """Credentials for a business-logic client (it acts as a grid-operator user)."""
    user, _ = create_user(
        session,
        name=f"OpenADR BL {name}",
        role=Role.GRID_OPERATOR,
        participant_id=None,
        at=now,
        actor=actor,
    )
    client, secret = _new_client(
        session, role=ClientRole.BL, user=user, participant_id=None, name=name, now=now
    )
    record(
        session,
        actor,
        "openadr.client.create",
        "openadr_client",
        client.id,
        None,
        {"role": "bl", "name": name},
        at=now,
    )
    return ClientCredentials(client.id, secret, name)


def revoke(session: Session, actor: str, now: dt.datetime, client_id: str) -> None:
    """Revoke a client: its tokens stop working and it gets no new ones.

    Raises
    ------
    NotFound
        No such client.
    Conflict
        Already revoked.
    """
    client = session.scalars(
        select(OpenADRClient).where(OpenADRClient.id == client_id).with_for_update(of=OpenADRClient)
    ).one_or_none()
    if client is None:
        raise NotFound(f"OpenADR client {client_id} not found")
    if client.revoked_at is not None:
        raise Conflict(f"OpenADR client {client_id} is already revoked")
    client.revoked_at = now
    record(
        session,
        actor,
        "openadr.client.revoke",
        "openadr_client",
        client_id,
        {"revoked_at": None},
        {"revoked_at": now.isoformat()},
        at=now,
    )
