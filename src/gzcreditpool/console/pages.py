"""The pool's console site (:mod:`gzkit.console.site`) and what every page shares: the signed-in
actor, rendering with the navigation of the actor's role, error pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from gzcreditpool.console.validation import FIELDS
from gzcreditpool.kit.auth import ROLE_NAMES, TOKEN_COOKIE, Actor, authenticate
from gzcreditpool.models import Bank, Role
from gzkit.console.site import ERRORS, ConsoleSite
from gzkit.db import SessionDep, session_scope
from gzkit.errors import DomainError, Unauthorized
from gzkit.limits import size_text

SITE = ConsoleSite(
    name="科技信贷风险损失补偿资金池",
    directory=Path(__file__).parent,
    cookie=TOKEN_COOKIE,
    fields=FIELDS,
)
TEMPLATES = SITE.templates
TEMPLATES.env.filters["label"] = lambda role: ROLE_NAMES[role]
TEMPLATES.env.filters["time"] = lambda moment: f"{moment:%Y-%m-%d %H:%M}"
TEMPLATES.env.filters["money"] = lambda value: "—" if value is None else f"{value:,.2f}"
TEMPLATES.env.filters["zh"] = lambda text: str(text).split(" / ")[0]
TEMPLATES.env.globals["badge_title"] = "待办"
STATIC_FILES = SITE.static_files
STAFF = (Role.BUREAU, Role.TRUSTEE, Role.AUDITOR)
NAV = {
    Role.BANK: [
        ("贷款报送", "/console/loans"),
        ("补偿申请", "/console/claims"),
        ("清收退回", "/console/recoveries"),
    ],
    Role.TRUSTEE: [
        ("贷款审核", "/console/loans"),
        ("补偿核算", "/console/claims"),
        ("清收退回", "/console/recoveries"),
        ("合作银行", "/console/banks"),
        ("总览", "/console/dashboard"),
    ],
    Role.BUREAU: [
        ("总览", "/console/dashboard"),
        ("贷款确认", "/console/loans"),
        ("补偿审批", "/console/claims"),
        ("清收退回", "/console/recoveries"),
        ("合作银行", "/console/banks"),
    ],
    Role.AUDITOR: [
        ("总览", "/console/dashboard"),
        ("贷款", "/console/loans"),
        ("补偿", "/console/claims"),
        ("清收退回", "/console/recoveries"),
        ("合作银行", "/console/banks"),
    ],
}


def render(
    request: Request,
    actor: Actor | None,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """``template`` with the role's navigation, the clock and the form token."""
    nav = [(text, href, None) for text, href in NAV[actor.role]] if actor else []
    context.setdefault("banks_to_filter", [])
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            "nav": nav,
            "now": request.app.state.clock.now(),
            "clock_name": "平台时间",
            "path": request.url.path,
            "csrf_token": SITE.form_token(request),
            **context,
        },
        status_code=status_code,
    )


def bank_filter(session: Session, actor: Actor, bank: str) -> dict[str, Any]:
    """The context of the staff's bank filter (``filters.html``): every bank, and the code
    chosen ("" for all); a bank's user gets no filter."""
    banks: list[Bank] = []
    if actor.role is not Role.BANK:
        banks = list(session.scalars(select(Bank).order_by(Bank.code)))
    return {"banks_to_filter": banks, "bank_filtered": bank}


def cookie_actor(request: Request, session: Session) -> Actor | None:
    """The actor of the sign-in cookie; None without one or for a token no longer accepted."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return None
    try:
        return authenticate(session, token, request.app.state.clock.now())
    except Unauthorized:
        return None


def error_page(
    request: Request, status_code: int, detail: str = "", heading: tuple[str, str] | None = None
) -> Response:
    """The Chinese error page of ``status_code`` with whoever is signed in's navigation."""
    try:
        with session_scope(request.app.state.read_sessionmaker) as session:
            actor = cookie_actor(request, session)
    except DomainError:
        actor = None
    title, explanation = heading or ERRORS.get(status_code, ("出错了", ""))
    return render(
        request,
        actor,
        "kit/error.html",
        status_code,
        title=title,
        explanation=explanation,
        detail=detail.split(" / ")[0],
    )


PageRoute = SITE.route_class(error_page)


def too_large_page(request: Request, max_bytes: int) -> Response:
    """The 413 page of a console form too large to read."""
    return render(
        request,
        None,
        "kit/error.html",
        413,
        title="请求过大",
        explanation=f"提交的内容超过 {size_text(max_bytes)} 的上限，未执行。",
    )


async def unknown_page(request: Request, exc: Exception) -> Response:
    """An unknown ``/console`` address answers with the Chinese error page."""
    assert isinstance(exc, StarletteHTTPException)
    if request.url.path.startswith("/console") and exc.status_code in (404, 405):
        return error_page(request, exc.status_code)
    return await http_exception_handler(request, exc)


def _page_actor(request: Request, session: SessionDep) -> Actor:
    actor = cookie_actor(request, session)
    if actor is None:
        raise HTTPException(303, "请先登录", headers={"Location": "/console/login"})
    return actor


PageActor = Annotated[Actor, Depends(_page_actor)]


def today(request: Request) -> dt.date:
    now: dt.datetime = request.app.state.clock.now()
    return now.date()


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: dict[str, Any]) -> M:
    """``model`` from a form's fields; a bad value is the Chinese 422 page naming the field
    (as FastAPI's own validation would be), never a 500."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise RequestValidationError(err.errors()) from None


def done(path: str, message: str) -> RedirectResponse:
    """Back to ``path`` after a change, with the key of its notice (:data:`NOTICES`)."""
    return RedirectResponse(f"{path}?done={message}", status_code=303)


def confirm_step(
    request: Request, actor: Actor, *, title: str, consequence: str, action: str, button: str
) -> Response:
    """The confirmation step of an irreversible bulk action: what will happen, then confirm
    (the form posts again with ``confirmed=1``) or go back to the page."""
    return render(
        request, actor, "kit/confirm.html",
        title=title, consequence=consequence, action=action, fields={}, button=button,
        back=request.url.path.rsplit("/", 1)[0],
    )  # fmt: skip


def page_router() -> APIRouter:
    """A router of console pages (Chinese error pages, forged forms refused)."""
    return APIRouter(prefix="/console", route_class=PageRoute, include_in_schema=False)
