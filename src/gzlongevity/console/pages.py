"""The system's console site (:mod:`gzkit.console.site`) and what its pages share: the
signed-in officer, rendering with the role's navigation, the error pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from gzkit.console.site import ERRORS, ConsoleSite, unknown_page_handler
from gzkit.db import SessionDep, session_scope
from gzkit.errors import DomainError
from gzkit.limits import size_text
from gzlongevity.console import labels
from gzlongevity.kit.auth import TOKEN_COOKIE, Actor, authenticate
from gzlongevity.models import Role

FIELDS = {
    "code": "确认码",
    "name": "姓名",
    "id_number": "身份证号",
    "bank_name": "开户银行",
    "bank_account": "银行账号",
    "phone": "手机号码",
    "evidence": "证明材料",
    "channel": "方式",
    "recipient": "收件人",
    "checked_on": "核查日期",
    "note": "情况说明",
    "told_on": "告知日期",
    "amount_cny": "金额",
    "month": "月份",
    "page": "页码",
    "token": "令牌",
    "password": "密码",
    "version_name": "版本名称",
    "from_month": "起始月份",
    "to_month": "结束月份",
    "district_share_pct": "区级承担比例",
    "account_name": "账户名称",
    "account_number": "付款账号",
    "bank": "开户银行",
}
SITE = ConsoleSite(
    name="广州市长者长寿保健金管理系统",
    directory=Path(__file__).parent,
    cookie=TOKEN_COOKIE,
    fields=FIELDS,
)
TEMPLATES = SITE.templates
labels.install(TEMPLATES.env)
TEMPLATES.env.globals["badge_title"] = "待办数"
STATIC_FILES = SITE.static_files
RULE_READERS = (Role.CITY, Role.FINANCE, Role.AUDIT, Role.DISTRICT)  # and the dashboard's
HOME = {
    Role.STREET: "/console/worklist",
    Role.COMMITTEE: "/console/worklist",
    Role.DISTRICT: "/console/runs",
    Role.CITY: "/console/dashboard",
    Role.FINANCE: "/console/dashboard",
    Role.AUDIT: "/console/dashboard",
    Role.MILITARY: "/console/runs",
}


def cookie_actor(request: Request, session: Session) -> Actor | None:
    """The officer the sign-in cookie names, or None (no cookie, token no longer valid, the
    exchange platform's identity, which has no console)."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return None
    try:
        actor = authenticate(session, token, request.app.state.clock.now())
    except DomainError:
        return None
    return None if actor.role is Role.EXCHANGE else actor


def _page_actor(request: Request, session: SessionDep) -> Actor:
    actor = cookie_actor(request, session)
    if actor is None:
        raise HTTPException(303, "请先登录", headers={"Location": "/console/login"})
    return actor


PageActor = Annotated[Actor, Depends(_page_actor)]
M = TypeVar("M", bound=BaseModel)


def form_model(model: type[M], *, renamed: Mapping[str, str] | None = None, **fields: object) -> M:
    """A request body from form fields; a pydantic refusal becomes the 422 page (Chinese),
    naming each field by its form name (``renamed``: a body field to its form field)."""
    try:
        return model.model_validate(fields)
    except ValidationError as err:
        names = renamed or {}
        raise RequestValidationError(
            [
                {**error, "loc": tuple(names.get(str(part), part) for part in error["loc"])}
                for error in err.errors()
            ]
        ) from None


def navigation(actor: Actor | None) -> list[tuple[str, str, int | None]]:
    """The menu of the actor's role."""
    if actor is None:
        return []
    items: list[tuple[str, str, int | None]] = []
    if actor.role in (Role.STREET, Role.COMMITTEE):
        items.append(("工作台", "/console/worklist", None))
    if actor.role is not Role.COMMITTEE:
        items.append(("月度发放", "/console/runs", None))
        items.append(("追回案件", "/console/recovery", None))
    if actor.role in (Role.CITY, Role.FINANCE, Role.AUDIT):
        items.append(("付款账户", "/console/payers", None))
    if actor.role in RULE_READERS:
        items.append(("统计", "/console/dashboard", None))
        items.append(("政策版本", "/console/rules", None))
    return items


def render(
    request: Request,
    actor: Actor | None,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A page with the actor's navigation, the clock and the form token."""
    now: dt.datetime = request.app.state.clock.now()
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            "nav": navigation(actor),
            "now": now,
            "clock_name": "广州时间",
            "path": request.url.path,
            "csrf_token": SITE.form_token(request),
            **context,
        },
        status_code=status_code,
    )


def error_page(
    request: Request, status_code: int, detail: str = "", heading: tuple[str, str] | None = None
) -> Response:
    """The Chinese error page of ``status_code`` with the signed-in officer's navigation."""
    with session_scope(request.app.state.read_sessionmaker) as session:
        actor = cookie_actor(request, session)
    title, explanation = heading or ERRORS.get(status_code, ("出错了", ""))
    return render(
        request,
        actor,
        "kit/error.html",
        status_code,
        title=title,
        explanation=explanation,
        detail=detail,
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


unknown_page = unknown_page_handler(error_page)
