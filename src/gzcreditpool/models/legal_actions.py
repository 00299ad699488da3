"""``legal_actions``: a bank's lawsuits, arbitrations and enforcement filings on a loan with
their documents (第十六条)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from gzcreditpool.kit.db import Base
from gzcreditpool.models.enums import LegalKind
from gzkit.db import enum_type


class LegalAction(Base):
    __tablename__ = "legal_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    kind: Mapped[LegalKind] = mapped_column(enum_type(LegalKind, "legal_kind"))
    case_no: Mapped[str] = mapped_column(String(100))
    effective_on: Mapped[dt.date]
    document_name: Mapped[str | None] = mapped_column(String(200))
    document: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    recorded_at: Mapped[dt.datetime]
