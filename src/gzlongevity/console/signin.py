"""Signing in and out, the password, the console's home by role, static files, and /docs:
:mod:`gzkit.console.signin` bound to the officers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gzkit.console.signin import SignIn, signin_routes
from gzkit.errors import Unauthorized
from gzlongevity.console.pages import HOME, PAGES
from gzlongevity.kit import auth
from gzlongevity.kit.auth import SESSION_HOURS, Actor
from gzlongevity.models import Officer, Role


def _sign_in(
    session: Session, name: str, password: str, now: dt.datetime
) -> tuple[str, dt.datetime]:
    return auth.sign_in(session, name, password, now), now + dt.timedelta(hours=SESSION_HOURS)


def _change_password(
    session: Session, actor: Actor, current: str, new: str, _token: str, now: dt.datetime
) -> None:
    auth.change_password(session, actor, now, current, new)


def _has_password(session: Session, actor: Actor) -> bool:
    officer = session.get(Officer, actor.officer_id)
    return officer is not None and officer.password_hash is not None


def _token_sign_in(session: Session, token: str, now: dt.datetime) -> None:
    """Any officer's token; not the exchange platform's, which has no console."""
    if auth.authenticate(session, token, now).role is Role.EXCHANGE:
        raise Unauthorized("令牌无效")


SIGN_IN: SignIn[Actor] = SignIn(
    PAGES,
    _sign_in,
    auth.sign_out,
    _change_password,
    _has_password,
    _token_sign_in,
    lambda actor: HOME[actor.role],
    changed="密码已修改。",
)
root_router, router = signin_routes(SIGN_IN)
