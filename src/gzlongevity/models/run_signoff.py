"""``run_signoffs``: a street's review of its exceptions, or a payer's approval of its list of
a run (a district, or the military channel, 第二十五条)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gzlongevity.kit.db import Base


class RunSignoff(Base):
    """A street's review (``street`` set) or a payer's approval (``street`` empty; ``district``
    the payer's code, a district code or ``military``)."""

    __tablename__ = "run_signoffs"
    __table_args__ = (UniqueConstraint("run_id", "district", "street"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payment_runs.id"), index=True)
    district: Mapped[str] = mapped_column(String(8))
    street: Mapped[str] = mapped_column(String(64))  # "" for the district's approval
    at: Mapped[dt.datetime]
    officer: Mapped[str] = mapped_column(String(200))
