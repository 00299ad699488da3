"""HTTP routes of the accounts domain, under ``/api/users``: the grid operator's view of who
may call the platform, and the means to stop them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.pagination import ListResource, PaginationQuery
from gzvpp.accounts import schemas, service
from gzvpp.kit.auth import ActorDep
from gzvpp.models import Role

router = APIRouter(prefix="/users", tags=["users"])
IssueBody = Annotated[schemas.IssueRequest | None, Body()]


@router.get("", summary="List users and their tokens")
def list_users(
    actor: ActorDep,
    session: SessionDep,
    clock: ClockDep,
    pagination: PaginationQuery,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of the name, or a participant id.")
    ] = None,
    role: Role | None = None,
) -> ListResource[schemas.UserView]:
    """Every platform user by id, with its tokens (id, prefix, times, status; never the
    secret) and what its tokens may do now (grid operator)."""
    service.operator(actor)
    users, total = service.list_users(session, clock.now(), pagination, query=q, role=role)
    return ListResource[schemas.UserView].build(users, total, pagination)


@router.get("/{user_id}", summary="One user and its tokens")
def get_user(
    user_id: int, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.UserView:
    """One user with its tokens (grid operator)."""
    service.operator(actor)
    return service.get_user(session, clock.now(), user_id)


@router.post("/{user_id}/disable", summary="Disable a user")
def disable(
    user_id: int, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.UserView:
    """Every token of the user answers 401 from now on (grid operator; not oneself)."""
    by = service.operator(actor)
    return service.disable_user(session, by, clock.now(), user_id, acting_user_id=actor.user_id)


@router.post("/{user_id}/enable", summary="Enable a user again")
def enable(user_id: int, actor: ActorDep, session: SessionDep, clock: ClockDep) -> schemas.UserView:
    """The user's unexpired, unrevoked tokens work again (grid operator)."""
    return service.enable_user(session, service.operator(actor), clock.now(), user_id)


@router.post("/{user_id}/tokens", status_code=201, summary="Issue a new token")
def issue(
    user_id: int, actor: ActorDep, session: SessionDep, clock: ClockDep, body: IssueBody = None
) -> schemas.IssuedToken:
    """A new token for the user; ``token`` is shown only in this answer (grid operator)."""
    by = service.operator(actor)
    ttl_days = body.ttl_days if body else None
    return service.issue(session, by, clock.now(), user_id, ttl_days=ttl_days)


@router.post("/{user_id}/tokens:rotate", status_code=201, summary="Rotate a user's tokens")
def rotate(
    user_id: int, actor: ActorDep, session: SessionDep, clock: ClockDep, body: IssueBody = None
) -> schemas.IssuedToken:
    """A new token for the user, and every other token of it revoked (grid operator)."""
    by = service.operator(actor)
    ttl_days = body.ttl_days if body else None
    issued, _ = service.rotate(session, by, clock.now(), user_id, ttl_days=ttl_days)
    return issued


@router.post("/{user_id}/tokens/{token_id}/revoke", summary="Revoke one token")
def revoke(
    user_id: int, token_id: int, actor: ActorDep, session: SessionDep, clock: ClockDep
) -> schemas.TokenView:
    """The token answers 401 from now on (grid operator)."""
    by = service.operator(actor)
    return service.revoke_token(session, by, clock.now(), token_id, user_id=user_id)
