"""OAuth2 client credentials for the OpenADR 3 VTN: ``/auth/server``, ``/auth/token`` and the
``Caller`` every other operation runs as.

The grid operator provisions credentials out of band (``gzvpp openadr add-ven`` or
``POST /api/openadr/vens``); a client trades them for a bearer token, form-encoded as RFC 6749
says (``client_secret_post``, or HTTP Basic). Scopes are those of openadr3.yaml; a VEN may ask
for fewer than its role grants, never more. Tokens expire after ``token_ttl`` seconds of the
platform clock and are stored only as their SHA-256.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from gzkit.auth import hash_token
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzvpp.kit.auth import Actor
from gzvpp.models import ClientRole, OpenADRClient, OpenADRToken
from gzvpp.openadr.vtn3.routing import Problem, problem_response

TOKEN_PREFIX = "gzoadr_"
VEN_SCOPES = frozenset(
    {
        "read_all",
        "read_targets",
        "read_ven_objects",
        "write_reports",
        "write_subscriptions",
        "write_vens",
    }
)
BL_SCOPES = frozenset(
    {
        "read_all",
        "read_bl",
        "read_targets",
        "read_ven_objects",
        "write_programs",
        "write_events",
        "write_subscriptions",
        "write_vens",
    }
)
ROLE_SCOPES = {ClientRole.VEN: VEN_SCOPES, ClientRole.BL: BL_SCOPES}
# Operations whose responses do not list 401 answer a missing token with 403.
NO_401 = frozenset({("PUT", "/programs/{programID}")})


@dataclass(frozen=True)
class TokenForm:
    """The fields of ``clientCredentialRequest`` (all optional here, so that a missing one is
    answered the RFC 6749 way rather than as a validation error)."""

    grant_type: str | None
    client_id: str | None
    client_secret: str | None
    scope: str | None


@dataclass(frozen=True)
class Caller:
    """Who called the VTN: the client, its role and scopes, and the platform user behind it."""

    client_id: str
    role: ClientRole
    participant_id: str | None
    scopes: frozenset[str]
    actor: Actor

    @property
    def is_bl(self) -> bool:
        """True for the grid operator's business logic, which sees every object."""
        return self.role is ClientRole.BL

    def require(self, scope: str) -> None:
        """403 unless the token carries ``scope``."""
        if scope not in self.scopes:
            raise Problem(403, f"this operation needs the scope {scope}")


def _token_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Basic realm="openadr3"'} if status == 401 else None
    return problem_response(
        status, description, headers=headers, error=error, error_description=description
    )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def issue_token(
    request: Request, session: Session, now: dt.datetime, ttl: int, form: TokenForm
) -> JSONResponse:
    """The token endpoint: ``grant_type=client_credentials`` → a bearer token."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _token_error(
            400, "invalid_request", "send the form as application/x-www-form-urlencoded"
        )
    if form.grant_type != "client_credentials":
        return _token_error(400, "unsupported_grant_type", "grant_type must be client_credentials")
    client_id, secret = _basic_credentials(request) or (form.client_id, form.client_secret)
    if not client_id or not secret or len(client_id) > 4096 or len(secret) > 4096:
        return _token_error(400, "invalid_request", "client_id and client_secret are required")
    client = session.get(OpenADRClient, client_id)
    if (
        client is None
        or client.revoked_at is not None
        or not secrets.compare_digest(client.secret_sha256, hash_token(secret))
    ):
        return _token_error(401, "invalid_client", "unknown client or wrong secret")
    allowed = ROLE_SCOPES[client.role]
    requested = frozenset((form.scope or "").split())
    if requested - allowed:
        unknown = ", ".join(sorted(requested - allowed))
        return _token_error(400, "invalid_scope", f"not granted to this client: {unknown}")
    scopes = requested or allowed
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        OpenADRToken(
            token_sha256=hash_token(token),
            client_id=client.id,
            scopes=sorted(scopes),
            issued_at=now,
            expires_at=now + dt.timedelta(seconds=ttl),
        )
    )
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": " ".join(sorted(scopes)),
        },
        headers={"Cache-Control": "no-store"},
    )


def current_caller(request: Request, session: SessionDep, clock: ClockDep) -> Caller:
    """The caller named by ``Authorization: Bearer``; 401 (403 where 401 is not documented)
    for a missing, unknown, expired or revoked token, or one whose user is disabled."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    found = (
        session.get(OpenADRToken, hash_token(token.strip()))
        if scheme.lower() == "bearer" and token.strip()
        else None
    )
    now = clock.now()
    if (
        found is None
        or found.expires_at <= now
        or found.client.revoked_at is not None
        or found.client.user.disabled_at is not None  # `gzvpp user disable` stops its VENs too
    ):
        path = getattr(request.scope.get("route"), "path_format", "")
        undocumented = any(
            request.method == method and path.endswith(suffix) for method, suffix in NO_401
        )
        status = 403 if undocumented else 401
        raise Problem(
            status,
            "a valid bearer token is required (POST the client credentials to /auth/token)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    client = found.client
    user = client.user
    return Caller(
        client_id=client.id,
        role=client.role,
        participant_id=client.participant_id,
        scopes=frozenset(found.scopes),
        actor=Actor(user.id, user.name, user.role, user.participant_id),
    )


CallerDep = Annotated[Caller, Depends(current_caller)]
