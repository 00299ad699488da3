"""The system's console site (:mod:`gzkit.console.site`) and what its pages share: the
signed-in officer, rendering with the role's navigation, the error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy.orm import Session

from gzkit.console.pages import ConsolePages
from gzkit.console.site import ConsoleSite
from gzlongevity.console import labels
from gzlongevity.kit.auth import TOKEN_COOKIE, TOKEN_PREFIX, Actor, authenticate
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
TEMPLATES.env.globals["token_prefix"] = TOKEN_PREFIX
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


def _actor_of(
    request: Request, session: Session, _background: BackgroundTasks | None, token: str
) -> Actor | None:
    """The officer of a sign-in token; None for the exchange platform's identity, which has no
    console."""
    actor = authenticate(session, token, request.app.state.clock.now())
    return None if actor.role is Role.EXCHANGE else actor


PAGES: ConsolePages[Actor] = ConsolePages(
    SITE, _actor_of, lambda _request, actor, _now: navigation(actor), lambda _: "广州时间"
)
render = PAGES.render
error_page = PAGES.error_page
PageRoute = PAGES.route_class
too_large_page = PAGES.too_large_page
unknown_page = PAGES.unknown_page
PageActor = Annotated[Actor, Depends(PAGES.actor)]
