"""The web console's pages under ``/console``: sign-in, the operator's and regulator's views and
the participants' portal.

Pages call the domain services in-process with the actor named by the sign-in cookie, so every
role and scope rule of the service holds here too (another participant's page is a 404). The
live parts (bids, ranking, forms) run in the browser against the same ``/api`` routes, which
accept the cookie as well as a bearer token.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

import fastapi_offline
import numpy as np
import plotly
from fastapi import (
    APIRouter,
    BackgroundTasks,
    Depends,
    Form,
    HTTPException,
    Query,
    Request,
    Response,
)
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from gzvpp import display
from gzvpp.console import labels, security, validation
from gzvpp.console.filters import EventFilters, ParticipantFilters
from gzvpp.core.eligibility import UserCategory
from gzvpp.core.grid import INTERVAL_MINUTES, MIN_WINDOW_MINUTES
from gzvpp.core.invitation import (
    MIN_LEAD,
    PEAK_TRIGGER_SHARE,
    PRICE_CAP_CNY_PER_KWH,
    day_ahead_timeline,
)
from gzvpp.core.model import Direction, Mode, ParticipantKind
from gzvpp.core.timeseries import day_number
from gzvpp.events import schemas as event_schemas
from gzvpp.events.creation import grid_names
from gzvpp.events.service import event_service
from gzvpp.kit.auth import TOKEN_COOKIE, Actor, authenticate, authenticate_request
from gzvpp.kit.clock import ClockDep
from gzvpp.kit.csrf import ForgedRequest
from gzvpp.kit.db import SessionDep, session_scope
from gzvpp.kit.errors import DomainError, Invalid, NotFound, Unauthorized
from gzvpp.kit.limits import size_text
from gzvpp.kit.pagination import PaginationParams
from gzvpp.kit.policy import publicity_workdays
from gzvpp.kit.text import control_character, control_character_message
from gzvpp.meterdata.repository import load_system_cube, stored_days
from gzvpp.models import (
    Event,
    EventStatus,
    Notification,
    NotificationKind,
    Participant,
    ParticipantStatus,
    PriceMode,
    Role,
)
from gzvpp.participants import schemas as participant_schemas
from gzvpp.participants.service import participant_service, publicity_ends_at
from gzvpp.settlement import repository as settlement_repository
from gzvpp.settlement.service import quarter_of, settlement_service
from gzvpp.settlement.standing import standings

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
RECENT_EVENTS = 5  # shown on the overview when nothing is due today or later
# How far back the overview looks for the latest stored system-load day.
SYSTEM_LOAD_LOOKBACK = dt.timedelta(days=400)
_SOME_DAY = dt.date(2025, 7, 1)  # day-ahead deadlines are the same for every day
# Participant workflow steps a console form may take, by URL name: the button, the service
# call, and the consequence a confirmation step spells out first (None: taken at once).
STEPS: dict[str, tuple[str, Callable[..., Any], str | None]] = {
    "start-review": ("开始审核", participant_service.start_review, None),
    "pass-review": (
        "审核通过，进入公示",
        participant_service.pass_review,
        "审核通过后，申请进入公示名单，公示期 {workdays} 个工作日；公示期内如有异议，"
        "由市工信局驳回。此操作不可撤销。",
    ),
    "clear-publicity": (
        "公示无异议",
        participant_service.clear_publicity,
        "确认公示无异议后，广州供电局即可与其签订协议、使其生效。此操作不可撤销。",
    ),
    "activate": ("签订协议，生效", participant_service.activate, None),
}
REJECT_CONSEQUENCE = "驳回后申请即告结束，所占营销户号全部释放（可另行重新申请）。此操作不可撤销。"


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
            actor = _cookie_actor(request, session)
    except DomainError:  # the refusal was the sign-in itself (e.g. read period over)
        actor = None
    title, explanation = heading or ERRORS.get(status_code, ("出错了", ""))
    return _render(
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
    return _render(
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


router = APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
root_router = APIRouter(include_in_schema=False)


def _cookie_actor(
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
    actor = _cookie_actor(request, session, background)
    if actor is None:
        raise HTTPException(303, "请先登录", headers={"Location": "/console/login"})
    return actor


PageActor = Annotated[Actor, Depends(_page_actor)]


def _staff(actor: Actor) -> None:
    """A 403 page unless ``actor`` is the grid operator or the regulator."""
    actor.require(*STAFF)


def _reason(text: str) -> str:
    """A rejection's or cancellation's reason, which may not be blank; line breaks are allowed,
    other control characters not (as in the API's bodies)."""
    if not text.strip():
        raise Invalid("请填写理由", "reason")
    if (character := control_character(text, multiline=True)) is not None:
        raise Invalid(control_character_message(character), "reason")
    return text.strip()


def _render(
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
            ("参与者", "/console/participants"),
            ("公示名单", "/console/publicity"),
            ("事件", "/console/events"),
            ("结算", "/console/settlement"),
        ]
        if actor.role is Role.GRID_OPERATOR:
            nav.append(("账户与令牌", "/console/users"))
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            "nav": nav,
            "now": now,
            "clock_name": request.app.state.clock_name,
            "path": request.url.path,
            "csrf_token": security.form_token(request),
            **context,
        },
        status_code=status_code,
    )


