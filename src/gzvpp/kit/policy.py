"""Account policy settings an operator may change through the environment.

- ``GZVPP_TOKEN_TTL_DAYS``: how long a new API token is valid (default 90 days).
- ``GZVPP_CLOSED_READ_DAYS``: how long after a participant's rejection its users may still
  read its data (default 180 days; 0 ends reading at once).

A bad value stops the process with a message naming the variable, rather than silently falling
back to the default.
"""

from __future__ import annotations

import datetime as dt
import os

TOKEN_TTL_ENV = "GZVPP_TOKEN_TTL_DAYS"
CLOSED_READ_ENV = "GZVPP_CLOSED_READ_DAYS"
DEFAULT_TOKEN_TTL_DAYS = 90
DEFAULT_CLOSED_READ_DAYS = 180


def _days(name: str, default: int, minimum: int) -> dt.timedelta:
    text = os.environ.get(name, "").strip()
    if not text:
        return dt.timedelta(days=default)
    try:
        days = int(text)
    except ValueError:
        days = minimum - 1
    if days < minimum:
        raise ValueError(f"{name} must be a whole number of days ≥ {minimum}, not {text!r}")
    return dt.timedelta(days=days)


def token_ttl() -> dt.timedelta:
    """The lifetime of a newly issued API token (``GZVPP_TOKEN_TTL_DAYS``, ≥ 1)."""
    return _days(TOKEN_TTL_ENV, DEFAULT_TOKEN_TTL_DAYS, 1)


def closed_read_period() -> dt.timedelta:
    """How long after a participant's rejection its users may still read its data
    (``GZVPP_CLOSED_READ_DAYS``, ≥ 0; 0 ends reading at once)."""
    return _days(CLOSED_READ_ENV, DEFAULT_CLOSED_READ_DAYS, 0)


def check_settings() -> None:
    """Raise :class:`ValueError` naming the variable if a setting is not valid."""
    token_ttl()
    closed_read_period()
