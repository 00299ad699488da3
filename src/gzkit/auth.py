"""Credentials every system's sign-in shares: bearer tokens, passwords and the token a
request carries. Each system keeps its own users, tokens and roles in its own tables.

A token is the system's prefix plus 43 random URL-safe characters, shown once when issued; a
system stores only its SHA-256 (:func:`hash_token`) and its first characters
(:func:`display_prefix`, to tell tokens apart). A password is stored only as its Argon2id hash
(argon2-cffi's defaults, RFC 9106's low-memory profile). :data:`SIGN_IN_ATTEMPTS` wrong
passwords in a row lock an account for :data:`LOCKOUT` (a system may set its own,
:meth:`gzkit.accounts.Accounts.check_password`), and every such refusal reads the same
(:func:`sign_in_refusal`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from fastapi.security import HTTPAuthorizationCredentials

from gzkit import csrf
from gzkit.errors import Invalid, Unauthorized
from gzkit.text import control_character, control_character_message

DISPLAY_RANDOM_CHARACTERS = 6
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
SIGN_IN_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)
_hasher = PasswordHasher()


def new_token(prefix: str) -> str:
    """A fresh bearer token: ``prefix`` and 43 random URL-safe characters (256 bits)."""
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str, prefix: str) -> str:
    """The part of a token kept in clear to tell tokens apart: ``prefix`` and 6 characters."""
    return token[: len(prefix) + DISPLAY_RANDOM_CHARACTERS]


def request_token(
    request: Request, credentials: HTTPAuthorizationCredentials | None, cookie: str
) -> str:
    """The token of a request: its ``Authorization: Bearer`` header, else the console's
    ``cookie``. A change signed by the cookie alone must come from the console's own pages
    (:mod:`gzkit.csrf`).

    Raises
    ------
    Unauthorized
        Neither carries a token.
    Forbidden
        A cookie-signed change without this server's origin and form token.
    """
    token = credentials.credentials if credentials else request.cookies.get(cookie)
    if token is None:
        raise Unauthorized("缺少令牌 / missing bearer token (Authorization: Bearer <token>)")
    if credentials is None and request.method in csrf.UNSAFE_METHODS:
        csrf.check(request, token, request.headers.get(csrf.HEADER))
    return token


def hash_password(password: str) -> str:
    """The stored form of a password (Argon2id)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``. With no hash (an unknown account) it
    checks against a decoy, so that takes as long as a wrong password and answers False."""
    try:
        return _hasher.verify(password_hash or _decoy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """Whether the library's defaults moved on since ``password_hash`` was made."""
    return _hasher.check_needs_rehash(password_hash)


def sign_in_refusal(attempts: int, lockout: dt.timedelta) -> Unauthorized:
    """The one answer to an unknown name, a wrong password and a locked account, so that a
    guesser learns nothing of who has an account or whose is locked; it states the lockout
    rule (``attempts`` wrong passwords in a row lock the account for ``lockout``)."""
    return Unauthorized(
        f"账户名或密码不正确；连续输错 {attempts} 次将锁定 "
        f"{lockout // dt.timedelta(minutes=1)} 分钟 / wrong account name or password, "
        "or the account is locked for a while"
    )


@cache
def _decoy_hash() -> str:
    return _hasher.hash("no such account")


def check_new_password(password: str, name: str) -> None:
    """Refuse a password shorter than :data:`MIN_PASSWORD_LENGTH` or longer than
    :data:`MAX_PASSWORD_LENGTH` characters, with control characters, or equal to the account
    name.

    Raises
    ------
    Invalid
        Saying which, on the field ``password``.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"密码至少 {MIN_PASSWORD_LENGTH} 个字符 / the password needs at least "
            f"{MIN_PASSWORD_LENGTH} characters",
            "password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(
            f"密码最多 {MAX_PASSWORD_LENGTH} 个字符 / the password has at most "
            f"{MAX_PASSWORD_LENGTH} characters",
            "password",
        )
    if (character := control_character(password, multiline=False)) is not None:
        raise Invalid(control_character_message(character), "password")
    if password.strip() == name.strip():
        raise Invalid("密码不能与账户名相同 / the password may not be the account name", "password")
