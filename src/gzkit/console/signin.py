"""Signing in to a console (a person with account name and password, a machine or a test with
an API token) and out, changing one's own password, the console's home and static files, and
``/docs`` (Swagger UI from the installed package, offline; no ReDoc, whose sidebar fetches its
logo from the network).

A system binds :class:`SignIn` to its accounts and gets the routes from :func:`signin_routes`.
The sign-in's token is kept in an httpOnly, SameSite=Strict cookie: a password's for the
session's lifetime, an API token's for :data:`TOKEN_COOKIE_DAYS`. A refusal is a 401 page; the
request's transaction still commits, so wrong passwords count towards the lockout.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations, which name
# this module's local page_actor.
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy.orm import Session

from gzkit.auth import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from gzkit.clock import ClockDep
from gzkit.console.pages import ConsolePages
from gzkit.db import SessionDep
from gzkit.errors import Conflict, DomainError, Invalid, NotFound, Unauthorized
from gzkit.text import chinese_half

A = TypeVar("A")
TOKEN_COOKIE_DAYS = 30  # an API token's sign-in; a password's lasts the session's lifetime


@dataclass(frozen=True)
class SignIn(Generic[A]):
    """A system's sign-in.

    Parameters
    ----------
    pages : ConsolePages
        The system's console pages (its cookie, rendering and signed-in actor).
    sign_in : callable
        ``(session, name, password, now)`` → the session token and when it expires; raises
        :class:`~gzkit.errors.Unauthorized` when refused (and counts the failure).
    sign_out : callable
        ``(session, token, now)``: end the session of ``token`` (an API token stays valid).
    change_password : callable
        ``(session, actor, current, new, token, now)``: the actor's new password, ``token``
        being the cookie's (whose session goes on); raises Unauthorized, Invalid or Conflict.
    has_password : callable
        ``(session, actor)``: whether the actor has a password yet (else a first one is set
        without the current one).
    token_sign_in : callable
        ``(session, token, now)``: check that an API token may sign in to the console (read
        access, and an identity with a console); raises a
        :class:`~gzkit.errors.DomainError` saying why not.
    home : callable
        The first page of the actor's role.
    changed : str
        What the page says once the password is changed.
    """

    pages: ConsolePages[A]
    sign_in: Callable[[Session, str, str, dt.datetime], tuple[str, dt.datetime]]
    sign_out: Callable[[Session, str, dt.datetime], None]
    change_password: Callable[[Session, A, str, str, str, dt.datetime], None]
    has_password: Callable[[Session, A], bool]
    token_sign_in: Callable[[Session, str, dt.datetime], None]
    home: Callable[[A], str]
    changed: str = "密码已修改，其他登录会话已退出。"


def signin_routes(signin: SignIn[Any]) -> tuple[APIRouter, APIRouter]:
    """The routes of signing in, out, the password, the home and static files (under
    ``/console``), and the root's (``/`` and ``/docs``)."""
    pages = signin.pages
    cookie = pages.site.cookie
    root_router = APIRouter(include_in_schema=False)
    router = pages.router()
    page_actor = Annotated[Any, Depends(pages.actor)]

    @root_router.get("/")
    def root() -> RedirectResponse:
        """The console's home."""
        return RedirectResponse("/console/", status_code=303)

    @root_router.get("/docs")
    def api_docs(request: Request) -> Response:
        """Swagger UI over the OpenAPI document, its assets served from the package, its
        start-up in a script file rather than inline."""
        app = request.app
        return pages.site.templates.TemplateResponse(
            request, "kit/apidocs.html", {"title": app.title, "openapi_url": app.openapi_url}
        )

    @router.get("/login")
    def login_page(request: Request) -> Response:
        """The sign-in form: account name and password; an API token in a second section."""
        return pages.render(request, None, "login.html")

    @router.post("/login")
    def login(
        request: Request,
        session: SessionDep,
        clock: ClockDep,
        name: Annotated[str, Form(max_length=200)] = "",
        password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
        token: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        """Sign in with ``name`` and ``password``, or with an API ``token``."""
        now = clock.now()
        by_token = not name and bool(token)
        try:
            if by_token:
                secret, expires_at = token.strip(), now + dt.timedelta(days=TOKEN_COOKIE_DAYS)
                signin.token_sign_in(session, secret, now)
            else:
                secret, expires_at = signin.sign_in(session, name, password, now)
        except DomainError as err:  # say why: unknown, expired, revoked, disabled, locked
            error = f"{chinese_half(err.message)}。"
            context = {"token_error": error} if by_token else {"error": error, "name": name.strip()}
            return pages.render(request, None, "login.html", 401, now=now, **context)
        response = RedirectResponse("/console/", status_code=303)
        response.set_cookie(
            cookie,
            secret,
            httponly=True,
            samesite="strict",
            path="/",
            max_age=int((expires_at - now).total_seconds()),
        )
        return response

    @router.post("/logout")
    def logout(request: Request, session: SessionDep, clock: ClockDep) -> Response:
        """End a password sign-in's session and forget the cookie."""
        if secret := request.cookies.get(cookie):
            signin.sign_out(session, secret, clock.now())
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(cookie, path="/", httponly=True, samesite="strict")
        return response

    def password_form(
        request: Request, actor: Any, session: Session, status_code: int = 200, **context: Any
    ) -> Response:
        return pages.render(
            request, actor, "kit/password.html", status_code,
            has_password=signin.has_password(session, actor), min_length=MIN_PASSWORD_LENGTH,
            **context,
        )  # fmt: skip

    @router.get("/password")
    def password_page(request: Request, actor: page_actor, session: SessionDep) -> Response:
        """The signed-in person's form to change (or set a first) password."""
        return password_form(request, actor, session)

    @router.post("/password")
    def change_password(
        request: Request,
        actor: page_actor,
        session: SessionDep,
        clock: ClockDep,
        password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
        password_again: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
        current: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
    ) -> Response:
        """Check the current password and the new one twice. A wrong current password may
        count towards the lockout (so the session commits)."""
        try:
            if password != password_again:
                raise Invalid("两次输入的新密码不一致", "password_again")
            signin.change_password(
                session, actor, current, password, request.cookies.get(cookie, ""), clock.now()
            )
        except (Unauthorized, Invalid, Conflict) as err:
            error = f"{chinese_half(err.message)}。"
            return password_form(request, actor, session, err.status_code, error=error)
        return password_form(request, actor, session, message=signin.changed)

    @router.get("/")
    def home(actor: page_actor) -> RedirectResponse:
        """Each role's first page."""
        return RedirectResponse(signin.home(actor), status_code=303)

    @router.get("/static/{name}")
    def static(name: str) -> FileResponse:
        """The console's scripts and styles, plotly.js and Swagger UI from installed
        packages."""
        if name not in pages.site.static_files:
            raise NotFound(f"没有此文件 / no static file {name}")
        return FileResponse(
            pages.site.static_files[name], headers={"Cache-Control": "max-age=3600"}
        )

    return root_router, router
