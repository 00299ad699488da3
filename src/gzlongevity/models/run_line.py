"""``run_lines``: what one run pays (payments.csv's columns: monthly, arrears, centenarian)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class LineKind(StrEnum):
    """The kinds of payment line (issue #12 §1)."""

    ARREARS = "arrears"
    CENTENARIAN = "centenarian"
    MONTHLY = "monthly"


class RunLine(Base):
    """One line paid by one run; money in fen (分)."""

    __tablename__ = "run_lines"
    __table_args__ = (
        Index("ix_run_lines_run_id_district_street", "run_id", "district", "street"),
        Index("ix_run_lines_run_id_kind", "run_id", "kind"),
        Index("ix_run_lines_run_id_payer", "run_id", "payer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"))
    # Not indexed: no query reads a person's lines, and each run writes ~100,000 (0005).
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id_number"))
    district: Mapped[str] = mapped_column(String(6))
    # Who pays it: the district, or ``military`` for a military cadre (第二十五条).
    payer: Mapped[str] = mapped_column(String(8))
    street: Mapped[str] = mapped_column(String(64))
    kind: Mapped[LineKind] = mapped_column(enum_type(LineKind, "kind"))
    for_month: Mapped[int]
    tier: Mapped[int]
    city_fen: Mapped[int]
    extra_fen: Mapped[int]
