"""Bodies and answers of the check endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from gzkit.request_input import Input
from gzlongevity.models import CheckKind


class CheckIn(Input):
    """One check's outcome."""

    multiline = frozenset({"note"})
    kind: CheckKind
    checked_on: dt.date
    passed: bool
    note: Annotated[str, Field(max_length=2000)] = ""


class CheckOut(BaseModel):
    """A recorded check."""

    id: int
    kind: CheckKind
    checked_on: dt.date
    passed: bool
    note: str
    officer: str
    suspended_from: str | None
