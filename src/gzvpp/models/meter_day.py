"""``meter_days`` and ``system_load_days``: 15-minute data, one row per series and day.

A day's 96 interval values are one binary column (little-endian float64, NaN where no reading)
rather than 96 rows: a year for 10,000 accounts is 3.65 million rows of 768 bytes (about 3 GB on
PostgreSQL) instead of 350 million rows, and a cube for an evaluation reads back with one indexed
range scan and ``numpy.frombuffer``. See docs/architecture.md.

On PostgreSQL ``meter_days`` is partitioned by month (migration 0010,
:mod:`gzvpp.meterdata.partitions`; docs/scale.md); the primary key holds ``day``, as a
partitioned table's keys must.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gzvpp.kit.db import Base


class MeterDay(Base):
    """Loads of one account (营销户号) on one day, kW per interval."""

    __tablename__ = "meter_days"
    __table_args__ = ({"postgresql_partition_by": "RANGE (day)"},)

    account_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[dt.date] = mapped_column(primary_key=True, index=True)
    kw: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime]


class SystemLoadDay(Base):
    """Guangzhou system load (广州统调负荷) on one day, MW per interval."""

    __tablename__ = "system_load_days"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    mw: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[dt.datetime]
