"""``payers``: the account each payer pays from (第十三条, 第二十五条): a district's allowance
account or the military channel's. A payer without a row has no account configured, and its
bank file cannot be written."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gzlongevity.kit.db import Base


class Payer(Base):
    """One payer's account (the code is a district code or ``military``)."""

    __tablename__ = "payers"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    account_name: Mapped[str] = mapped_column(String(200))
    account_number: Mapped[str] = mapped_column(String(32))
    bank: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(200))
