"""The monthly partitions of ``meter_days`` on PostgreSQL: SQL to list, add, detach and drop them.

On PostgreSQL ``meter_days`` is partitioned by RANGE (day), one partition per calendar month
named ``meter_days_YYYY_MM`` (migration 0010). A month's partition is added by the first write
into it (:func:`ensure_months`, called by every write of day rows), so there is no default
partition to catch strays and no month is created ahead of its data. An old month can be
detached and archived to Parquet (:mod:`gzvpp.meterdata.archive`).

A partition is added as a plain table, then attached: ``ALTER TABLE … ATTACH PARTITION`` takes
only a SHARE UPDATE EXCLUSIVE lock on ``meter_days``, which uploads and reads in flight do not
block, whereas ``CREATE TABLE … PARTITION OF`` would wait for all of them (ACCESS EXCLUSIVE).
Additions and detachments wait their turn on one advisory lock
(:data:`~gzkit.advisory.Lock.METER_PARTITIONS`), so two uploads into a new month never
race on CREATE TABLE.

SQLite keeps one plain table: every function here does nothing there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from gzkit.advisory import transaction_lock
from gzkit.errors import Conflict
from gzvpp.kit.locks import Lock

TABLE = "meter_days"
# How long detaching waits for the uploads and reads in flight (it needs ACCESS EXCLUSIVE on
# meter_days, and every query after it queues behind it meanwhile).
DETACH_LOCK_TIMEOUT = "10s"


def is_partitioned(session: Session) -> bool:
    """Whether ``meter_days`` is a partitioned table here (PostgreSQL after migration 0010)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    kind = session.scalar(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"), {"t": TABLE}
    )
    return bool(kind == "p")


def month_of(day: dt.date) -> dt.date:
    """The first day of ``day``'s month: the key of its partition."""
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    """The first day of the month after ``month``."""
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(month: dt.date) -> str:
    """``meter_days_YYYY_MM``."""
    return f"{TABLE}_{month:%Y_%m}"


def attached(session: Session) -> dict[str, dt.date]:
    """The months with a partition attached to ``meter_days``, by partition name."""
    names = session.scalars(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = to_regclass(:t)"
        ),
        {"t": TABLE},
    )
    return {name: dt.datetime.strptime(name[-7:], "%Y_%m").date() for name in names}


def table_exists(session: Session, name: str) -> bool:
    """Whether a table ``name`` exists (attached or not)."""
    return session.scalar(text("SELECT to_regclass(:n) IS NOT NULL"), {"n": name}) is True


def ensure_months(session: Session, days: Iterable[dt.date]) -> None:
    """Attach a partition for every month of ``days`` that has none, in ``session``'s
    transaction (an upload that fails takes its new months back with it).

    Raises
    ------
    Conflict
        A month whose partition is detached for archiving right now.
    """
    if not is_partitioned(session):
        return
    months = {month_of(day) for day in days}
    if not months - set(attached(session).values()):
        return
    transaction_lock(session, Lock.METER_PARTITIONS)
    # This transaction fills partitions that start empty. A generic plan cached while one was
    # nearly empty (a sequential scan) would be reused as it grows, making each lookup of an
    # upload scan all the rows written before it: plan every statement for its parameters.
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    for month in sorted(months - set(attached(session).values())):  # again, under the lock
        name = partition_name(month)
        if table_exists(session, name):
            raise Conflict(
                f"{month:%Y-%m} 的计量数据正在归档，归档结束后方可上传该月数据 / the meter data "
                f"of {month:%Y-%m} is being archived; upload that month once the archive is done"
            )
        create(session, month)


def create(database: Session | Connection, month: dt.date) -> None:
    """Add an empty partition for ``month`` (the migration calls this too, on a connection)."""
    database.execute(
        text(
            f"CREATE TABLE {partition_name(month)}"
            f" (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
    )
    attach(database, month)


def attach(database: Session | Connection, month: dt.date) -> None:
    """Attach the table ``meter_days_YYYY_MM`` as ``month``'s partition."""
    database.execute(
        text(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {partition_name(month)}"
            f" FOR VALUES FROM ('{month.isoformat()}') TO ('{next_month(month).isoformat()}')"
        )
    )


def detach(session: Session, month: dt.date) -> None:
    """Detach ``month``'s partition, leaving it a table of its own under the same name;
    waits at most :data:`DETACH_LOCK_TIMEOUT` for the queries in flight."""
    session.execute(text(f"SET LOCAL lock_timeout = '{DETACH_LOCK_TIMEOUT}'"))
    session.execute(text(f"ALTER TABLE {TABLE} DETACH PARTITION {partition_name(month)}"))


def drop(session: Session, month: dt.date) -> None:
    """Drop the detached table of ``month``."""
    session.execute(text(f"DROP TABLE {partition_name(month)}"))


def total_bytes(session: Session) -> int:
    """Bytes on disk of every partition of ``meter_days``: table, indexes and TOAST."""
    size = session.scalar(
        text(
            "SELECT coalesce(sum(pg_total_relation_size(i.inhrelid)), 0) FROM pg_inherits i"
            " WHERE i.inhparent = to_regclass(:t)"
        ),
        {"t": TABLE},
    )
    return int(size or 0)
