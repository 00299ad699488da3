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
    Request,
    Response,
)
from sqlalchemy.orm import Session

from gzkit.console.pages import ConsolePages
from gzkit.console.site import ConsoleSite
from gzkit.db import session_scope
from gzkit.errors import Invalid
from gzkit.text import control_character, control_character_message
from gzvpp.alarms.service import alarm_service
from gzvpp.console import labels, validation
from gzvpp.kit.auth import TOKEN_COOKIE, TOKEN_PREFIX, Actor, authenticate_request
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
TEMPLATES.env.globals["token_prefix"] = TOKEN_PREFIX
STATIC_FILES = SITE.static_files
STAFF = (Role.GRID_OPERATOR, Role.REGULATOR)
ALARMS_PAGE = "/console/alarms"


def _actor_of(
    request: Request, session: Session, background: BackgroundTasks | None, token: str
) -> Actor | None:
    """The actor of a sign-in token; a rejected participant's user is refused (403) a form
    post, and any page once its reading period is over. The metering identity only sends meter
    data through the API: it has no console (None). With ``background``, the token's use is
    recorded after the response."""
    actor = authenticate_request(request, session, background or BackgroundTasks(), token)
    return None if actor.role is Role.METERING else actor


def _navigation(
    request: Request, actor: Actor | None, now: dt.datetime
) -> list[tuple[str, str, int | None]]:
    if actor is None:
        return []
    if actor.role.participant_scoped:
        return [
            ("我的邀约", "/console/portal", None),
            ("我的结果", "/console/portal/results", None),
            ("我的信息", f"/console/participants/{actor.participant_id}", None),
        ]
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
    return nav


PAGES: ConsolePages[Actor] = ConsolePages(
    SITE, _actor_of, _navigation, lambda request: request.app.state.clock_name
)
PageRoute = PAGES.route_class
too_large_page = PAGES.too_large_page
unknown_page = PAGES.unknown_page
PageActor = Annotated[Actor, Depends(PAGES.actor)]
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
    """``template`` at ``now`` with the navigation of the actor's role (:class:`ConsolePages`)."""
    return PAGES.render(request, actor, template, status_code, now=now, **context)


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
