"""``policy_versions``: the rule versions loans are registered under (C10; 第三十一条,
第三十二条): this policy, 穗科规字〔2021〕2号 (code ``2021``), and the earlier policies 市科技局
carries loans in under (``earlier``: their claims are handled under that policy, not here)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gzcreditpool.kit.db import Base


class PolicyVersion(Base):
    __tablename__ = "policy_versions"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    earlier: Mapped[bool]
