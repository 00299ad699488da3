"""Signing in (a person with account name and password, a machine or test with an API token)
and out, changing one's own password, the console's home and static files, and /docs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import (
    APIRouter,
    Form,
    Request,
    Response,
)
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzkit.auth import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hash_token
from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.errors import Conflict, DomainError, Invalid, NotFound, Unauthorized
from gzvpp.accounts import passwords
from gzvpp.console import labels
from gzvpp.console.pages import (
    STATIC_FILES,
    TEMPLATES,
    PageActor,
    PageRoute,
    render,
)
from gzvpp.kit.auth import TOKEN_COOKIE, Actor, authenticate
from gzvpp.models import ApiToken, PlatformUser, Role

root_router = APIRouter(include_in_schema=False)
router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
TOKEN_COOKIE_DAYS = 30  # an API token's sign-in; a password's lasts the session lifetime


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
        request, "kit/apidocs.html", {"title": app.title, "openapi_url": app.openapi_url}
    )


@router.get("/login")
def login_page(request: Request, clock: ClockDep) -> Response:
    """The sign-in form: account name and password; an API token in a second section."""
    return render(request, None, "login.html", clock.now())


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
    token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Sign in with ``name`` and ``password`` (a session of the policy's lifetime), or with an
    API ``token``; either is kept in an httpOnly, SameSite=Strict cookie. A refusal is a 401
    page, and the session still commits: failed attempts count towards the lockout."""
    now = clock.now()
    by_token = not name and bool(token)
    try:
        if by_token:
            secret, lifetime = token.strip(), dt.timedelta(days=TOKEN_COOKIE_DAYS)
            # Reading is signing in.
            actor, _ = authenticate(session, secret, now, write=False)
            if actor.role is Role.METERING:  # it only sends meter data through the API
                raise Unauthorized("令牌无效")
        else:
            signed_in = passwords.sign_in(session, name, password, now)
            secret, lifetime = signed_in.token, signed_in.expires_at - now
    except DomainError as err:  # say why: unknown, expired, revoked, disabled, read period over
        error = f"{labels.zh(err.message)}。"
        context = {"token_error": error} if by_token else {"error": error, "name": name.strip()}
        return render(request, None, "login.html", now, 401, **context)
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
    """End a password sign-in's session and forget the cookie."""
    if secret := request.cookies.get(TOKEN_COOKIE):
        passwords.sign_out(session, hash_token(secret), clock.now())
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/password")
def password_page(
    request: Request, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    """The signed-in person's form to change (or set a first) password."""
    return _password_form(request, actor, session, clock.now())


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
    """Check the current password and the new one twice; other sessions of the person end.
    A wrong current password counts towards the lockout (so the session commits)."""
    now = clock.now()
    token_id = session.scalar(
        select(ApiToken.id).where(
            ApiToken.token_sha256 == hash_token(request.cookies.get(TOKEN_COOKIE, ""))
        )
    )
    try:
        if password != password_again:
            raise Invalid("两次输入的新密码不一致", "password_again")
        passwords.change_own_password(session, actor, now, current, password, token_id)
    except (Unauthorized, Invalid, Conflict) as err:
        error = f"{labels.zh(err.message)}。"
        return _password_form(request, actor, session, now, err.status_code, error)
    return _password_form(request, actor, session, now, message="密码已修改，其他登录会话已退出。")


def _password_form(
    request: Request,
    actor: Actor,
    session: Session,
    now: dt.datetime,
    status_code: int = 200,
    error: str = "",
    message: str = "",
) -> Response:
    user = session.get(PlatformUser, actor.user_id)
    has_password = user is not None and user.password_hash is not None
    return render(
        request,
        actor,
        "password.html",
        now,
        status_code,
        has_password=has_password,
        min_length=MIN_PASSWORD_LENGTH,
        error=error,
        message=message,
    )


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
