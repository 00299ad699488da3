"""Errors of the OpenADR 3 VTN as the specification wants them, scoped to its router.

Every 4xx and 5xx carries a ``problem`` object (``{"title", "status", "detail"}``). A request
that fails validation is a 400 (the platform's own API answers 422), a method the path does not
support is a 405 naming every method it does support, a body larger than the VTN reads
(``Settings.max_body``, enforced by :mod:`gzvpp.edge`) is a 413, and the refusals of the
platform's services (``DomainError``) keep their status, 422 becoming 400.
:class:`VtnRoute` does this for the VTN's routes only, so the rest of the app keeps its own
conventions.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from gzkit.errors import CONFLICT_MESSAGE, DomainError

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    500: "Internal Server Error",
}


class Problem(Exception):
    """A refusal answered with a ``problem`` object."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers

    def response(self) -> JSONResponse:
        """The HTTP response."""
        return problem_response(self.status, self.detail, headers=self.headers)


def problem_response(
    status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """``{"title", "status", "detail"}`` (plus ``extra`` members) with ``status``."""
    body = {"title": TITLES.get(status, "Error"), "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def domain_status(exc: DomainError) -> int:
    """The status a platform refusal keeps on the VTN (its 422 is the VTN's 400)."""
    return 400 if exc.status_code == 422 else exc.status_code


class VtnRoute(APIRoute):
    """An ``APIRoute`` whose errors are ``problem`` objects, and whose 405 lists every method
    of its path (Starlette's names only the first route that matched the path)."""

    _methods_by_path: ClassVar[dict[str, set[str]]] = {}

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self._methods_by_path.setdefault(self.path_format, set()).update(self.methods or ())

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return problem_response(400, _validation_detail(exc))
            except Problem as exc:
                return exc.response()
            except DomainError as exc:
                return problem_response(domain_status(exc), exc.message)
            except IntegrityError:  # the database's text names tables: never sent
                return problem_response(409, CONFLICT_MESSAGE)

        return route

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            allowed = ", ".join(sorted(self._methods_by_path[self.path_format]))
            response = problem_response(
                405, f"{scope['method']} is not supported here", headers={"Allow": allowed}
            )
            await response(scope, receive, send)
            return
        await super().handle(scope, receive, send)
