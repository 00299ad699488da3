"""``enterprises``: the borrowers' registration data and type evidence (第八条), re-checked
at each loan; a dishonest (失信) enterprise is flagged (第三十条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gzcreditpool.kit.db import Base


class Enterprise(Base):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    registered_in_guangzhou: Mapped[bool]
    independent_legal_person: Mapped[bool]
    revenue: Mapped[Decimal]
    high_tech_certificate_no: Mapped[str | None] = mapped_column(String(40))
    high_tech_valid_until: Mapped[dt.date | None]
    science_plan_project: Mapped[str | None] = mapped_column(String(200))
    founding_institution: Mapped[str | None] = mapped_column(String(200))
    sme_database_no: Mapped[str | None] = mapped_column(String(40))
    dishonest_at: Mapped[dt.datetime | None]
    dishonest_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
