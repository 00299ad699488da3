"""The grid operator's 账户与令牌 page: every user and token (never a secret), with a button
to revoke a token and to disable or enable a user. The forms call the accounts service, which
audits each change."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from gzvpp.accounts import service
from gzvpp.console.pages import PageActor, PageRoute, listing, paging, render
from gzvpp.kit.clock import ClockDep
from gzvpp.kit.db import SessionDep
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


def _back(message: str) -> RedirectResponse:
    return RedirectResponse(f"/console/users?{urlencode({'message': message})}", status_code=303)
