"""Domain exceptions and the handlers that turn them into JSON responses.

Services raise these; :func:`install` maps them to HTTP statuses so bad input or a forbidden
step answers with a clear ``{"detail": ...}`` and never a 500. A 422 always has FastAPI's
validation shape, ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``, whether pydantic or
a service found the problem, so a client reads every field error the same way. What the
client sent is echoed in a 422 only as a short scalar (``input``, at most
:data:`ECHO_CHARACTERS` characters), and at most :data:`MAX_ERRORS` errors are listed, so the
answer stays small whatever the request held and always serialises (``NaN`` included).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

# A saturated server's answer (the database pool exhausted, or admission shedding requests).
RETRY_AFTER_S = 2
BUSY_MESSAGE = "服务繁忙，请稍后重试 (server busy, retry later)"


class DomainError(Exception):
    """A request the service refuses, with a message a user can act on."""

    status_code: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def detail(self) -> object:
        """The value of the response's ``detail`` key."""
        return self.message


class Unauthorized(DomainError):
    """No valid bearer token: 401."""

    status_code = 401


class Forbidden(DomainError):
    """The actor's role may not do this: 403."""

    status_code = 403


class NotFound(DomainError):
    """No such thing, or not visible to this actor: 404."""

    status_code = 404


class Conflict(DomainError):
    """Clashes with stored state (a duplicate, a step out of order): 409."""

    status_code = 409


class TooLarge(DomainError):
    """A request body over its route's limit: 413."""

    status_code = 413


class Invalid(DomainError):
    """Well-formed input the rules reject: 422, naming the field when there is one.

    Parameters
    ----------
    message : str
    field : str or tuple of str and int, optional
        Where in the request, e.g. ``"sorting"`` or ``("body", "members", 2, "account_id")``.
    """

    status_code = 422

    def __init__(self, message: str, field: str | tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.field = (field,) if isinstance(field, str) else field

    def detail(self) -> object:
        return [{"loc": list(self.field), "msg": self.message, "type": "invalid"}]


def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
    return JSONResponse({"detail": exc.detail()}, status_code=exc.status_code, headers=headers)


# The database's own words name tables and columns: they are logged, never sent.
CONFLICT_MESSAGE = (
    "与同时保存的数据冲突，请刷新后重试 (conflicts with data stored meanwhile; reload and retry)"
)
DATA_MESSAGE = "数据库无法保存该值 (the database cannot store this value)"


def _integrity_error(_request: Request, _exc: Exception) -> JSONResponse:
    # Services check for duplicates first and say so clearly; this catches the race where two
    # requests insert the same key at once, and the database's constraint decides.
    return JSONResponse({"detail": CONFLICT_MESSAGE}, status_code=409)


def _data_error(_request: Request, _exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": DATA_MESSAGE}, status_code=422)


def _unavailable(_request: Request, _exc: Exception) -> JSONResponse:
    # The database busy past its timeout, or away: try again shortly, nothing was written.
    return JSONResponse(
        {"detail": BUSY_MESSAGE},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


ECHO_CHARACTERS = 100
MAX_ERRORS = 100


def _clip(text: str, limit: int = ECHO_CHARACTERS) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _echo(value: Any) -> Any:
    """A short JSON scalar standing for ``value``, or None for what is not echoed (objects,
    lists, bytes)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, int | Decimal | str):
        text = _clip(str(value))
        return value if isinstance(value, int) and text == str(value) else text
    return None


def validation_errors(errors: Any) -> list[dict[str, Any]]:
    """Pydantic's errors as small, always-serialisable ``{"loc", "msg", "type"[, "input",
    "ctx"]}`` items: scalars echoed clipped, the rest left out; a last item counts what was
    left out past :data:`MAX_ERRORS`."""
    items: list[dict[str, Any]] = []
    for error in list(errors)[:MAX_ERRORS]:
        item: dict[str, Any] = {
            "loc": [part if isinstance(part, int) else _clip(str(part)) for part in error["loc"]],
            "msg": _clip(str(error["msg"]), 500),
            "type": str(error["type"]),
        }
        if (shown := _echo(error.get("input"))) is not None:
            item["input"] = shown
        context = {key: _echo(value) for key, value in (error.get("ctx") or {}).items()}
        if context := {key: value for key, value in context.items() if value is not None}:
            item["ctx"] = context
        items.append(item)
    if (more := len(errors) - MAX_ERRORS) > 0:
        items.append(
            {
                "loc": [],
                "msg": f"另有 {more} 处错误未列出 / {more} more errors not listed",
                "type": "more_errors",
            }
        )
    return items


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": validation_errors(exc.errors())}, status_code=422)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(OperationalError, _unavailable)
    app.add_exception_handler(PoolTimeout, _unavailable)
