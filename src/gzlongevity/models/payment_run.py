"""``payment_runs``: the monthly run (第十三条, L5): computed from what the database holds on
the run day; each payer's list may be recomputed until that payer approves it, and is then
locked."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class RunStatus(StrEnum):
    """Computed (some payer's list may still be recomputed), approved by every payer."""

    COMPUTED = "computed"
    APPROVED = "approved"


class PaymentRun(Base):
    """One month's run."""

    __tablename__ = "payment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[int] = mapped_column(unique=True)  # month number, year * 12 + month - 1
    run_date: Mapped[dt.date]  # the data seen: known by this day (L5)
    status: Mapped[RunStatus] = mapped_column(enum_type(RunStatus, "status"))
    computed_at: Mapped[dt.datetime]
    computed_by: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    lines: Mapped[int] = mapped_column(default=0)
    amount_fen: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)  # lines withheld after a failed check
    # Lines, fen and lines held by payer, kept when computed: every progress view reads them.
    payer_totals: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    # The payers whose previous month was not approved when this run was computed: their list
    # is empty until they approve it and the run is computed again.
    waiting: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The streets of each district with exceptions to review (arrears, 100+, overpayments).
    exception_streets: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
