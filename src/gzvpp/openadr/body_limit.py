"""The VTNs' own cap on request bodies: neither VTN reads more than
``Settings.max_body`` bytes of one request (``$GZVPP_OPENADR_MAX_BODY``, 1 MiB).

A declared ``Content-Length`` over the cap is refused before anything is read; a chunked body
is counted as it arrives and refused at the first chunk past the cap, so memory stays bounded
by the cap whatever the client sends. Each VTN answers :class:`BodyTooLarge` in its own form:
the OpenADR 3 VTN with a problem object, the 2.0b VTN in plain text.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import Message, Receive, Scope

DEFAULT_MAX_BODY = 1 << 20


class BodyTooLarge(HTTPException):
    """413: the body is larger than the VTN accepts. An ``HTTPException`` so that FastAPI's
    body parsing passes it on rather than calling it a malformed body."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


def _check_declared(headers: Headers, limit: int) -> None:
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)


def limit_receive(scope: Scope, receive: Receive, limit: int) -> Receive:
    """``receive`` that raises :class:`BodyTooLarge` once the body passes ``limit`` bytes
    (at once if the declared length does)."""
    _check_declared(Headers(scope=scope), limit)
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return limited


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body of ``request``, or :class:`BodyTooLarge` past ``limit`` bytes."""
    _check_declared(request.headers, limit)
    chunks: list[bytes] = []
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)
