"""Signing in (name and password, or an API token) and out, the password, each role's home,
static files and ``/docs``: :mod:`gzkit.console.signin` bound to the pool's users."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gzcreditpool.console.pages import PAGES
from gzcreditpool.kit import auth
from gzcreditpool.kit.auth import SESSION_HOURS, Actor
from gzcreditpool.models import Role, User
from gzkit.console.signin import SignIn, signin_routes

HOME = {
    Role.BANK: "/console/loans",
    Role.TRUSTEE: "/console/loans",
    Role.BUREAU: "/console/dashboard",
    Role.AUDITOR: "/console/dashboard",
}


def _sign_in(
    session: Session, name: str, password: str, now: dt.datetime
) -> tuple[str, dt.datetime]:
    return auth.sign_in(session, name, password, now), now + dt.timedelta(hours=SESSION_HOURS)


def _has_password(session: Session, actor: Actor) -> bool:
    user = session.get(User, actor.user_id)
    return user is not None and user.password_hash is not None


def _token_sign_in(session: Session, token: str, now: dt.datetime) -> None:
    auth.authenticate(session, token, now)


SIGN_IN: SignIn[Actor] = SignIn(
    PAGES,
    _sign_in,
    auth.sign_out,
    auth.change_password,
    _has_password,
    _token_sign_in,
    lambda actor: HOME[actor.role],
)
root_router, router = signin_routes(SIGN_IN)
