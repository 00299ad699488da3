"""Cross-site request forgery: what a state-changing request signed in by the console's cookie
must also carry.

``SameSite=Strict`` keeps the cookie off requests from other *sites*, but a page on another
port of the same host is the same site, and its forms would carry the cookie. So a POST (PUT,
PATCH, DELETE) that the cookie authenticates needs both:

* an ``Origin`` (or, failing that, ``Referer``) of exactly this server's origin — scheme, host
  and port; and
* the session's form token: an HMAC of the sign-in token, which a page can know only if this
  server rendered it (the cookie is httpOnly). Console forms send it as the hidden field
  ``csrf_token``, the console's scripts as the header ``X-CSRF-Token``.

Requests with an ``Authorization: Bearer`` header carry no ambient credential and need neither.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from fastapi import Request

from gzkit.errors import Forbidden

FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PURPOSE = b"console form"


class ForgedRequest(Forbidden):
    """A cookie-signed change that did not come from this server's own pages: 403."""


def form_token(session_token: str) -> str:
    """The form token of the session signed in with ``session_token``."""
    return hmac.new(session_token.encode(), _PURPOSE, hashlib.sha256).hexdigest()


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or _DEFAULT_PORTS[scheme]


def same_origin(request: Request) -> bool:
    """Whether the request's ``Origin`` (else ``Referer``) is this server's own origin."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent:
        return False
    own = _origin(f"{request.url.scheme}://{request.headers.get('host', '')}")
    return own is not None and _origin(sent) == own


def require_same_origin(request: Request) -> None:
    """Raise :class:`ForgedRequest` unless ``request`` comes from this server's origin."""
    if not same_origin(request):
        raise ForgedRequest(
            "请求并非来自本平台页面（Origin/Referer 不符） / "
            "cross-site request refused: Origin or Referer is not this server"
        )


def check(request: Request, session_token: str, submitted: str | None) -> None:
    """Raise :class:`ForgedRequest` unless ``request`` comes from this server's origin and
    ``submitted`` is the session's form token."""
    require_same_origin(request)
    if not submitted or not hmac.compare_digest(submitted, form_token(session_token)):
        raise ForgedRequest(
            "表单令牌缺失或不符，请刷新页面后重试 / "
            "cross-site request refused: missing or wrong form token (csrf_token)"
        )
