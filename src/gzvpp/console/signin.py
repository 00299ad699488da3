"""Signing in and out, the console's home and static files, and /docs."""

from __future__ import annotations

from typing import Annotated

from fastapi import (
    APIRouter,
    Form,
    Request,
    Response,
)
from fastapi.responses import FileResponse, RedirectResponse

from gzvpp.console import labels
from gzvpp.console.pages import (
    STATIC_FILES,
    TEMPLATES,
    PageActor,
    PageRoute,
    render,
)
from gzvpp.kit.auth import TOKEN_COOKIE, authenticate
from gzvpp.kit.clock import ClockDep
from gzvpp.kit.db import SessionDep
from gzvpp.kit.errors import DomainError, NotFound, Unauthorized
from gzvpp.models import (
    Role,
)

root_router = APIRouter(include_in_schema=False)
router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


@root_router.get("/")
def root() -> RedirectResponse:
    """The console's home."""
    return RedirectResponse("/console/", status_code=303)


@root_router.get("/docs")
def api_docs(request: Request) -> Response:
    """Swagger UI over the OpenAPI document, its assets served from the package (offline), its
    start-up in a script file rather than inline. There is no /redoc: ReDoc's sidebar fetches
    its logo from the network."""
    app = request.app
    return TEMPLATES.TemplateResponse(
        request, "apidocs.html", {"title": app.title, "openapi_url": app.openapi_url}
    )


@router.get("/login")
def login_page(request: Request, clock: ClockDep) -> Response:
    """The sign-in form: the access token (令牌) from ``gzvpp user add``."""
    return render(request, None, "login.html", clock.now())


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the token and keep it in an httpOnly, SameSite=Strict cookie."""
    try:
        if not token.strip():
            raise Unauthorized("令牌无效")
        # Reading is signing in.
        actor, _ = authenticate(session, token.strip(), clock.now(), write=False)
        if actor.role is Role.METERING:  # it only sends meter data through the API
            raise Unauthorized("令牌无效")
    except DomainError as err:  # say why: unknown, expired, revoked, disabled, read period over
        error = f"{labels.zh(err.message)}。"
        return render(request, None, "login.html", clock.now(), 401, error=error)
    response = RedirectResponse("/console/", status_code=303)
    response.set_cookie(
        TOKEN_COOKIE, token.strip(), httponly=True, samesite="strict", path="/", max_age=86400 * 30
    )
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the cookie."""
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/")
def home(actor: PageActor) -> RedirectResponse:
    """Each role's first page."""
    target = "/console/portal" if actor.role.participant_scoped else "/console/overview"
    return RedirectResponse(target, status_code=303)


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    """The console's scripts and styles, and plotly.js from the installed plotly package."""
    if name not in STATIC_FILES:
        raise NotFound(f"no static file {name}")
    return FileResponse(STATIC_FILES[name], headers={"Cache-Control": "max-age=3600"})
