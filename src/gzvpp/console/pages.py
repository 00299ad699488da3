"""The platform's console site (:mod:`gzkit.console.site`) and what every page family shares:
the error pages, the signed-in actor, rendering with the navigation of the actor's role, and
confirmation steps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import (
    BackgroundTasks,
    Depends,
    Form,
    HTTPException,
    Request,
    Response,
)
from fastapi.exception_handlers import http_exception_handler
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from gzkit.console.site import ERRORS, ConsoleSite
from gzkit.db import SessionDep, session_scope
from gzkit.errors import DomainError, Invalid, Unauthorized
from gzkit.limits import size_text
from gzkit.text import control_character, control_character_message
from gzvpp.alarms.service import alarm_service
from gzvpp.console import labels, validation
from gzvpp.kit.auth import TOKEN_COOKIE, Actor, authenticate_request
from gzvpp.models import (
    Role,
)

SITE = ConsoleSite(
    name="广州市虚拟电厂管理平台",
    directory=Path(__file__).parent,
    cookie=TOKEN_COOKIE,
    fields=validation.FIELDS,
)
TEMPLATES = SITE.templates
labels.install(TEMPLATES.env)
TEMPLATES.env.globals["badge_title"] = "当前告警数"
STATIC_FILES = SITE.static_files
STAFF = (Role.GRID_OPERATOR, Role.REGULATOR)
ALARMS_PAGE = "/console/alarms"


def error_page(
    request: Request,
    status_code: int,
    detail: str = "",
    heading: tuple[str, str] | None = None,
) -> Response:
    """The console's error page for ``status_code`` (its title and explanation, or
    ``heading``'s), with the reason's Chinese half and whoever is signed in's navigation."""
    # Read-only: the refused request's own transaction may not have ended yet.
    try:
        with session_scope(request.app.state.read_sessionmaker) as session:
            actor = cookie_actor(request, session)
    except DomainError:  # the refusal was the sign-in itself (e.g. read period over)
        actor = None
    title, explanation = heading or ERRORS.get(status_code, ("出错了", ""))
    return render(
        request,
        actor,
        "kit/error.html",
        request.app.state.clock.now(),
        status_code,
        title=title,
        explanation=explanation,
        detail=detail,
    )


PageRoute = SITE.route_class(error_page)


def too_large_page(request: Request, max_bytes: int) -> Response:
    """The 413 page of a console form too large to read (:mod:`gzkit.limits`)."""
    return render(
        request,
        None,
        "kit/error.html",
        request.app.state.clock.now(),
        413,
        title="请求过大",
        explanation=f"提交的内容超过 {size_text(max_bytes)} 的上限，未执行。",
    )


async def unknown_page(request: Request, exc: Exception) -> Response:
    """An unknown ``/console`` address (or a method it does not take) answers with the Chinese
    error page; elsewhere FastAPI's JSON answer stands."""
    assert isinstance(exc, StarletteHTTPException)
    if request.url.path.startswith("/console") and exc.status_code in (404, 405):
        return error_page(request, exc.status_code)
    return await http_exception_handler(request, exc)


def cookie_actor(
    request: Request, session: Session, background: BackgroundTasks | None = None
) -> Actor | None:
    """The actor named by the sign-in cookie; None without a cookie or for a token no longer
    accepted (unknown, expired, revoked, user disabled). A rejected participant's user is
    refused (403) a form post, and any page once its reading period is over. With
    ``background``, the token's use is recorded after the response."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return None
    try:
        actor = authenticate_request(request, session, background or BackgroundTasks(), token)
    except Unauthorized:
        return None
    # The metering identity only sends meter data through the API; it has no console.
    return None if actor.role is Role.METERING else actor


def _page_actor(request: Request, session: SessionDep, background: BackgroundTasks) -> Actor:
    """The signed-in actor; without a valid cookie, a redirect to the sign-in page."""
    actor = cookie_actor(request, session, background)
    if actor is None:
        raise HTTPException(303, "请先登录", headers={"Location": "/console/login"})
    return actor


PageActor = Annotated[Actor, Depends(_page_actor)]
# A confirmation step's answer: "1" once the person has read the consequence and confirmed.
Confirmed = Annotated[str, Form(max_length=1)]


def require_staff(actor: Actor) -> None:
    """A 403 page unless ``actor`` is the grid operator or the regulator."""
    actor.require(*STAFF)


def reason_text(text: str) -> str:
    """A rejection's or cancellation's reason, which may not be blank; line breaks are allowed,
    other control characters not (as in the API's bodies)."""
    if not text.strip():
        raise Invalid("请填写理由", "reason")
    if (character := control_character(text, multiline=True)) is not None:
        raise Invalid(control_character_message(character), "reason")
    return text.strip()


def render(
    request: Request,
    actor: Actor | None,
    template: str,
    now: dt.datetime,
    status_code: int = 200,
    **context: Any,
) -> Response:
    nav: list[tuple[str, str, int | None]]
    if actor is None:
        nav = []
    elif actor.role.participant_scoped:
        nav = [
            ("我的邀约", "/console/portal", None),
            ("我的结果", "/console/portal/results", None),
            ("我的信息", f"/console/participants/{actor.participant_id}", None),
        ]
    else:
        nav = [
            ("总览", "/console/overview", None),
            ("告警", ALARMS_PAGE, _alarm_count(request, actor, now)),
            ("参与者", "/console/participants", None),
            ("公示名单", "/console/publicity", None),
            ("事件", "/console/events", None),
            ("电网单线图", "/console/grid", None),
            ("结算", "/console/settlement", None),
            ("后台任务", "/console/jobs", None),
        ]
        if actor.role is Role.GRID_OPERATOR:
            nav.append(("账户与令牌", "/console/users", None))
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            "nav": nav,
            "now": now,
            "clock_name": request.app.state.clock_name,
            "path": request.url.path,
            "csrf_token": SITE.form_token(request),
            **context,
        },
        status_code=status_code,
    )


def _alarm_count(request: Request, actor: Actor | None, now: dt.datetime) -> int | None:
    """How many alarms stand, for staff's header badge (one query, on a read session: the
    request's own may be writing)."""
    if actor is None or actor.role not in STAFF:
        return None
    with session_scope(request.app.state.read_sessionmaker) as session:
        return alarm_service.counts(session, actor, now).total


def confirm_page(request: Request, actor: Actor, now: dt.datetime, **context: Any) -> Response:
    """The confirmation step of an irreversible action: what will happen, confirm or go back.
    ``fields`` are posted again with ``confirmed=1``."""
    return render(request, actor, "kit/confirm.html", now, **context)


def own_participant(actor: Actor) -> str:
    """The participant of an aggregator's or power user's actor; staff get a 403 page."""
    actor.require(Role.AGGREGATOR, Role.POWER_USER)
    assert actor.participant_id is not None
    return actor.participant_id
