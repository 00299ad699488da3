"""Meter data at scale on PostgreSQL: bytes per account-day and upload throughput (docs/scale.md).

For each account count (default 10,000 and 100,000): a fresh PostgreSQL database with that many
enrolled accounts (aggregators of 1,000 members), then a few days of 15-minute loads uploaded
one Parquet file per day through the HTTP upload path in-process (every value new, the first
day adding the month's partition of ``meter_days``). Prints account-days per second per upload
and, after ``VACUUM ANALYZE``, the bytes per account-day over the partitions (table, indexes,
TOAST), projected to 1,000,000 accounts × 400 days; then archives the month to Parquet
(``gzvpp db archive-month``) and prints its speed and the file's bytes per account-day. Run it
by hand, when the machine is quiet::

    make bench-meter-storage            # 10k and 100k accounts × 3 days
    .venv/bin/python bench/meter_storage.py --accounts 10000 --days 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from gzkit.clock import SimulatedClock
from gzkit.db import session_scope
from gzvpp.app import create_app
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.kit.auth import create_user
from gzvpp.meterdata import partitions
from gzvpp.meterdata.archive import archive_month
from gzvpp.models import Role
from upload import database, enrol, month_frame

FIRST_DAY = dt.date(2025, 6, 1)
MEMBERS = 1000
PROJECTED_ACCOUNTS = 1_000_000
PROJECTED_DAYS = 400
PARTS = (
    ("table", "pg_relation_size(i.inhrelid)"),
    ("indexes", "pg_indexes_size(i.inhrelid)"),
    ("TOAST", "coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0)"),
)


def run(n_accounts: int, n_days: int, folder: Path) -> None:
    with database("postgresql", folder) as url:
        now = dt.datetime.combine(FIRST_DAY + dt.timedelta(days=n_days + 1), dt.time(9))
        app = create_app(database_url=url, clock=SimulatedClock(now))
        with session_scope(app.state.sessionmaker) as session:
            _, grid = create_user(
                session, name="bench", role=Role.GRID_OPERATOR, participant_id=None, at=now
            )
            _, metering = create_user(
                session, name="bench", role=Role.METERING, participant_id=None, at=now
            )
        client = TestClient(app)
        started = time.perf_counter()
        accounts = enrol(client, {"Authorization": f"Bearer {grid}"}, n_accounts, MEMBERS)
        print(
            f"{n_accounts:,} accounts × {n_days} days "
            f"(enrolled in {time.perf_counter() - started:.0f} s)"
        )
        total_seconds = 0.0
        for n in range(n_days):
            day = FIRST_DAY + dt.timedelta(days=n)
            path = folder / f"{n_accounts}-{day}.parquet"
            month_frame(accounts, day, 1, seed=n).write_parquet(path)
            started = time.perf_counter()
            with path.open("rb") as stream:
                response = client.post(
                    "/api/meterdata/loads:upload",
                    headers={"Authorization": f"Bearer {metering}"},
                    files={"file": (path.name, stream)},
                )
            seconds = time.perf_counter() - started
            response.raise_for_status()
            assert response.json()["new_values"] == n_accounts * INTERVALS_PER_DAY
            total_seconds += seconds
            path.unlink()
            print(f"  upload {day}: {seconds:6.1f} s  {n_accounts / seconds:>9,.0f} account-days/s")
        rate = n_accounts * n_days / total_seconds
        print(f"  all uploads: {rate:,.0f} account-days/s")
        with app.state.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(text("VACUUM ANALYZE meter_days"))
            rows = connection.execute(text("SELECT count(*) FROM meter_days")).scalar_one()
            sizes = {
                name: connection.execute(
                    text(
                        f"SELECT coalesce(sum({expression}), 0) FROM pg_inherits i"
                        " JOIN pg_class c ON c.oid = i.inhrelid"
                        f" WHERE i.inhparent = '{partitions.TABLE}'::regclass"
                    )
                ).scalar_one()
                for name, expression in PARTS
            }
        with session_scope(app.state.sessionmaker) as session:
            total = partitions.total_bytes(session)
        per_day = total / rows
        print(
            f"  meter_days: {rows:,} account-days, {total / 2**20:,.1f} MiB = "
            f"{per_day:,.0f} B per account-day ("
            + ", ".join(f"{name} {size / rows:,.0f} B" for name, size in sizes.items())
            + ")"
        )
        projected = PROJECTED_ACCOUNTS * PROJECTED_DAYS
        print(
            f"  projected {PROJECTED_ACCOUNTS:,} accounts × {PROJECTED_DAYS} days: "
            f"{per_day * projected / 2**30:,.0f} GiB; one day of {PROJECTED_ACCOUNTS:,} "
            f"accounts uploads in {PROJECTED_ACCOUNTS / rate / 60:,.1f} min at this rate"
        )
        started = time.perf_counter()
        month_over = dt.datetime.combine(partitions.next_month(FIRST_DAY), dt.time(9))
        archived = archive_month(app.state.engine, FIRST_DAY, folder / "archive", month_over)
        seconds = time.perf_counter() - started
        size = archived.path.stat().st_size
        print(
            f"  archive-month {FIRST_DAY:%Y-%m}: {seconds:.1f} s, "
            f"{archived.account_days / seconds:,.0f} account-days/s; Parquet "
            f"{size / 2**20:,.1f} MiB = {size / archived.account_days:,.0f} B per account-day"
        )
        archived.path.unlink()
        client.close()
        app.state.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gzvpp-bench-") as folder:
        for n_accounts in args.accounts:
            run(n_accounts, args.days, Path(folder))


if __name__ == "__main__":
    main()
