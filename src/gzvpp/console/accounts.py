"""The grid operator's 账户与令牌 page: every user and token (never a secret), with a button
to revoke a token, to disable or enable a user, and to set or reset a user's password. The
forms call the accounts service, which audits each change."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse

from gzkit.auth import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from gzkit.clock import ClockDep
from gzkit.console.paging import listing, paging
from gzkit.db import SessionDep
from gzkit.errors import Conflict, Invalid
from gzvpp.accounts import passwords, service
from gzvpp.accounts.schemas import UserView
from gzvpp.console.labels import zh
from gzvpp.console.pages import PageActor, PageRoute, render
from gzvpp.kit.auth import Actor
from gzvpp.models import Role

router = APIRouter(prefix="/console/users", route_class=PageRoute, include_in_schema=False)


@router.get("")
def users(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    page: Annotated[int, Query(ge=1)] = 1,
    q: Annotated[str, Query(max_length=200)] = "",
    role: Role | None = None,
    message: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """Users by id with their tokens: prefix, issued, expires, last used, status."""
    service.operator(actor)
    now = clock.now()
    rows, total = service.list_users(session, now, paging(page), query=q or None, role=role)
    return render(
        request,
        actor,
        "users.html",
        now,
        **listing(rows, total, page),
        filters={"q": q, "role": role or ""},
        roles=list(Role),
        message=message,
    )


@router.post("/{user_id}/disable")
def disable(
    user_id: int, actor: PageActor, session: SessionDep, clock: ClockDep
) -> RedirectResponse:
    """Stop all of the user's tokens at once."""
    by = service.operator(actor)
    service.disable_user(session, by, clock.now(), user_id, acting_user_id=actor.user_id)
    return _back(f"已停用用户 #{user_id}")


@router.post("/{user_id}/enable")
def enable(
    user_id: int, actor: PageActor, session: SessionDep, clock: ClockDep
) -> RedirectResponse:
    """Accept the user's valid tokens again."""
    service.enable_user(session, service.operator(actor), clock.now(), user_id)
    return _back(f"已启用用户 #{user_id}")


@router.post("/{user_id}/tokens/{token_id}/revoke")
def revoke(
    user_id: int, token_id: int, actor: PageActor, session: SessionDep, clock: ClockDep
) -> RedirectResponse:
    """Revoke one token of the user."""
    by = service.operator(actor)
    service.revoke_token(session, by, clock.now(), token_id, user_id=user_id)
    return _back(f"已吊销令牌 #{token_id}")


@router.get("/{user_id}/password")
def password_page(
    user_id: int, request: Request, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    """The form to set or reset one user's password."""
    service.operator(actor)
    now = clock.now()
    return _password_form(request, actor, service.get_user(session, now, user_id), now)


@router.post("/{user_id}/password")
def set_password(
    user_id: int,
    request: Request,
    actor: PageActor,
    session: SessionDep,
    clock: ClockDep,
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
    password_again: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)],
) -> Response:
    """Set the password (typed twice), unlock the account and end its sessions."""
    by = service.operator(actor)
    now = clock.now()
    try:
        if password != password_again:
            raise Invalid("两次输入的密码不一致", "password_again")
        user = passwords.set_password(session, by, now, user_id, password)
    except (Invalid, Conflict) as err:
        shown = service.get_user(session, now, user_id)
        return _password_form(request, actor, shown, now, f"{zh(err.message)}。")
    return _back(f"已为用户 #{user.id} {user.name} 设置密码，请当面或以其他安全方式告知本人")


def _password_form(
    request: Request, actor: Actor, user: UserView, now: dt.datetime, error: str = ""
) -> Response:
    return render(
        request,
        actor,
        "user_password.html",
        now,
        422 if error else 200,
        user=user,
        min_length=MIN_PASSWORD_LENGTH,
        error=error,
    )


def _back(message: str) -> RedirectResponse:
    return RedirectResponse(f"/console/users?{urlencode({'message': message})}", status_code=303)
