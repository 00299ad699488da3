"""The pool's console site (:mod:`gzkit.console.site`) and what every page shares: the signed-in
actor, rendering with the navigation of the actor's role, error pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import BackgroundTasks, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzcreditpool.console.validation import FIELDS
from gzcreditpool.kit.auth import ROLE_NAMES, TOKEN_COOKIE, TOKEN_PREFIX, Actor, authenticate
from gzcreditpool.models import Bank, Role
from gzkit.console.pages import ConsolePages
from gzkit.console.site import ConsoleSite
from gzkit.console.validation import form_model

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
TEMPLATES.env.globals["token_prefix"] = TOKEN_PREFIX
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
        ("政策版本", "/console/policies"),
        ("总览", "/console/dashboard"),
    ],
    Role.BUREAU: [
        ("总览", "/console/dashboard"),
        ("贷款确认", "/console/loans"),
        ("补偿审批", "/console/claims"),
        ("清收退回", "/console/recoveries"),
        ("合作银行", "/console/banks"),
        ("政策版本", "/console/policies"),
    ],
    Role.AUDITOR: [
        ("总览", "/console/dashboard"),
        ("贷款", "/console/loans"),
        ("补偿", "/console/claims"),
        ("清收退回", "/console/recoveries"),
        ("合作银行", "/console/banks"),
        ("政策版本", "/console/policies"),
    ],
}


def _navigation(
    _request: Request, actor: Actor | None, _now: dt.datetime
) -> list[tuple[str, str, int | None]]:
    return [(text, href, None) for text, href in NAV[actor.role]] if actor else []


def _actor_of(
    request: Request, session: Session, _background: BackgroundTasks | None, token: str
) -> Actor:
    return authenticate(session, token, request.app.state.clock.now())


def bank_filter(session: Session, actor: Actor, bank: str) -> dict[str, Any]:
    """The context of the staff's bank filter (``filters.html``): every bank, and the code
    chosen ("" for all); a bank's user gets no filter."""
    banks: list[Bank] = []
    if actor.role is not Role.BANK:
        banks = list(session.scalars(select(Bank).order_by(Bank.code)))
    return {"banks_to_filter": banks, "bank_filtered": bank}


PAGES: ConsolePages[Actor] = ConsolePages(SITE, _actor_of, _navigation, lambda _: "平台时间")
render = PAGES.render
error_page = PAGES.error_page
PageRoute = PAGES.route_class
too_large_page = PAGES.too_large_page
unknown_page = PAGES.unknown_page
page_router = PAGES.router
PageActor = Annotated[Actor, Depends(PAGES.actor)]


def today(request: Request) -> dt.date:
    now: dt.datetime = request.app.state.clock.now()
    return now.date()


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: dict[str, Any]) -> M:
    """``model`` from a form's fields (:func:`gzkit.console.validation.form_model`)."""
    return form_model(model, **data)


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
