"""Meter data upload throughput: a month of 15-minute loads for 1,000 accounts (2.88 M values).

Each database gets a fresh schema, 1,000 enrolled accounts (10 aggregators of 100 members), and
then, through the HTTP API in-process:

1. the month as Parquet (every value new),
2. the same file again (nothing changes, nothing is written),
3. a correction of one day for every account (96,000 values changed, each audited),
4. the month as CSV into a fresh month (every value new; CSV parsing costs more).

Prints values per second for each, and on PostgreSQL the size of ``meter_days`` with an
extrapolation to 350 million values (10,000 accounts for a year). Run it once, by hand::

    .venv/bin/python bench/upload.py [--accounts 1000] [--days 30] [--db sqlite postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import numpy as np
import polars as pl
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gzkit.clock import SimulatedClock
from gzkit.db import session_scope
from gzvpp.app import create_app
from gzvpp.kit.auth import create_user
from gzvpp.models import Role

POSTGRES_URL = os.environ.get(
    "GZVPP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MEMBERS = 100
TARGET_VALUES = 350_000_000


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A fresh SQLite file or PostgreSQL database, dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite'}"
        return
    server = make_url(POSTGRES_URL)
    name = f"gzvpp_bench_{uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def month_frame(accounts: list[str], first: dt.date, days: int, seed: int) -> pl.DataFrame:
    """``account_id,ts,kw`` for every account and interval of ``days`` days from ``first``."""
    start = dt.datetime.combine(first, dt.time())
    stamps = pl.datetime_range(
        start, start + dt.timedelta(days=days), "15m", closed="left", eager=True
    )
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "account_id": np.repeat(accounts, len(stamps)),
            "ts": pl.concat([stamps] * len(accounts)),
            "kw": np.round(rng.uniform(100, 2000, len(accounts) * len(stamps)), 1),
        }
    )


def enrol(
    client: TestClient, headers: dict[str, str], n_accounts: int, per_aggregator: int = MEMBERS
) -> list[str]:
    """Enrol aggregators of ``per_aggregator`` members holding ``n_accounts`` accounts; their
    account ids."""
    accounts = [f"08{i:010d}" for i in range(n_accounts)]
    for start in range(0, n_accounts, per_aggregator):
        members = [
            {
                "account_id": account,
                "member_name": "成员",
                "capability_kw": "100",
                "policy_compliant": True,
                "substation": "站",
                "feeder": "F",
            }
            for account in accounts[start : start + per_aggregator]
        ]
        response = client.post(
            "/api/participants",
            headers=headers,
            json={
                "kind": "aggregator",
                "name": f"聚合商 {start}",
                "general_taxpayer": True,
                "registered_in_guangzhou": True,
                "registered_capital_cny": "10000000",
                "member_list_on_file": True,
                "delegation_agreement_on_file": True,
                "members": members,
            },
        )
        response.raise_for_status()
    return accounts


def timed_upload(
    client: TestClient, headers: dict[str, str], path: Path, label: str, values: int
) -> None:
    started = time.perf_counter()
    with path.open("rb") as stream:
        response = client.post(
            "/api/meterdata/loads:upload", headers=headers, files={"file": (path.name, stream)}
        )
    seconds = time.perf_counter() - started
    response.raise_for_status()
    body = response.json()
    print(
        f"  {label:<34} {seconds:7.2f} s  {values / seconds:>11,.0f} values/s"
        f"   (new {body['new_values']:,}, changed {body['changed_values']:,},"
        f" unchanged {body['unchanged_values']:,})"
    )


def run(kind: str, n_accounts: int, n_days: int, folder: Path) -> None:
    first = dt.date(2025, 6, 1)
    with database(kind, folder) as url:
        # The clock stands after both months: the metering system sends ended intervals only.
        now = dt.datetime.combine(first + dt.timedelta(days=2 * n_days + 1), dt.time(9))
        app = create_app(database_url=url, clock=SimulatedClock(now))
        with session_scope(app.state.sessionmaker) as session:
            _, grid = create_user(
                session, name="bench", role=Role.GRID_OPERATOR, participant_id=None, at=now
            )
            _, metering = create_user(
                session, name="bench", role=Role.METERING, participant_id=None, at=now
            )
        headers = {"Authorization": f"Bearer {metering}"}
        client = TestClient(app)
        accounts = enrol(client, {"Authorization": f"Bearer {grid}"}, n_accounts)
        month = month_frame(accounts, first, n_days, seed=1)
        values = month.height
        parquet = folder / f"month-{kind}.parquet"
        month.write_parquet(parquet)
        correction = month.filter(pl.col("ts").dt.date() == first).with_columns(pl.col("kw") + 1)
        fix = folder / f"fix-{kind}.parquet"
        correction.write_parquet(fix)
        later = first + dt.timedelta(days=n_days)
        csv = folder / f"month-{kind}.csv"
        month_frame(accounts, later, n_days, seed=2).with_columns(
            pl.col("ts").dt.strftime("%Y-%m-%d %H:%M")
        ).write_csv(csv)

        print(f"{kind}: {n_accounts:,} accounts × {n_days} days = {values:,} values")
        timed_upload(client, headers, parquet, "month, Parquet, all new", values)
        timed_upload(client, headers, parquet, "same month again, unchanged", values)
        timed_upload(client, headers, fix, "one day corrected, all changed", correction.height)
        timed_upload(client, headers, csv, "next month, CSV, all new", values)

        engine = app.state.engine
        # Autocommit: VACUUM and the WAL checkpoint cannot run inside a transaction.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            rows = connection.execute(text("SELECT count(*) FROM meter_days")).scalar_one()
            if kind == "postgresql":
                connection.execute(text("VACUUM ANALYZE meter_days"))
                # meter_days is partitioned by month: its bytes are its partitions'.
                total = connection.execute(
                    text(
                        "SELECT sum(pg_total_relation_size(inhrelid))::bigint FROM pg_inherits"
                        " WHERE inhparent = 'meter_days'::regclass"
                    )
                ).scalar_one()
                heap = connection.execute(
                    text(
                        "SELECT sum(pg_relation_size(inhrelid))::bigint FROM pg_inherits"
                        " WHERE inhparent = 'meter_days'::regclass"
                    )
                ).scalar_one()
                per_row = total / rows
                target_rows = TARGET_VALUES / 96
                print(
                    f"  meter_days: {rows:,} rows, {total / 2**20:,.1f} MiB in all "
                    f"(table {heap / 2**20:,.1f} MiB, rest indexes/TOAST), "
                    f"{per_row:,.0f} bytes per day row"
                )
                print(
                    f"  350 M values = {target_rows / 1e6:,.2f} M day rows ≈ "
                    f"{per_row * target_rows / 2**30:,.2f} GiB"
                )
            else:
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
                size = Path(make_url(url).database or "").stat().st_size
                print(f"  SQLite file: {size / 2**20:,.1f} MiB for {rows:,} day rows")
        client.close()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gzvpp-bench-") as folder:
        for kind in args.db:
            run(kind, args.accounts, args.days, Path(folder))


if __name__ == "__main__":
    main()
