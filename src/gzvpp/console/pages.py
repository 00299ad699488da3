"""The console's page machinery shared by every page family: templates and static files,
the route class that renders refusals as Chinese pages, the signed-in actor, rendering,
paging and confirmation steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import fastapi_offline
import plotly
from fastapi import (
    BackgroundTasks,
    Depends,
    Form,
    HTTPException,
    Request,
    Response,
)
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from gzvpp.alarms.service import alarm_service
from gzvpp.console import labels, security, validation
from gzvpp.kit.auth import TOKEN_COOKIE, Actor, authenticate_request
from gzvpp.kit.csrf import ForgedRequest
from gzvpp.kit.db import SessionDep, session_scope
from gzvpp.kit.errors import DomainError, Invalid, Unauthorized
from gzvpp.kit.limits import size_text
from gzvpp.kit.pagination import PaginationParams
from gzvpp.kit.text import control_character, control_character_message
from gzvpp.models import (
    Role,
)

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
labels.install(TEMPLATES.env)
TEMPLATES.env.globals["error_texts"] = validation.texts()
# Every script and style ships with a package: the console's own, plotly.js from the installed
# plotly, Swagger UI (for /docs) from the installed fastapi-offline.
API_DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
STATIC_FILES = (
    {path.name: path for path in (HERE / "static").iterdir()}
    | {"plotly.min.js": Path(plotly.__file__).parent / "package_data" / "plotly.min.js"}
    | {path.name: path for path in API_DOCS_ASSETS.iterdir()}
)
T = TypeVar("T")
PAGE_SIZE = 20
STAFF = (Role.GRID_OPERATOR, Role.REGULATOR)
ALARMS_PAGE = "/console/alarms"
ERRORS = {
    403: ("无权访问", "您的角色不能打开此页面或执行此操作。"),
    404: ("未找到", "页面不存在，或您无权查看。"),
    405: ("操作未完成", "此页面不接受这种操作。"),
    409: ("操作未完成", "当前状态不允许此操作。"),
    422: ("输入有误", "请检查输入后重试。"),
}
FORGED = (
    "请求被拒绝",
    "此操作不是从本平台的页面提交的，或页面已过期，未执行。请返回页面刷新后重试。",
)


class PageRoute(APIRoute):
    """A route whose refusals (``kit.errors``) and invalid input render as an HTML page in
    Chinese instead of JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                await security.check_form(request)
                return await handler(request)
            except ForgedRequest:
                return error_page(request, 403, heading=FORGED)
            except RequestValidationError as err:
                # In Chinese with each field's label, never echoing what was sent.
                return error_page(request, 422, "；".join(validation.messages(err.errors())))
            except DomainError as err:
                # Why a step was refused helps; what was not found would tell too much.
                shown = err.status_code in (409, 422)
                return error_page(request, err.status_code, err.message if shown else "")

        return page


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
        "error.html",
        request.app.state.clock.now(),
        status_code,
        title=title,
        explanation=explanation,
        detail=detail,
    )


def too_large_page(request: Request, max_bytes: int) -> Response:
    """The 413 page of a console form too large to read (``kit.limits``)."""
    return render(
        request,
        None,
        "error.html",
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
    nav: list[tuple[str, str]]
    if actor is None:
        nav = []
    elif actor.role.participant_scoped:
        nav = [
            ("我的邀约", "/console/portal"),
            ("我的结果", "/console/portal/results"),
            ("我的信息", f"/console/participants/{actor.participant_id}"),
        ]
    else:
        nav = [
            ("总览", "/console/overview"),
            ("告警", ALARMS_PAGE),
            ("参与者", "/console/participants"),
            ("公示名单", "/console/publicity"),
            ("事件", "/console/events"),
            ("电网单线图", "/console/grid"),
            ("结算", "/console/settlement"),
            ("后台任务", "/console/jobs"),
        ]
        if actor.role is Role.GRID_OPERATOR:
            nav.append(("账户与令牌", "/console/users"))
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            "nav": nav,
            "alarm_count": _alarm_count(request, actor, now),
            "now": now,
            "clock_name": request.app.state.clock_name,
            "path": request.url.path,
            "csrf_token": security.form_token(request),
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


def paging(page: int) -> PaginationParams:
    return PaginationParams(page, PAGE_SIZE)


def page_count(total: int) -> int:
    """How many pages ``total`` rows fill (at least one, shown even when empty)."""
    return max(1, -(-total // PAGE_SIZE))


def listing(rows: Sequence[Any], total: int, page: int) -> dict[str, Any]:
    """One page of a server-paged list as template context: its rows and the pager's figures."""
    return {"rows": rows, "total": total, "page": page, "pages": page_count(total)}


def confirm_page(request: Request, actor: Actor, now: dt.datetime, **context: Any) -> Response:
    """The confirmation step of an irreversible action: what will happen, confirm or go back.
    ``fields`` are posted again with ``confirmed=1``."""
    return render(request, actor, "confirm.html", now, **context)


def page_slice(items: Sequence[T], page: int) -> Sequence[T]:
    return items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]


def paged_slice(items: Sequence[Any], page: int) -> dict[str, Any]:
    """One page of a list the page already holds whole, as ``listing`` context."""
    return listing(page_slice(items, page), len(items), page)


def own_participant(actor: Actor) -> str:
    """The participant of an aggregator's or power user's actor; staff get a 403 page."""
    actor.require(Role.AGGREGATOR, Role.POWER_USER)
    assert actor.participant_id is not None
    return actor.participant_id
