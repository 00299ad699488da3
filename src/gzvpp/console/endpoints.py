"""The web console's pages under ``/console``: sign-in, the operator's and regulator's views and
the participants' portal.

Pages call the domain services in-process with the actor named by the sign-in cookie, so every
role and scope rule of the service holds here too (another participant's page is a 404). The
live parts (bids, ranking, forms) run in the browser against the same ``/api`` routes, which
accept the cookie as well as a bearer token.
"""

from __future__ import annotations

import datetime as dt
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
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzvpp.console import labels
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
from gzvpp.events.service import event_service
from gzvpp.kit.auth import TOKEN_COOKIE, Actor, authenticate, authenticate_request
from gzvpp.kit.clock import ClockDep
from gzvpp.kit.db import SessionDep, session_scope
from gzvpp.kit.errors import DomainError, Invalid, NotFound, Unauthorized
from gzvpp.kit.pagination import PaginationParams
from gzvpp.meterdata.repository import load_system_cube, stored_days
from gzvpp.models import (
    EventStatus,
    Notification,
    NotificationKind,
    Participant,
    ParticipantStatus,
    PriceMode,
    Role,
)
from gzvpp.participants import schemas as participant_schemas
from gzvpp.participants.service import participant_service
from gzvpp.settlement import repository as settlement_repository
from gzvpp.settlement.service import settlement_service
from gzvpp.settlement.standing import standings

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
labels.install(TEMPLATES.env)
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
    409: ("操作未完成", "当前状态不允许此操作。"),
    422: ("输入有误", "请检查输入后重试。"),
}
# How far back the overview looks for the latest stored system-load day.
SYSTEM_LOAD_LOOKBACK = dt.timedelta(days=400)
_SOME_DAY = dt.date(2025, 7, 1)  # day-ahead deadlines are the same for every day
# Participant workflow steps a console form may take, by URL name.
STEPS = {
    "start-review": ("开始审核", participant_service.start_review),
    "pass-review": ("审核通过，进入公示", participant_service.pass_review),
    "clear-publicity": ("公示无异议", participant_service.clear_publicity),
    "activate": ("签订协议，生效", participant_service.activate),
}


class PageRoute(APIRoute):
    """A route whose refusals (``kit.errors``) render as an HTML page instead of JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as err:
                # Read-only: the refused request's own transaction may not have ended yet.
                try:
                    with session_scope(request.app.state.read_sessionmaker) as session:
                        actor = _cookie_actor(request, session)
                except DomainError:  # the refusal was the sign-in itself (e.g. read period over)
                    actor = None
                title, explanation = ERRORS.get(err.status_code, ("出错了", ""))
                return _render(
                    request,
                    actor,
                    "error.html",
                    request.app.state.clock.now(),
                    err.status_code,
                    title=title,
                    explanation=explanation,
                    # Why a step was refused helps; what was not found would tell too much.
                    detail=err.message if err.status_code in (409, 422) else "",
                )

        return page


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
        return authenticate_request(request, session, background or BackgroundTasks(), token)
    except Unauthorized:
        return None


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
    """A rejection's or cancellation's reason, which may not be blank."""
    if not text.strip():
        raise Invalid("请填写理由", "reason")
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
        {"actor": actor, "nav": nav, "now": now, "path": request.url.path, **context},
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
        authenticate(session, token.strip(), clock.now(), write=False)  # reading is signing in
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
    return _render(
        request,
        actor,
        "overview.html",
        now,
        events=_listing(events, events_total, events_page),
        forecast=_forecast(session, actor, now.date()),
        capability=_capability(session),
    )


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
    return _render(
        request,
        actor,
        "participant.html",
        now,
        p=detail,
        standing=standing,
        accounts=_paged_slice(detail.accounts, accounts_page),
        history=_paged_slice(history[::-1], history_page),
        steps=_steps(actor, detail),
        message=message,
    )


def _steps(actor: Actor, p: participant_schemas.ParticipantDetail) -> list[tuple[str, str]]:
    """The workflow steps (URL name, button text) this actor may take now; the service
    decides again when one is taken."""
    operator, regulator = actor.role is Role.GRID_OPERATOR, actor.role is Role.REGULATOR
    cleared = p.publicity_cleared_at is not None
    offered = {
        "start-review": operator and p.status is ParticipantStatus.SUBMITTED,
        "pass-review": operator and p.status is ParticipantStatus.GRID_REVIEW,
        "clear-publicity": regulator and p.status is ParticipantStatus.PUBLICITY and not cleared,
        "activate": operator and p.status is ParticipantStatus.PUBLICITY and cleared,
    }
    return [(step, STEPS[step][0]) for step, shown in offered.items() if shown]


def _may_reject(actor: Actor, status: ParticipantStatus) -> bool:
    if status in (ParticipantStatus.SUBMITTED, ParticipantStatus.GRID_REVIEW):
        return actor.role is Role.GRID_OPERATOR
    return status is ParticipantStatus.PUBLICITY and actor.role is Role.REGULATOR


TEMPLATES.env.globals["may_reject"] = _may_reject


@router.post("/participants/{participant_id}/reject")
def reject(
    participant_id: str,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    reason: Annotated[str, Form(min_length=1, max_length=500)],
) -> RedirectResponse:
    """Reject with a reason (the grid operator before publicity, the regulator during it)."""
    participant_service.reject(session, actor, clock.now(), participant_id, _reason(reason))
    return _back_to(participant_id, "已驳回申请")


@router.post("/participants/{participant_id}/{step}")
def take_step(
    participant_id: str, step: str, actor: PageActor, session: SessionDep, clock: ClockDep
) -> RedirectResponse:
    """One workflow step of the participants service."""
    if step not in STEPS:
        raise NotFound(f"no step {step}")
    name, take = STEPS[step]
    take(session, actor, clock.now(), participant_id)
    return _back_to(participant_id, f"已完成：{name}")


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
def new_event(request: Request, actor: PageActor, clock: ClockDep) -> Response:
    """The create form; it checks the rules as one types and shows the server's answer."""
    actor.require(Role.GRID_OPERATOR)
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
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    reason: Annotated[str, Form(min_length=1, max_length=500)],
) -> RedirectResponse:
    """Cancel (grid operator, ≥ 4 h before the start); a refusal explains the rule."""
    event_service.cancel(session, actor, clock.now(), event_id, _reason(reason))
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
    }
    return _render(request, actor, "result.html", clock.now(), r=r, chart=chart)


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
    quarter: Annotated[str | None, Query(pattern=r"^\d{4}Q[1-4]$")] = None,
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
    quarter = quarter or f"{now.year}Q{(now.month - 1) // 3 + 1}"
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
