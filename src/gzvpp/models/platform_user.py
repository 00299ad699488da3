"""``platform_users``: the people and systems that call the API, each with one role.

A person may also hold a password for the console's sign-in (stored only as its Argon2id hash,
:mod:`gzvpp.accounts.passwords`); its name is then the account name, unique among the users
that hold one.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from gzkit.db import enum_type
from gzvpp.kit.db import Base


class Role(StrEnum):
    """Who is calling (第三条, 第六条)."""

    GRID_OPERATOR = "grid_operator"  # 广州供电局: runs the platform, reviews, signs agreements
    REGULATOR = "regulator"  # 市工信局: publicity (公示) and oversight
    AGGREGATOR = "aggregator"  # 负荷聚合商, sees only its own participant
    POWER_USER = "power_user"  # 电力用户, sees only its own participant
    # 计量自动化系统: the grid company's metering system, a service identity that only sends the
    # settlement meter data (第九条: 负荷数据来源于用户计量自动化系统)
    METERING = "metering"

    @property
    def participant_scoped(self) -> bool:
        """True for the roles tied to one participant."""
        return self in (Role.AGGREGATOR, Role.POWER_USER)


class PlatformUser(Base):
    """A user of the platform. Aggregator and power-user accounts name their participant.

    A disabled user (``disabled_at`` set) keeps its rows for the audit trail, but none of its
    tokens is accepted until it is enabled again.
    """

    __tablename__ = "platform_users"
    __table_args__ = (
        CheckConstraint(
            "(role IN ('aggregator', 'power_user')) = (participant_id IS NOT NULL)",
            name="participant_iff_scoped",
        ),
        # The account name signs in: one holder of a password per name.
        Index(
            "uq_platform_users_name_password",
            "name",
            unique=True,
            sqlite_where=text("password_hash IS NOT NULL"),
            postgresql_where=text("password_hash IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    participant_id: Mapped[str | None] = mapped_column(
        ForeignKey("participants.id"), index=True, default=None
    )
    created_at: Mapped[dt.datetime]
    disabled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The console sign-in's password (an Argon2id hash in PHC form); None: tokens only.
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    password_set_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Failed password sign-ins since the last success or lockout; at the policy's limit the
    # account is locked until ``locked_until`` (kept here so every process sees it).
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
