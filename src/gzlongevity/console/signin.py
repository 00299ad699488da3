"""Signing in and out, the console's home by role, static files, and /docs (Swagger UI from
the installed package, offline)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from gzkit.auth import MAX_PASSWORD_LENGTH
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.errors import DomainError, Invalid, NotFound, Unauthorized
from gzlongevity.console.labels import zh
from gzlongevity.console.pages import HOME, STATIC_FILES, PageActor, PageRoute, render
from gzlongevity.kit.auth import (
    SESSION_HOURS,
    TOKEN_COOKIE,
    authenticate,
    change_password,
    sign_in,
    sign_out,
)
from gzlongevity.models import Role

root_router = APIRouter(include_in_schema=False)
router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)


@root_router.get("/")
def root() -> RedirectResponse:
    """The console's home."""
    return RedirectResponse("/console/", status_code=303)


@root_router.get("/docs")
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI over the OpenAPI document, its assets served from the installed package."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} · 接口文档",
        swagger_js_url="/console/static/swagger-ui-bundle.js",
        swagger_css_url="/console/static/swagger-ui.css",
        swagger_favicon_url="/console/static/favicon.png",
    )


@router.get("/login")
def login_page(request: Request) -> Response:
    """Account name and password; an API token in a second section."""
    return render(request, None, "login.html")


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
    token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Sign in; the token is kept in an httpOnly, SameSite=Strict cookie."""
    now = clock.now()
    try:
        if not name and token:
            secret = token.strip()
            if authenticate(session, secret, now).role is Role.EXCHANGE:
                raise Unauthorized("令牌无效")
            lifetime = dt.timedelta(days=30)
        else:
            secret, lifetime = (
                sign_in(session, name, password, now),
                dt.timedelta(hours=SESSION_HOURS),
            )
    except DomainError as err:
        return render(
            request, None, "login.html", 401, error=f"{zh(err.message)}。", name=name.strip()
        )
    response = RedirectResponse("/console/", status_code=303)
    response.set_cookie(
        TOKEN_COOKIE,
        secret,
        httponly=True,
        samesite="strict",
        path="/",
        max_age=int(lifetime.total_seconds()),
    )
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    """End the session and forget the cookie."""
    if secret := request.cookies.get(TOKEN_COOKIE):
        sign_out(session, secret, clock.now())
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/")
def home(actor: PageActor) -> RedirectResponse:
    """Each role's first page."""
    return RedirectResponse(HOME[actor.role], status_code=303)


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    """The console's scripts and styles, plotly.js and Swagger UI from the installed packages."""
    if name not in STATIC_FILES:
        raise NotFound(f"no static file {name}")
    return FileResponse(STATIC_FILES[name], headers={"Cache-Control": "max-age=3600"})


@router.get("/password")
def password_page(request: Request, actor: PageActor) -> Response:
    """The signed-in officer's form to change (or set a first) password."""
    return render(request, actor, "password.html")


@router.post("/password")
def password_change(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    password_again: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    current: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
) -> Response:
    """Check the current password and the new one twice."""
    try:
        if password != password_again:
            raise Invalid("两次输入的新密码不一致", "password_again")
        change_password(session, actor, clock.now(), current, password)
    except DomainError as err:
        return render(
            request, actor, "password.html", err.status_code, error=f"{zh(err.message)}。"
        )
    return render(request, actor, "password.html", message="密码已修改。")
