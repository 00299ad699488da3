"""The console's defences in the browser: forged forms refused, and headers that keep its pages
out of frames, their scripts to the system's own files and their addresses to the system.

Every console POST passes :func:`check_form` before its route runs (``PageRoute``): the sign-in
form needs this server's ``Origin``, every other form also the session's ``csrf_token``
(:mod:`gzkit.csrf`). :class:`SecurityHeaders` adds :data:`HEADERS` to every response under
``/console``. The pages hold no inline script (charts read their data from
``<script type="application/json">`` blocks, which are data, not scripts), so the policy allows
scripts from the system only; plotly.js sets inline styles, hence ``'unsafe-inline'`` for
styles alone.
"""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gzkit import csrf

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Same-origin requests keep the Referer (the fallback of the origin check); other sites
    # never learn the console's addresses, which name participants.
    "Referrer-Policy": "same-origin",
}
SIGN_IN = "/console/login"  # every system's console signs in here


async def check_form(request: Request, cookie: str) -> None:
    """Raise :class:`~gzkit.csrf.ForgedRequest` for a console POST that did not come from
    the console's own page; without a session (no ``cookie``) only the origin can be
    checked."""
    if request.method not in csrf.UNSAFE_METHODS:
        return
    token = request.cookies.get(cookie)
    if request.url.path == SIGN_IN or not token:
        csrf.require_same_origin(request)
        return
    submitted = (await request.form()).get(csrf.FORM_FIELD)
    csrf.check(request, token, submitted if isinstance(submitted, str) else None)


def form_token(request: Request, cookie: str) -> str:
    """The ``csrf_token`` the page rendered for ``request`` puts in its forms ("" signed out)."""
    token = request.cookies.get(cookie)
    return csrf.form_token(token) if token else ""


class SecurityHeaders:
    """ASGI middleware: :data:`HEADERS` on every response whose path starts with ``prefix``."""

    def __init__(self, app: ASGIApp, prefix: str = "/console") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
