"""``aggregator_members``: the users an aggregator represents (代理用户明细, 第四条 (二) 3).

Each member is one of the aggregator's accounts; its capability and grid location are on that
account, and the member's own name and policy compliance are here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzvpp.kit.db import Base

if TYPE_CHECKING:
    from gzvpp.models.account import Account


class AggregatorMember(Base):
    """A member user of an aggregator, by the account the aggregator holds for it."""

    __tablename__ = "aggregator_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    aggregator_id: Mapped[str] = mapped_column(ForeignKey("participants.id"), index=True)
    account_pk: Mapped[int] = mapped_column(ForeignKey("accounts.id"), unique=True)
    member_name: Mapped[str] = mapped_column(String(200))
    policy_compliant: Mapped[bool]

    account: Mapped[Account] = relationship(back_populates="member")
