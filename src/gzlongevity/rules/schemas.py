"""Bodies and answers of the rule configuration endpoints."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from gzkit.request_input import Input
from gzlongevity.runs.schemas import Month


class StandardIn(Input):
    """A district's monthly standard for a tier from a month on (above the city's)."""

    district: Annotated[str, Field(pattern=r"^[0-9]{6}$")]
    tier: Literal[70, 80, 90, 100]
    monthly_cny: Annotated[Decimal, Field(gt=0, max_digits=8, decimal_places=2)]
    from_month: Month


class StandardOut(BaseModel):
    """A stored district standard."""

    district: str
    tier: int
    monthly_cny: Decimal
    from_month: str


class VersionIn(Input):
    """A measure in force over a range of months, e.g. the successor of the 2021 measure."""

    name: Annotated[str, Field(min_length=2, max_length=200)]
    from_month: Month
    to_month: Month
    district_share_pct: Annotated[int, Field(ge=0, le=100)] = 50


class VersionOut(BaseModel):
    """A stored rule version."""

    name: str
    from_month: str
    to_month: str
    district_share_pct: int


class RulesOut(BaseModel):
    """Every rule version and district standard."""

    versions: list[VersionOut]
    standards: list[StandardOut]
