"""What every console page shares, bound to a system's site and sign-in: the signed-in actor
from the cookie, rendering with the navigation of the actor's role, the Chinese error pages
(refusals, unknown addresses, a form too large) and the router of pages.

A system makes one :class:`ConsolePages` with its :class:`~gzkit.console.site.ConsoleSite`,
how a cookie's token becomes its actor (None for an identity without a console) and its
navigation; its page modules use :meth:`ConsolePages.render`, :attr:`ConsolePages.actor` (the
page dependency) and :meth:`ConsolePages.router`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from gzkit.console.site import ERRORS, ConsoleSite, unknown_page_handler
from gzkit.db import SessionDep, session_scope
from gzkit.errors import DomainError, Unauthorized
from gzkit.limits import size_text

A = TypeVar("A")
# (request, session, background tasks or None, the cookie's token) → the actor, or None for an
# identity without a console; raises Unauthorized for a token no longer accepted.
ActorOf = Callable[[Request, Session, BackgroundTasks | None, str], A | None]
# (request, the actor or None, now) → the menu: (text, address, badge count or None)
Navigation = Callable[[Request, A | None, dt.datetime], list[tuple[str, str, int | None]]]


class ConsolePages(Generic[A]):
    """One system's console pages.

    Parameters
    ----------
    site : ConsoleSite
        The system's site (templates, static files, cookie).
    actor_of : callable
        The actor of a sign-in token (see :data:`ActorOf`).
    navigation : callable
        The menu of an actor's role (see :data:`Navigation`).
    clock_name : callable
        What the header calls the clock (``广州时间``, a demo's clock), given the request.
    """

    def __init__(
        self,
        site: ConsoleSite,
        actor_of: ActorOf[A],
        navigation: Navigation[A],
        clock_name: Callable[[Request], str],
    ) -> None:
        self.site = site
        self.actor_of = actor_of
        self.navigation = navigation
        self.clock_name = clock_name
        self.route_class: type[APIRoute] = site.route_class(self.error_page)
        self.unknown_page = unknown_page_handler(self.error_page)

        def page_actor(request: Request, session: SessionDep, background: BackgroundTasks) -> A:
            """The signed-in actor; without a valid cookie, a redirect to the sign-in page."""
            actor = self.cookie_actor(request, session, background)
            if actor is None:
                raise HTTPException(303, "请先登录", headers={"Location": "/console/login"})
            return actor

        self.actor = page_actor

    def router(self) -> APIRouter:
        """A router of console pages under ``/console`` (Chinese error pages, forged forms
        refused), outside the API's documentation."""
        return APIRouter(prefix="/console", route_class=self.route_class, include_in_schema=False)

    def cookie_actor(
        self, request: Request, session: Session, background: BackgroundTasks | None = None
    ) -> A | None:
        """The actor named by the sign-in cookie; None without a cookie, for a token no longer
        accepted, or for an identity without a console. With ``background``, what the system
        records of a token's use is recorded after the response."""
        token = request.cookies.get(self.site.cookie)
        if not token:
            return None
        try:
            return self.actor_of(request, session, background, token)
        except Unauthorized:
            return None

    def render(
        self,
        request: Request,
        actor: A | None,
        template: str,
        status_code: int = 200,
        *,
        now: dt.datetime | None = None,
        **context: Any,
    ) -> Response:
        """``template`` with the navigation of the actor's role, the clock (at ``now``, by
        default the app clock's time) and the form token."""
        now = request.app.state.clock.now() if now is None else now
        return self.site.templates.TemplateResponse(
            request,
            template,
            {
                "actor": actor,
                "nav": self.navigation(request, actor, now),
                "now": now,
                "clock_name": self.clock_name(request),
                "path": request.url.path,
                "csrf_token": self.site.form_token(request),
                **context,
            },
            status_code=status_code,
        )

    def error_page(
        self,
        request: Request,
        status_code: int,
        detail: str = "",
        heading: tuple[str, str] | None = None,
    ) -> Response:
        """The error page of ``status_code`` (its title and explanation, or ``heading``'s),
        with the reason (the template shows its Chinese half) and whoever is signed in's
        navigation."""
        # Read-only: the refused request's own transaction may not have ended yet.
        try:
            with session_scope(request.app.state.read_sessionmaker) as session:
                actor = self.cookie_actor(request, session)
        except DomainError:  # the refusal was the sign-in itself (e.g. a read period over)
            actor = None
        title, explanation = heading or ERRORS.get(status_code, ("出错了", ""))
        return self.render(
            request, actor, "kit/error.html", status_code,
            title=title, explanation=explanation, detail=detail,
        )  # fmt: skip

    def too_large_page(self, request: Request, max_bytes: int) -> Response:
        """The 413 page of a console form too large to read (:mod:`gzkit.limits`)."""
        return self.render(
            request, None, "kit/error.html", 413,
            title="请求过大", explanation=f"提交的内容超过 {size_text(max_bytes)} 的上限，未执行。",
        )  # fmt: skip
