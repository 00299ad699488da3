"""Answers of the statistics endpoints."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel


class DistrictFigures(BaseModel):
    """One district's month."""

    district: str
    name: str
    beneficiaries: int
    by_tier: dict[str, int]
    amount_cny: Decimal
    city_share_cny: Decimal
    district_share_cny: Decimal
    district_extra_cny: Decimal
    centenarian_cny: Decimal
    arrears_cny: Decimal


class MonthFigures(BaseModel):
    """A run's figures in the actor's jurisdiction (approved or not)."""

    month: str
    status: str
    beneficiaries: int
    by_tier: dict[str, int]
    amount_cny: Decimal
    city_share_cny: Decimal
    district_share_cny: Decimal
    district_extra_cny: Decimal
    centenarian_count: int
    centenarian_cny: Decimal
    arrears_cny: Decimal
    overpaid_cny: Decimal
    recovered_cny: Decimal  # came back by the month's end
    owed_cny: Decimal  # asked back by the cases opened by the month's end
    recovery_rate: Decimal | None  # recovered / owed at the month's end
    districts: list[DistrictFigures]
