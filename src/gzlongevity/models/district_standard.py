"""``district_standards`` and ``rule_versions``: the standards and dates as versioned
configuration (L2, 第五条, L9). A row applies from its month until a later row for the same
district and tier; approved runs keep the lines they paid, so a later row never changes them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gzlongevity.kit.db import Base


class DistrictStandard(Base):
    """A district's monthly standard for a tier from a month on (above the city's)."""

    __tablename__ = "district_standards"
    __table_args__ = (UniqueConstraint("district", "tier", "from_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district: Mapped[str] = mapped_column(String(6))
    tier: Mapped[int]
    monthly_fen: Mapped[int]
    from_month: Mapped[int]
    created_at: Mapped[dt.datetime]


class RuleVersion(Base):
    """One measure in force over a range of months (第二十六条: 2021-09 to 2026-08)."""

    __tablename__ = "rule_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    from_month: Mapped[int]
    to_month: Mapped[int]
    district_share_pct: Mapped[int] = mapped_column(default=50)  # L8: the district's share
    created_at: Mapped[dt.datetime]
