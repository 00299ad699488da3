"""``accounts``: which participant holds which 营销户号 (electricity account) now.

An account belongs to at most one participant at a time (R1): a power user holds its own, an
aggregator its members'. A rejected enrolment releases its accounts (``released_at``) so they can
apply again; the partial unique index allows any number of released rows per account but only
one held row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzvpp.kit.db import Base

if TYPE_CHECKING:
    from gzvpp.models.aggregator_member import AggregatorMember
    from gzvpp.models.participant import Participant

HELD = text("released_at IS NULL")


class Account(Base):
    """One holding of a 营销户号, with the capability it brings and its grid location."""

    __tablename__ = "accounts"
    __table_args__ = (
        Index(
            "uq_accounts_account_id_held",
            "account_id",
            unique=True,
            sqlite_where=HELD,
            postgresql_where=HELD,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(32))
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    capability_kw: Mapped[Decimal]
    substation: Mapped[str] = mapped_column(String(64), index=True)
    feeder: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    released_at: Mapped[dt.datetime | None]

    participant: Mapped[Participant] = relationship(back_populates="accounts")
    member: Mapped[AggregatorMember | None] = relationship(back_populates="account", lazy="joined")
