"""A Mosquitto configuration from the platform's client registry: a login per OpenADR 3 client
and topic ACLs enforcing the audience column of :mod:`gzvpp.openadr.mqtt`.

A client logs in to the broker with its OAuth2 ``client_id`` as username and its
``client_secret`` as password; the broker's password file carries the hash stored at
provisioning, in Mosquitto's documented ``$7$`` format (PBKDF2-SHA512, ``mosquitto_passwd``).
A VEN may read the untargeted program topics and the topics of its own ven objects, and
nothing else, and publish only its own ven objects' telemetry (:mod:`gzvpp.openadr.mqtt_telemetry`);
a business-logic client reads everything; only the VTN's own login (:data:`VTN_USER`)
publishes anything else. Anonymous clients are refused. A revoked client is left out,
so it loses the broker when the files are written again and Mosquitto reloads them (SIGHUP).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzvpp.models import ClientRole, ObjectType, OpenADRClient, OpenADRObject
from gzvpp.openadr.mqtt import PREFIX
from gzvpp.openadr.mqtt_telemetry import telemetry_topic

VTN_USER = "gzvpp-vtn"
# mosquitto_passwd uses 101; more costs each CONNECT little and an offline guess more.
PBKDF2_ITERATIONS = 10_000
SALT_BYTES = 12


def password_hash(password: str, *, salt: bytes | None = None) -> str:
    """``password`` in Mosquitto's password-file format ``$7$iterations$salt$hash`` (base64,
    PBKDF2-HMAC-SHA512, as ``mosquitto_passwd`` writes it)."""
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, PBKDF2_ITERATIONS)
    encoded = (base64.b64encode(part).decode() for part in (salt, digest))
    return f"$7${PBKDF2_ITERATIONS}${'$'.join(encoded)}"


def ven_topics(ven_ids: list[str]) -> list[str]:
    """What a VEN owning ``ven_ids`` may read: programs and program events without targets,
    and the topics of its own ven objects (never ``events/…`` or another ven's)."""
    shared = [f"{PREFIX}/programs/+", f"{PREFIX}/programs/+/+", f"{PREFIX}/programs/+/events/+"]
    own = [
        f"{PREFIX}/vens/{ven_id}/{part}"
        for ven_id in ven_ids
        for part in ("+", "events/+", "programs/+", "resources/+", "telemetry/problems")
    ]
    return shared + own


@dataclass(frozen=True)
class BrokerConfig:
    """The files written, the clients left without a login and why, and the VTN's URL."""

    conf: Path
    password_file: Path
    acl_file: Path
    clients: int
    without_login: list[str]
    vtn_url: str


def write_broker_config(
    session: Session,
    out: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 1883,
    vtn_password: str | None = None,
) -> BrokerConfig:
    """Write ``mosquitto.conf``, ``passwd`` and ``acl`` into ``out`` (created; files readable
    by their owner only). ``vtn_password`` is the VTN's own login; a new one when None (then
    ``GZVPP_MQTT_URL`` must be set to the returned ``vtn_url``)."""
    vtn_password = vtn_password or secrets.token_urlsafe(24)
    clients = session.scalars(
        select(OpenADRClient).where(OpenADRClient.revoked_at.is_(None)).order_by(OpenADRClient.id)
    ).all()
    ven_ids: dict[str, list[str]] = {}
    for ven_id, client_id in session.execute(
        select(OpenADRObject.id, OpenADRObject.client_id)
        .where(OpenADRObject.object_type == ObjectType.VEN)
        .order_by(OpenADRObject.id)
    ):
        ven_ids.setdefault(client_id or "", []).append(ven_id)

    passwords = [f"{VTN_USER}:{password_hash(vtn_password)}"]
    acl = ["# gzvpp openadr mqtt-acl: one block per login", f"user {VTN_USER}"]
    acl.append(f"topic readwrite {PREFIX}/#")
    without_login = []
    for client in clients:
        if client.mqtt_password_hash is None:
            without_login.append(client.id)
            continue
        passwords.append(f"{client.id}:{client.mqtt_password_hash}")
        acl += ["", f"# {client.name}", f"user {client.id}"]
        if client.role is ClientRole.BL:
            acl.append(f"topic read {PREFIX}/#")
        else:
            own = ven_ids.get(client.id, [])
            acl += [f"topic read {t}" for t in ven_topics(own)]
            acl += [f"topic write {telemetry_topic(ven_id)}" for ven_id in own]

    out.mkdir(parents=True, exist_ok=True)
    password_file, acl_file, conf = out / "passwd", out / "acl", out / "mosquitto.conf"
    _write_private(password_file, "\n".join(passwords) + "\n")
    _write_private(acl_file, "\n".join(acl) + "\n")
    _write_private(
        conf,
        "\n".join(
            [
                "# gzvpp openadr mqtt-acl: the OpenADR 3 VTN's broker, logins and topic ACLs",
                "per_listener_settings false",
                f"listener {port} {host}",
                "allow_anonymous false",
                f"password_file {password_file.resolve()}",
                f"acl_file {acl_file.resolve()}",
                "",
            ]
        ),
    )
    return BrokerConfig(
        conf=conf,
        password_file=password_file,
        acl_file=acl_file,
        clients=len(clients) - len(without_login),
        without_login=without_login,
        vtn_url=f"mqtt://{VTN_USER}:{vtn_password}@{host}:{port}",
    )


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    path.chmod(0o600)
