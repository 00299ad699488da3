"""Request body limits at the edge, before any route reads a byte.

:class:`BodySizeLimit` is a pure ASGI middleware: each request gets the limit of the longest
path prefix it falls under (else the default), checked on the declared ``Content-Length`` up
front and on the bytes actually received for a chunked body. A body over the limit is answered
413 by the rule's responder — JSON ``detail`` in Chinese and English by default; front ends
with their own error format (the console's page, OpenADR's problem object) pass theirs — and
whatever the application had started to answer is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BYTES = 1 << 20

Responder = Callable[[Request, int], Response]


def size_text(max_bytes: int) -> str:
    """``max_bytes`` for people: ``1 MiB``, ``512 KiB``, ``100 字节``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if max_bytes >= size and max_bytes % size == 0:
            return f"{max_bytes // size} {unit}"
    return f"{max_bytes} 字节"


def too_large_message(max_bytes: int) -> str:
    """The refusal, in Chinese and English."""
    return (
        f"请求体过大：此处上限为 {size_text(max_bytes)} / "
        f"Request body too large: at most {max_bytes} bytes here"
    )


def too_large_json(_request: Request, max_bytes: int) -> Response:
    """413 with ``{"detail": ...}``, as the platform's API answers."""
    return JSONResponse({"detail": too_large_message(max_bytes)}, status_code=413)


@dataclass(frozen=True)
class BodyLimit:
    """At most ``max_bytes`` of body for paths starting with ``prefix``, refused by
    ``respond``."""

    prefix: str
    max_bytes: int
    respond: Responder = too_large_json


class _BodyTooLarge(Exception):
    """Raised into the application when the streamed body passes the limit."""


class BodySizeLimit:
    """The ASGI middleware; ``limits`` by path prefix, ``default`` for every other path."""

    def __init__(self, app: ASGIApp, limits: Sequence[BodyLimit], default: BodyLimit) -> None:
        self.app = app
        self.limits = sorted(limits, key=lambda limit: len(limit.prefix), reverse=True)
        self.default = default

    def limit_for(self, path: str) -> BodyLimit:
        """The rule of the longest prefix of ``path``."""
        return next((limit for limit in self.limits if path.startswith(limit.prefix)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit.max_bytes:
            await limit.respond(Request(scope), limit.max_bytes)(scope, receive, send)
            return
        received = 0
        exceeded = started = answered = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def answer() -> None:
            nonlocal answered, started
            answered = started = True
            await limit.respond(Request(scope), limit.max_bytes)(scope, receive, send)

        async def guarded_send(message: Message) -> None:
            # Whatever the application makes of a body cut short (a 400, its own handler's
            # error) gives way to the 413.
            nonlocal started
            if exceeded and not started:
                await answer()
            if answered:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            # Past the limit, whatever the application raised is the cut body's doing.
            if not exceeded or (started and not answered):
                raise
        if exceeded and not started:
            await answer()
