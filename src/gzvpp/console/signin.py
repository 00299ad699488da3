"""Signing in (a person with account name and password, a machine or test with an API token)
and out, changing one's own password, the console's home and static files, and /docs:
:mod:`gzkit.console.signin` bound to the platform's users (:mod:`gzvpp.accounts.passwords`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzkit.auth import hash_token
from gzkit.console.signin import SignIn, signin_routes
from gzkit.errors import Unauthorized
from gzvpp.accounts import passwords
from gzvpp.console.pages import PAGES
from gzvpp.kit.auth import Actor, authenticate
from gzvpp.models import ApiToken, PlatformUser, Role


def _sign_in(
    session: Session, name: str, password: str, now: dt.datetime
) -> tuple[str, dt.datetime]:
    signed_in = passwords.sign_in(session, name, password, now)
    return signed_in.token, signed_in.expires_at


def _sign_out(session: Session, token: str, now: dt.datetime) -> None:
    passwords.sign_out(session, hash_token(token), now)


def _change_password(
    session: Session, actor: Actor, current: str, new: str, token: str, now: dt.datetime
) -> None:
    """The actor's new password; the sessions but the cookie's end."""
    token_id = session.scalar(select(ApiToken.id).where(ApiToken.token_sha256 == hash_token(token)))
    passwords.change_own_password(session, actor, now, current, new, token_id)


def _has_password(session: Session, actor: Actor) -> bool:
    user = session.get(PlatformUser, actor.user_id)
    return user is not None and user.password_hash is not None


def _token_sign_in(session: Session, token: str, now: dt.datetime) -> None:
    """A token that may read (reading is signing in); not the metering identity's, which only
    sends meter data through the API."""
    actor, _ = authenticate(session, token, now, write=False)
    if actor.role is Role.METERING:
        raise Unauthorized("令牌无效")


def _home(actor: Actor) -> str:
    return "/console/portal" if actor.role.participant_scoped else "/console/overview"


SIGN_IN: SignIn[Actor] = SignIn(
    PAGES, _sign_in, _sign_out, _change_password, _has_password, _token_sign_in, _home
)
root_router, router = signin_routes(SIGN_IN)
