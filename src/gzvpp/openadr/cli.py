"""``gzvpp openadr``: OpenADR clients (VENs of participants, business-logic clients) and the
MQTT broker's logins and ACLs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gzvpp import cliparts
from gzvpp.cliparts import DatabaseUrl, DbPath, PlainHelp, print_error, stderr

openadr_app = typer.Typer(
    help="OpenADR clients: VENs of participants, and business-logic clients.",
    no_args_is_help=True,
)


@openadr_app.command("add-ven", cls=PlainHelp)
def openadr_add_ven(
    participant: Annotated[str, typer.Option(help="The active participant the VEN acts for.")],
    ven_name: Annotated[
        str | None, typer.Option(help="Unique venName; generated when left out.")
    ] = None,
    protocol: Annotated[str, typer.Option(help="3.1.0 (OAuth2 client) or 2.0b.")] = "3.1.0",
    fingerprint: Annotated[
        str | None, typer.Option(help="2.0b: the VEN certificate's fingerprint (AB:CD:…).")
    ] = None,
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Provision a VEN for a participant and print its credentials (the secret only now)."""
    from gzkit.errors import DomainError
    from gzvpp.kit.db import in_database
    from gzvpp.openadr.provisioning import add_ven

    if protocol not in ("3.1.0", "2.0b"):
        raise typer.BadParameter("3.1.0 or 2.0b", param_hint="--protocol")
    try:
        credentials, _ = in_database(
            cliparts.database_url(db, database_url),
            lambda session, now: add_ven(
                session,
                "cli",
                now,
                participant,
                protocol="2.0b" if protocol == "2.0b" else "3.1.0",
                ven_name=ven_name,
                fingerprint=fingerprint,
            ),
        )
    except DomainError as err:
        print_error(err.message)
        raise typer.Exit(code=2) from None
    for name in ("protocol", "ven_name", "ven_id", "client_id", "client_secret", "fingerprint"):
        value = getattr(credentials, name)
        if value is not None:
            typer.echo(f"{name}: {value}")
    if credentials.targets:
        typer.echo(f"targets: {', '.join(credentials.targets)}")


@openadr_app.command("add-bl")
def openadr_add_bl(
    name: Annotated[str, typer.Option(help="Which system of the grid operator it is.")],
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a business-logic client of the OpenADR 3 VTN; print client_id and secret."""
    from gzvpp.kit.db import in_database
    from gzvpp.openadr.provisioning import add_bl

    credentials = in_database(
        cliparts.database_url(db, database_url),
        lambda session, now: add_bl(session, "cli", now, name),
    )
    typer.echo(f"client_id: {credentials.client_id}")
    typer.echo(f"client_secret: {credentials.client_secret}")


@openadr_app.command("revoke")
def openadr_revoke(
    client_id: Annotated[str, typer.Argument(help="The client to revoke.")],
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke an OpenADR client: its tokens stop working at once."""
    from gzkit.errors import DomainError
    from gzvpp.kit.db import in_database
    from gzvpp.openadr.provisioning import revoke

    try:
        in_database(
            cliparts.database_url(db, database_url),
            lambda session, now: revoke(session, "cli", now, client_id),
        )
    except DomainError as err:
        print_error(err.message)
        raise typer.Exit(code=2) from None
    stderr().print(f"revoked {client_id}")


@openadr_app.command("mqtt-acl")
def openadr_mqtt_acl(
    out: Annotated[Path, typer.Option(help="Directory for mosquitto.conf, passwd and acl.")],
    host: Annotated[str, typer.Option(help="Interface the broker listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The broker's TCP port.")] = 1883,
    db: DbPath = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the MQTT broker's configuration: a login per OpenADR 3 client (client_id and
    client_secret) and topic ACLs (a VEN reads only its own topics); anonymous refused.
    Run again after provisioning or revoking, then reload Mosquitto (SIGHUP)."""
    import os
    from urllib.parse import urlsplit

    from gzvpp.kit.db import in_database
    from gzvpp.openadr.broker import VTN_USER, write_broker_config
    from gzvpp.openadr.runtime import MQTT_URL_ENV

    # Keep the VTN's login if $GZVPP_MQTT_URL already carries it.
    current = urlsplit(os.environ.get(MQTT_URL_ENV, ""))
    vtn_password = current.password if current.username == VTN_USER else None
    written = in_database(
        cliparts.database_url(db, database_url),
        lambda session, _now: write_broker_config(
            session, out, host=host, port=port, vtn_password=vtn_password
        ),
    )
    typer.echo(f"已写入 {written.conf}、{written.password_file}、{written.acl_file}")
    typer.echo(
        f"{written.clients} 个 OpenADR 客户端可登录 MQTT（用户名 client_id，口令 client_secret）"
    )
    if written.without_login:
        typer.echo(
            "以下客户端在本版本之前发放，没有 MQTT 口令，需重新发放后才能登录："
            + ", ".join(written.without_login)
        )
    if vtn_password is None:
        typer.echo(f"平台发布用的登录已新建，请设置 {MQTT_URL_ENV}={written.vtn_url}")
    typer.echo(f"启动：mosquitto -c {written.conf}")
