"""``officers``: the people and systems that use the longevity system, each with one role and
a jurisdiction (第六条, 第七条, 第二十一条, 第二十五条)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzlongevity.kit.db import Base


class Role(StrEnum):
    """Who acts (L8)."""

    CITY = "city"  # 市民政局: the system, data sharing, oversight and statistics
    DISTRICT = "district"  # 区民政局: approves its district's monthly list, recovery orders
    STREET = "street"  # 街(镇): notices, confirmations, changes, checks, overpayment notices
    COMMITTEE = "committee"  # 村(居)委: helps elders confirm, sees only what it needs
    MILITARY = "military"  # 退役军人事务部门: the cadres' own payer (第二十五条)
    FINANCE = "finance"  # 财政: funding, read only
    AUDIT = "audit"  # 审计: read only
    EXCHANGE = "exchange"  # the data-sharing exchange platform: sends feeds only

    @property
    def needs_district(self) -> bool:
        """Roles tied to one district (and street, for the street and committee)."""
        return self in (Role.DISTRICT, Role.STREET, Role.COMMITTEE)

    @property
    def needs_street(self) -> bool:
        """Roles tied to one street."""
        return self in (Role.STREET, Role.COMMITTEE)

    @property
    def read_only(self) -> bool:
        """Finance and audit look, never change (L8)."""
        return self in (Role.FINANCE, Role.AUDIT)


class Officer(Base):
    """A user: its role, and its district and street where the role has one."""

    __tablename__ = "officers"
    __table_args__ = (
        Index(
            "uq_officers_name_password",
            "name",
            unique=True,
            sqlite_where=text("password_hash IS NOT NULL"),
            postgresql_where=text("password_hash IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    district: Mapped[str | None] = mapped_column(String(6), default=None)
    street: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[dt.datetime]
    disabled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    # Wrong passwords in a row; at the limit the account is locked until ``locked_until``.
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
