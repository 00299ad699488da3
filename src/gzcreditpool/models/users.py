"""``users``: people and programs using the pool, each with one role; a bank's users belong
to their bank."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gzcreditpool.kit.db import Base
from gzcreditpool.models.enums import Role
from gzkit.db import enum_type


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("banks.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    disabled_at: Mapped[dt.datetime | None]
    # Wrong passwords in a row, and the end of the lock they caused (kit.auth.sign_in).
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None]
