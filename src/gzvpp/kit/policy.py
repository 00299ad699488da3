"""Account policy settings an operator may change through the environment.

- ``GZVPP_TOKEN_TTL_DAYS``: how long a new API token is valid (default 90 days).
- ``GZVPP_CLOSED_READ_DAYS``: how long after a participant's rejection its users may still
  read its data (default 180 days; 0 ends reading at once).
- ``GZVPP_PUBLICITY_WORKDAYS``: how many working days the 公示 of a reviewed application lasts
  before the regulator may close it (default 5; 0 lets it close at once, for trials).
- ``GZVPP_SIGN_IN_ATTEMPTS``: how many wrong passwords in a row lock an account (default 5).
- ``GZVPP_LOCKOUT_MINUTES``: how long such an account stays locked (default 15 minutes).
- ``GZVPP_SESSION_HOURS``: how long a password sign-in's console session lasts (default 8 hours).
- ``GZVPP_METER_UPLOAD_MAX_BYTES``: the largest meter file upload (default 256 MiB).

A bad value stops the process with a message naming the variable, rather than silently falling
back to the default.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from gzkit.auth import LOCKOUT, SIGN_IN_ATTEMPTS

TOKEN_TTL_ENV = "GZVPP_TOKEN_TTL_DAYS"
CLOSED_READ_ENV = "GZVPP_CLOSED_READ_DAYS"
DEFAULT_TOKEN_TTL_DAYS = 90
PUBLICITY_ENV = "GZVPP_PUBLICITY_WORKDAYS"
DEFAULT_CLOSED_READ_DAYS = 180
DEFAULT_PUBLICITY_WORKDAYS = 5
SIGN_IN_ATTEMPTS_ENV = "GZVPP_SIGN_IN_ATTEMPTS"
DEFAULT_SIGN_IN_ATTEMPTS = SIGN_IN_ATTEMPTS
LOCKOUT_ENV = "GZVPP_LOCKOUT_MINUTES"
DEFAULT_LOCKOUT_MINUTES = LOCKOUT // dt.timedelta(minutes=1)
SESSION_ENV = "GZVPP_SESSION_HOURS"
DEFAULT_SESSION_HOURS = 8
METER_UPLOAD_MAX_BYTES_ENV = "GZVPP_METER_UPLOAD_MAX_BYTES"
DEFAULT_METER_UPLOAD_MAX_BYTES = 256 << 20


def _count(name: str, default: int, minimum: int, unit: str = "days") -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        days = int(text)
    except ValueError:
        days = minimum - 1
    if days < minimum:
        raise ValueError(f"{name} must be a whole number of {unit} ≥ {minimum}, not {text!r}")
    return days


def _days(name: str, default: int, minimum: int) -> dt.timedelta:
    return dt.timedelta(days=_count(name, default, minimum))


def token_ttl() -> dt.timedelta:
    """The lifetime of a newly issued API token (``GZVPP_TOKEN_TTL_DAYS``, ≥ 1)."""
    return _days(TOKEN_TTL_ENV, DEFAULT_TOKEN_TTL_DAYS, 1)


def closed_read_period() -> dt.timedelta:
    """How long after a participant's rejection its users may still read its data
    (``GZVPP_CLOSED_READ_DAYS``, ≥ 0; 0 ends reading at once)."""
    return _days(CLOSED_READ_ENV, DEFAULT_CLOSED_READ_DAYS, 0)


def publicity_workdays() -> int:
    """How many working days the 公示 lasts (``GZVPP_PUBLICITY_WORKDAYS``, ≥ 0; 第六条)."""
    return _count(PUBLICITY_ENV, DEFAULT_PUBLICITY_WORKDAYS, 0)


def sign_in_attempts() -> int:
    """How many wrong passwords in a row lock an account (``GZVPP_SIGN_IN_ATTEMPTS``, ≥ 1)."""
    return _count(SIGN_IN_ATTEMPTS_ENV, DEFAULT_SIGN_IN_ATTEMPTS, 1, "attempts")


def lockout_period() -> dt.timedelta:
    """How long a locked account stays locked (``GZVPP_LOCKOUT_MINUTES``, ≥ 1)."""
    return dt.timedelta(minutes=_count(LOCKOUT_ENV, DEFAULT_LOCKOUT_MINUTES, 1, "minutes"))


def session_lifetime() -> dt.timedelta:
    """How long the console session of a password sign-in lasts (``GZVPP_SESSION_HOURS``,
    ≥ 1)."""
    return dt.timedelta(hours=_count(SESSION_ENV, DEFAULT_SESSION_HOURS, 1, "hours"))


def check_settings() -> None:
    """Raise :class:`ValueError` naming the variable if a setting is not valid."""
    token_ttl()
    closed_read_period()
    publicity_workdays()
    sign_in_attempts()
    lockout_period()
    session_lifetime()


def meter_upload_max_bytes(environ: Mapping[str, str] = os.environ) -> int:
    """The largest meter file upload, ``$GZVPP_METER_UPLOAD_MAX_BYTES`` (default 256 MiB)."""
    text = environ.get(METER_UPLOAD_MAX_BYTES_ENV, "").strip()
    if not text:
        return DEFAULT_METER_UPLOAD_MAX_BYTES
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(
            f"{METER_UPLOAD_MAX_BYTES_ENV} must be a positive number of bytes, not {text!r}"
        )
    return int(text)
