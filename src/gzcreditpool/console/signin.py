"""Signing in (name and password, or an API token) and out, each role's home, static files
and ``/docs``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import FileResponse, RedirectResponse

from gzcreditpool.console.pages import (
    STATIC_FILES,
    TEMPLATES,
    PageActor,
    page_router,
    render,
)
from gzcreditpool.kit import auth
from gzcreditpool.kit.auth import SESSION_HOURS, TOKEN_COOKIE, authenticate, sign_in, sign_out
from gzcreditpool.models import Role
from gzkit.auth import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.errors import DomainError, Invalid, NotFound, Unauthorized

root_router = APIRouter(include_in_schema=False)
router = page_router()
TOKEN_COOKIE_DAYS = 30
HOME = {
    Role.BANK: "/console/loans",
    Role.TRUSTEE: "/console/loans",
    Role.BUREAU: "/console/dashboard",
    Role.AUDITOR: "/console/dashboard",
}


@root_router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/console/", status_code=303)


@root_router.get("/docs")
def api_docs(request: Request) -> Response:
    """Swagger UI with assets from the installed package (offline)."""
    app = request.app
    return TEMPLATES.TemplateResponse(
        request, "kit/apidocs.html", {"title": app.title, "openapi_url": app.openapi_url}
    )


@router.get("/login")
def login_page(request: Request) -> Response:
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
    """Sign in with a name and password (a session of 8 hours) or an API token; the cookie is
    httpOnly and SameSite=Strict. A refusal is a 401 page."""
    now = clock.now()
    by_token = not name and bool(token)
    try:
        if by_token:
            secret, lifetime = token.strip(), dt.timedelta(days=TOKEN_COOKIE_DAYS)
            authenticate(session, secret, now)
        else:
            secret, lifetime = (
                sign_in(session, name, password, now),
                dt.timedelta(hours=SESSION_HOURS),
            )
    except DomainError as err:
        error = err.message.split(" / ")[0] + "。"
        return render(request, None, "login.html", 401, error=error, name=name.strip())
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
    if secret := request.cookies.get(TOKEN_COOKIE):
        sign_out(session, secret, clock.now())
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/password")
def password_page(request: Request, actor: PageActor) -> Response:
    """The signed-in person's form to change (or set a first) password."""
    return render(request, actor, "password.html", min_length=MIN_PASSWORD_LENGTH)


@router.post("/password")
def change_password(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    password_again: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    current: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
) -> Response:
    """Check the current password and the new one twice; the person's other sessions end."""
    try:
        if password != password_again:
            raise Invalid("两次输入的新密码不一致 / the two new passwords differ", "password_again")
        auth.change_password(
            session, actor, current, password, request.cookies.get(TOKEN_COOKIE, ""), clock.now()
        )
    except (Unauthorized, Invalid) as err:
        error = err.message.split(" / ")[0] + "。"
        return render(
            request, actor, "password.html", err.status_code,
            min_length=MIN_PASSWORD_LENGTH, error=error,
        )  # fmt: skip
    return render(
        request, actor, "password.html",
        min_length=MIN_PASSWORD_LENGTH, message="密码已修改，其他登录会话已退出。",
    )  # fmt: skip


@router.get("/")
def home(actor: PageActor) -> RedirectResponse:
    """Each role's first page."""
    return RedirectResponse(HOME[actor.role], status_code=303)


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    """The console's scripts and styles, plotly.js and Swagger UI from installed packages."""
    if name not in STATIC_FILES:
        raise NotFound("没有此文件 / no such file")
    return FileResponse(STATIC_FILES[name], headers={"Cache-Control": "max-age=3600"})