def _page(page: int) -> PaginationParams:
    return PaginationParams(page, PAGE_SIZE)


def _pages(total: int) -> int:
    """How many pages ``total`` rows fill (at least one, shown even when empty)."""
    return max(1, -(-total // PAGE_SIZE))


def _listing(rows: Sequence[Any], total: int, page: int) -> dict[str, Any]:
    """One page of a server-paged list as template context: its rows and the pager's figures."""
    return {"rows": rows, "total": total, "page": page, "pages": _pages(total)}


# ---- sign-in ------------------------------------------------------------------------------


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
    return _render(request, None, "login.html", clock.now())


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
        return _render(request, None, "login.html", clock.now(), 401, error=error)
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


# ---- overview -----------------------------------------------------------------------------


@router.get("/overview")
def overview(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    events_page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Today's and coming events (paged), the system-load forecast against the trigger line,
    and the enrolled participants' capability."""
    _staff(actor)
    now = clock.now()
    events, events_total = event_service.search(
        session,
        actor,
        pagination=_page(events_page),
        sorting=[(event_schemas.SortProperty.START_AT, False)],
        statuses=(),
        mode=None,
        direction=None,
        day_from=now.date(),
        day_to=None,
    )
    coming = bool(events_total)
    if not coming:  # nothing due: the latest events, so that the first screen is never empty
        events = _events_around(session, actor, now.date(), coming=False)
        events_total = len(events)
    return _render(
        request,
        actor,
        "overview.html",
        now,
        events=_listing(events, events_total, events_page),
        coming=coming,
        forecast=_forecast(session, actor, now.date()),
        capability=_capability(session),
    )


def _events_around(session: Session, actor: Actor, today: dt.date, coming: bool) -> Sequence[Event]:
    """Today's and later events in time order, or (``coming`` false) the latest ones before,
    newest first, so that the first screen shows what happened when nothing is due."""
    events, _ = event_service.search(
        session,
        actor,
        pagination=PaginationParams(1, 50 if coming else RECENT_EVENTS),
        sorting=[(event_schemas.SortProperty.START_AT, not coming)],
        statuses=(),
        mode=None,
        direction=None,
        day_from=today if coming else None,
        day_to=None if coming else today,
    )
    return events


def _forecast(session: Session, actor: Actor, today: dt.date) -> dict[str, Any] | None:
    """Today's system-load forecast (the latest stored day's curve) and the 第七条 check."""
    days = stored_days(session, today - SYSTEM_LOAD_LOOKBACK, today)
    if not days:
        return None
    latest = max(days)
    curve = load_system_cube(session, np.array([day_number(latest)])).values[0, 0]
    if np.isnan(curve).all():
        return None
    highest = Decimal(f"{np.nanmax(curve):.3f}")
    check = event_service.trigger_check(session, actor, today, highest)
    step = dt.timedelta(minutes=INTERVAL_MINUTES)
    start = dt.datetime.combine(today, dt.time())
    line = (
        None if check.last_year_max_mw is None else float(check.last_year_max_mw * check.threshold)
    )
    return {
        "source_day": latest,
        "check": check,
        "chart": {
            "x": [f"{start + k * step:%Y-%m-%dT%H:%M}" for k in range(len(curve))],
            "mw": [None if np.isnan(v) else round(float(v), 3) for v in curve],
            "trigger_mw": line,
            "trigger_label": f"{check.last_year} 年最大负荷的 {PEAK_TRIGGER_SHARE:.0%}",
            "layout": display.layout(
                xaxis=display.clock_axis(), yaxis=display.value_axis("统调负荷", "MW")
            ),
        },
    }


def _capability(session: Session) -> dict[str, Any]:
    """Count and registered kW of active participants, in all and real-time capable."""
    active = Participant.status == ParticipantStatus.ACTIVE
    realtime = Participant.realtime_capable.is_(True) & Participant.minute_monitoring.is_(True)
    total = session.execute(
        select(func.count(), func.coalesce(func.sum(Participant.capability_kw), 0)).where(active)
    ).one()
    fast = session.execute(
        select(func.count(), func.coalesce(func.sum(Participant.realtime_capability_kw), 0)).where(
            active, realtime
        )
    ).one()
    return {"count": total[0], "kw": total[1], "realtime_count": fast[0], "realtime_kw": fast[1]}


# ---- participants -------------------------------------------------------------------------


@router.get("/participants")
def participants(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    filters: Annotated[ParticipantFilters, Query()],
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Search, filter, sort and page the participants on the server."""
    _staff(actor)
    rows, total = filters.search(session, actor, _page(page))
    return _render(
        request,
        actor,
        "participants.html",
        clock.now(),
        **_listing(rows, total, page),
        sort=filters.sort,
        filters=filters.form(),
        kinds=list(ParticipantKind),
        statuses=list(ParticipantStatus),
        categories=list(UserCategory),
    )


@router.get("/participants/{participant_id}")
def participant(
    participant_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    message: Annotated[str, Query(max_length=500)] = "",
    accounts_page: Annotated[int, Query(ge=1)] = 1,
    history_page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Accounts, members, capability, eligibility (the review), standing and score history;
    the accounts and the history are paged."""
    now = clock.now()
    detail = participant_service.get(session, actor, participant_id)
    standing = standings(session, [participant_id], now)[participant_id]
    history = settlement_repository.results_in_event_order(session, [participant_id])
    steps, withheld = _steps(actor, detail, now)
    return _render(
        request,
        actor,
        "participant.html",
        now,
        p=detail,
        standing=standing,
        accounts=_paged_slice(detail.accounts, accounts_page),
        history=_paged_slice(history[::-1], history_page),
        steps=steps,
        withheld=withheld,
        message=message,
    )


def _steps(
    actor: Actor, p: participant_schemas.ParticipantDetail, now: dt.datetime
) -> tuple[list[tuple[str, str]], list[str]]:
    """The workflow steps (URL name, button text) the state, the checks and the calendar allow
    this actor now, and why each step of this actor's stage is not offered; the service decides
    again when one is taken."""
    operator, regulator = actor.role is Role.GRID_OPERATOR, actor.role is Role.REGULATOR
    cleared = p.publicity_cleared_at is not None
    in_publicity = p.status is ParticipantStatus.PUBLICITY
    period_over = p.publicity_ends_at is None or now >= p.publicity_ends_at
    ends = display.local_time(p.publicity_ends_at)
    offered = {
        "start-review": operator and p.status is ParticipantStatus.SUBMITTED,
        "pass-review": operator and p.status is ParticipantStatus.GRID_REVIEW and p.eligible,
        "clear-publicity": regulator and in_publicity and not cleared and period_over,
        "activate": operator and in_publicity and cleared,
    }
    withheld = []
    if operator and p.status is ParticipantStatus.GRID_REVIEW and not p.eligible:
        failed = "、".join(labels.label(c.code) for c in p.eligibility if not c.passed)
        withheld.append(
            f"未提供「{STEPS['pass-review'][0]}」：未满足准入条件（第四条）：{failed}。"
        )
    if regulator and in_publicity and not cleared and not period_over:
        withheld.append(
            f"未提供「{STEPS['clear-publicity'][0]}」：公示期（{publicity_workdays()} 个工作日）"
            f"至 {ends} 届满，届满后方可确认。"
        )
    if operator and in_publicity and not cleared:
        withheld.append(
            f"未提供「{STEPS['activate'][0]}」：须待市工信局确认公示无异议（公示期至 {ends}）。"
        )
    return [(step, STEPS[step][0]) for step, shown in offered.items() if shown], withheld


def _may_reject(actor: Actor, status: ParticipantStatus) -> bool:
    if status in (ParticipantStatus.SUBMITTED, ParticipantStatus.GRID_REVIEW):
        return actor.role is Role.GRID_OPERATOR
    return status is ParticipantStatus.PUBLICITY and actor.role is Role.REGULATOR


TEMPLATES.env.globals["may_reject"] = _may_reject
TEMPLATES.env.globals["publicity_ends_at"] = publicity_ends_at
Confirmed = Annotated[str, Form(max_length=1)]


@router.post("/participants/{participant_id}/reject")
def reject(
    participant_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    reason: Annotated[str, Form(min_length=1, max_length=500)],
    confirmed: Confirmed = "",
) -> Response:
    """Reject with a reason (the grid operator before publicity, the regulator during it),
    after a confirmation step that spells out the consequence."""
    text = _reason(reason)
    if not confirmed:
        detail = participant_service.get(session, actor, participant_id)
        return _confirm(
            request,
            actor,
            clock.now(),
            title=f"驳回「{detail.name}」的申请？",
            consequence=REJECT_CONSEQUENCE,
            action=f"/console/participants/{participant_id}/reject",
            button="确认驳回",
            back=f"/console/participants/{participant_id}",
            fields={"reason": text},
        )
    participant_service.reject(session, actor, clock.now(), participant_id, text)
    return _back_to(participant_id, "已驳回申请")


@router.post("/participants/{participant_id}/{step}")
def take_step(
    participant_id: str,
    step: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    confirmed: Confirmed = "",
) -> Response:
    """One workflow step of the participants service; a step with a consequence is confirmed
    first."""
    if step not in STEPS:
        raise NotFound(f"no step {step}")
    name, take, consequence = STEPS[step]
    if consequence is not None and not confirmed:
        detail = participant_service.get(session, actor, participant_id)
        return _confirm(
            request,
            actor,
            clock.now(),
            title=f"{name}：「{detail.name}」？",
            consequence=consequence.format(workdays=publicity_workdays()),
            action=f"/console/participants/{participant_id}/{step}",
            button=f"确认{name}",
            back=f"/console/participants/{participant_id}",
            fields={},
        )
    take(session, actor, clock.now(), participant_id)
    return _back_to(participant_id, f"已完成：{name}")


def _confirm(request: Request, actor: Actor, now: dt.datetime, **context: Any) -> Response:
    """The confirmation step of an irreversible action: what will happen, confirm or go back.
    ``fields`` are posted again with ``confirmed=1``."""
    return _render(request, actor, "confirm.html", now, **context)


def _back_to(participant_id: str, message: str) -> RedirectResponse:
    query = urlencode({"message": message})
    return RedirectResponse(f"/console/participants/{participant_id}?{query}", status_code=303)


@router.get("/publicity")
def publicity(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """The 公示名单: participants in publicity or active."""
    rows, total = participant_service.publicity_list(
        session,
        actor,
        pagination=_page(page),
        sorting=[(participant_schemas.SortProperty.PUBLICITY_STARTED_AT, True)],
    )
    return _render(
        request,
        actor,
        "publicity.html",
        clock.now(),
        **_listing(rows, total, page),
    )


# ---- events -------------------------------------------------------------------------------


@router.get("/events")
def events(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    filters: Annotated[EventFilters, Query()],
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Every event, filtered, sorted and paged on the server."""
    _staff(actor)
    rows, total = filters.search(session, actor, _page(page))
    return _render(
        request,
        actor,
        "events.html",
        clock.now(),
        **_listing(rows, total, page),
        sort=filters.sort,
        filters=filters.form(),
        statuses=list(EventStatus),
        modes=list(Mode),
        directions=list(Direction),
    )


@router.get("/events/new")
def new_event(request: Request, actor: PageActor, session: SessionDep, clock: ClockDep) -> Response:
    """The create form; it checks the rules as one types and shows the server's answer. The
    scope is chosen from the substations and feeders of enrolled accounts."""
    actor.require(Role.GRID_OPERATOR)
    substations, feeders = grid_names(session)
    return _render(
        request,
        actor,
        "event_new.html",
        clock.now(),
        rules={
            "interval_minutes": INTERVAL_MINUTES,
            "min_window_minutes": MIN_WINDOW_MINUTES,
            "min_lead_minutes": MIN_LEAD // dt.timedelta(minutes=1),
            "caps": {d.value: str(c) for d, c in PRICE_CAP_CNY_PER_KWH.items()},
            # Day-ahead deadlines as minutes from the response day's midnight (negative: D-1).
            "day_ahead": {
                name: (moment - dt.datetime.combine(_SOME_DAY, dt.time()))
                // dt.timedelta(minutes=1)
                for name, moment in asdict(day_ahead_timeline(_SOME_DAY)).items()
            },
        },
        directions=list(Direction),
        modes=list(Mode),
        price_modes=list(PriceMode),
        substations=substations,
        feeders=feeders,
    )


@router.get("/events/{event_id}")
def event(
    event_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    plan_page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """The live invitation: bids as they arrive, the ranking, the plan (paged) and the
    cancellation."""
    _staff(actor)
    now = clock.now()
    detail = event_service.get(session, actor, event_id)
    awards, awards_total = event_service.list_awards(
        session, actor, _page(plan_page), event_id=event_id, participant_id=None
    )
    return _render(
        request,
        actor,
        "event.html",
        now,
        e=detail,
        plan=_listing(awards, awards_total, plan_page),
        names=_names(session, [a.participant_id for a in awards]),
        cancel_by=detail.start_at - MIN_LEAD,
        coverage_layout=display.layout(
            xaxis=display.value_axis("申报量", "kW"), hovermode="closest", showlegend=False
        ),
        min_lead_hours=int(MIN_LEAD.total_seconds() // 3600),
    )


def _names(session: Session, participant_ids: Sequence[str]) -> dict[str, str]:
    return {
        p: row.name
        for p, row in settlement_repository.participants(session, participant_ids).items()
    }


@router.post("/events/{event_id}/cancel")
def cancel(
    event_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    reason: Annotated[str, Form(min_length=1, max_length=500)],
    confirmed: Confirmed = "",
) -> Response:
    """Cancel (grid operator, ≥ 4 h before the start) after a confirmation step that says whom
    it tells; a refusal explains the rule."""
    text = _reason(reason)
    if not confirmed:
        actor.require(Role.GRID_OPERATOR)
        detail = event_service.get(session, actor, event_id)
        _, invited = event_service.list_notifications(
            session,
            actor,
            PaginationParams(1, 1),
            participant_id=None,
            event_id=event_id,
            kind=NotificationKind.INVITATION,
            unread=None,
        )
        _, bids = event_service.list_bids(
            session, actor, PaginationParams(1, 1), event_id=event_id, participant_id=None
        )
        return _confirm(
            request,
            actor,
            clock.now(),
            title=f"取消事件 {event_id}？",
            consequence=(
                f"取消后，{display.local_time(detail.start_at)} 起的{labels.label(detail.mode)}"
                f"（{labels.label(detail.direction)}）不再执行：平台通知已受邀的 {invited} 位"
                f"参与者（其中 {bids} 位已申报），已有的申报与中标作废，该日不计为其响应日。"
                "此操作不可撤销。"
            ),
            action=f"/console/events/{event_id}/cancel",
            button="确认取消事件",
            back=f"/console/events/{event_id}",
            fields={"reason": text},
        )
    event_service.cancel(session, actor, clock.now(), event_id, text)
    return RedirectResponse(f"/console/events/{event_id}", status_code=303)


# ---- results and settlement ---------------------------------------------------------------


@router.get("/results/{event_id}")
def event_results(
    event_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """An event's results, one row per award (a participant sees only its own)."""
    rows, total = settlement_service.event_results(session, actor, event_id, _page(page))
    return _render(
        request,
        actor,
        "results.html",
        clock.now(),
        event_id=event_id,
        **_listing(rows, total, page),
    )


@router.get("/results/{event_id}/{participant_id}")
def result(
    event_id: str,
    participant_id: str,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
) -> Response:
    """One participant's result: load against the baselines over the day, and the figures."""
    r = settlement_service.participant_result(session, actor, event_id, participant_id)
    step = dt.timedelta(minutes=INTERVAL_MINUTES)
    start = dt.datetime.combine(r.day, dt.time())
    chart = {
        "day": [f"{start + k * step:%Y-%m-%dT%H:%M}" for k in range(len(r.day_load_kw))],
        "day_kw": r.day_load_kw,
        "day_end": f"{start + dt.timedelta(days=1):%Y-%m-%dT%H:%M}",
        "window": [f"{t:%Y-%m-%dT%H:%M}" for t in r.intervals],
        "baseline_kw": r.baseline_kw,
        "baseline_unadjusted_kw": r.baseline_unadjusted_kw,
        "actual_kw": r.actual_kw,
        "window_start": f"{r.intervals[0]:%Y-%m-%dT%H:%M}" if r.intervals else None,
        "window_end": f"{r.intervals[-1] + step:%Y-%m-%dT%H:%M}" if r.intervals else None,
        "layout": display.layout(
            xaxis=display.clock_axis(),
            yaxis=display.value_axis("负荷", "kW", rangemode="tozero"),
        ),
    }
    return _render(request, actor, "result.html", clock.now(), r=r, chart=chart)


QUARTER = re.compile(r"(\d{4})\s*-?\s*[Qq]([1-4])")
SETTLEMENT_SORT_KEYS = (
    "name",
    "events",
    "effective_responses",
    "effective_energy_kwh",
    "subsidy_cny",
    "non_executions",
)


@router.get("/settlement")
def settlement(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    quarter: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
    sort: str = "-subsidy_cny",
    publicity_page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """A quarter's settlement per participant, the totals and the publicity list.

    The service answers the quarter as one document; its tables are sorted and paged here,
    before rendering, so a city's participants never reach the browser at once.
    """
    _staff(actor)
    now = clock.now()
    quarters = settlement_service.quarters(session, actor)
    quarter = _quarter(quarter) if quarter else quarters[0] if quarters else quarter_of(now.date())
    if sort.removeprefix("-") not in SETTLEMENT_SORT_KEYS:
        sort = "-subsidy_cny"
    report = settlement_service.quarter(session, actor, quarter)
    rows = sorted(
        report.participants,
        key=lambda p: getattr(p, sort.removeprefix("-")),
        reverse=sort.startswith("-"),
    )
    publicity = settlement_service.publicity(session, actor, quarter)
    return _render(
        request,
        actor,
        "settlement.html",
        now,
        quarter=quarter,
        quarters=quarters,
        report=report,
        sort=sort,
        rows=_slice(rows, page),
        page=page,
        pages=_pages(len(rows)),
        publicity=publicity,
        entries=_slice(publicity.entries, publicity_page),
        publicity_page=publicity_page,
        publicity_pages=_pages(len(publicity.entries)),
    )


def _quarter(text: str) -> str:
    """``2025Q3`` from what was asked (``2025Q3``, ``2025-Q3``, ``2025q3``); a 422 page if none."""
    found = QUARTER.fullmatch(text.strip())
    if found is None:
        raise Invalid(f"季度“{text}”无法识别，请按“2025Q3”的格式选择季度。", "quarter")
    return f"{found[1]}Q{found[2]}"


def _slice(items: Sequence[T], page: int) -> Sequence[T]:
    return items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]


def _paged_slice(items: Sequence[Any], page: int) -> dict[str, Any]:
    """One page of a list the page already holds whole, as ``_listing`` context."""
    return _listing(_slice(items, page), len(items), page)


# ---- the participants' portal -------------------------------------------------------------


def _own(actor: Actor) -> str:
    """The participant of an aggregator's or power user's actor; staff get a 403 page."""
    actor.require(Role.AGGREGATOR, Role.POWER_USER)
    assert actor.participant_id is not None
    return actor.participant_id


@router.get("/portal")
def portal(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    invitations_page: Annotated[int, Query(ge=1)] = 1,
    notes_page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Invitations to answer with one's bid on each, notifications (both paged), own score
    and suspension status."""
    participant_id = _own(actor)
    now = clock.now()

    def own_notifications(
        page: int, kind: NotificationKind | None
    ) -> tuple[Sequence[Notification], int]:
        return event_service.list_notifications(
            session, actor, _page(page), participant_id=None, event_id=None, kind=kind, unread=None
        )

    invited, invited_total = own_notifications(invitations_page, NotificationKind.INVITATION)
    invitations = [event_service.get(session, actor, n.event_id) for n in invited]
    bids = {}
    for e in invitations:
        found, _ = event_service.list_bids(
            session, actor, PaginationParams(1, 1), event_id=e.id, participant_id=None
        )
        if found:
            bids[e.id] = found[0]
    notes, notes_total = own_notifications(notes_page, None)
    return _render(
        request,
        actor,
        "portal.html",
        now,
        p=participant_service.get(session, actor, participant_id),
        standing=standings(session, [participant_id], now)[participant_id],
        invitations=_listing(invitations, invited_total, invitations_page),
        bids=bids,
        notes=_listing(notes, notes_total, notes_page),
    )


@router.get("/portal/events/{event_id}")
def invitation(
    event_id: str, request: Request, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    """One invitation with the bid form, checked against capability, cap and deadline."""
    participant_id = _own(actor)
    notes, _ = event_service.list_notifications(
        session,
        actor,
        PaginationParams(1, 1),
        participant_id=None,
        event_id=event_id,
        kind=NotificationKind.INVITATION,
        unread=None,
    )
    if not notes:
        raise NotFound(f"no invitation for event {event_id}")
    bids, _ = event_service.list_bids(
        session, actor, PaginationParams(1, 1), event_id=event_id, participant_id=None
    )
    awards, _ = event_service.list_awards(
        session, actor, PaginationParams(1, 1), event_id=event_id, participant_id=None
    )
    return _render(
        request,
        actor,
        "invitation.html",
        clock.now(),
        e=event_service.get(session, actor, event_id),
        invitation=notes[0].payload,
        p=participant_service.get(session, actor, participant_id),
        bid=bids[0] if bids else None,
        award=awards[0] if awards else None,
    )


@router.get("/portal/results")
def own_results(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Every evaluated award of one's own, newest first and paged, linking to its chart."""
    participant_id = _own(actor)
    history = settlement_repository.results_in_event_order(session, [participant_id])
    return _render(
        request,
        actor,
        "portal_results.html",
        clock.now(),
        **_paged_slice(history[::-1], page),
    )
