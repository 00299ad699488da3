"""Throughput of an invitation with many bidders, through the service functions.

Enrols N power users (default 2,000) with 60 days of 15-minute meter data each, publishes one
day-ahead invitation to all of them, takes one bid from each (one transaction per bid, as over
HTTP), then times the scheduler's ranking and plan notification of the N bids — baselines
included — and counts the SQL statements it sends. ``--repeat`` ranks the same bids again on
fresh copies of the database (a file copy on SQLite, a template database on PostgreSQL) and
prints every time and the median, since the machine may be shared. The bids arrive spread
over the two hours bidding is open (a second apart up to 7,000 bidders). ``--reuse`` ranks
the bids of an earlier run's ``--db`` or ``--database-url`` again, without its setup (20,000
bidders take several minutes to enrol and bid). On PostgreSQL the setup ends with ANALYZE, as
autovacuum would. A measurement, not a test: it prints the
figures and asserts nothing about them.

    .venv/bin/python bench/ranking.py [--participants 2000] [--repeat 3] [--profile out.prof]
        [--db /tmp/ranking.sqlite | --database-url postgresql+psycopg://…/an_empty_db]
        [--reuse]
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

import enrolment
from enrolment import GRID
from gzkit.db import count_statements, make_sessionmaker, session_scope
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.events import schemas as event_schemas
from gzvpp.events.scheduler import run_due
from gzvpp.events.service import event_service
from gzvpp.kit.auth import Actor
from gzvpp.kit.db import make_engine, upgrade
from gzvpp.meterdata.repository import encode_day, save_days
from gzvpp.models import Award, Bid, Event, MeterDay, Notification, Role
from gzvpp.serving import tune_gc

RESPONSE_DAY = dt.date(2025, 7, 1)
EVE = dt.datetime(2025, 6, 30)
BATCH = 200
BIDDING_SECONDS = 7000  # of the 7,200 between 09:00 and the 11:00 close


def enrol(
    factory: sessionmaker[Session], count: int, meter_days: int, rng: np.random.Generator
) -> list[str]:
    """Enrol and activate ``count`` power users; store ``meter_days`` of loads for each."""
    ids: list[str] = []
    accounts: list[str] = []
    at = EVE - dt.timedelta(days=90)
    for start in range(0, count, BATCH):
        with session_scope(factory) as session:
            for i in range(start, min(start + BATCH, count)):
                application = enrolment.power_user(
                    f"用户{i:05d}",
                    f"0300{i:08d}",
                    substation=f"站{i % 50:02d}",
                    feeder=f"F{i % 7}",
                    realtime_kw="500" if i % 4 == 0 else None,
                )
                ids.append(enrolment.activate(session, at, application))
                accounts.append(f"0300{i:08d}")
    days = [RESPONSE_DAY - dt.timedelta(days=k) for k in range(2, 2 + meter_days)]
    for start in range(0, len(accounts), BATCH):
        rows = [
            {
                "account_id": account,
                "day": day,
                "kw": encode_day(rng.uniform(2000, 4000, INTERVALS_PER_DAY)),
                "updated_at": at,
            }
            for account in accounts[start : start + BATCH]
            for day in days
        ]
        with session_scope(factory) as session:
            save_days(session, MeterDay, rows, [])  # adds the months' partitions on PostgreSQL
    return ids


class Copies:
    """Fresh copies of the database as it stands after bidding, one per ranking run."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.made: list[str] = []

    def make(self, n: int) -> str:
        if self.url.get_backend_name() == "sqlite":
            assert self.url.database is not None
            copy = f"{self.url.database}.run{n}"
            shutil.copyfile(self.url.database, copy)
            self.made.append(copy)
            return self.url.set(database=copy).render_as_string(hide_password=False)
        name = f"{self.url.database}_run{n}"
        with self._admin() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.url.database}"'))
        self.made.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self.url.get_backend_name() == "sqlite":
            for copy in self.made:
                Path(copy).unlink(missing_ok=True)
            return
        with self._admin() as connection:
            for name in self.made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    @contextmanager
    def _admin(self) -> Iterator[Any]:
        admin = create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                yield connection
        finally:
            admin.dispose()


def rank(url: str, profile: Path | None) -> tuple[float, float, int, list[str]]:
    """Run the scheduler at bidding close on ``url``: seconds, CPU seconds of this process,
    statements, what it did."""
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    profiler = cProfile.Profile() if profile else None
    with count_statements(engine) as statements:
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        actions = run_due(factory, EVE.replace(hour=11))
        if profiler:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if profiler and profile:
        profiler.dump_stats(profile)
    engine.dispose()
    return elapsed, cpu, statements[0], actions


def prepare(factory: sessionmaker[Session], participants: int, meter_days: int) -> str:
    """Enrol the bidders, publish the invitation and take a bid from each; the event's id."""
    rng = np.random.default_rng(7)
    shuffle = random.Random(7)
    started = time.perf_counter()
    ids = enrol(factory, participants, meter_days, rng)
    setup = time.perf_counter() - started

    # Demand such that about 90 % of the 500 kW bids fill the 150 % reserve.
    demand = Decimal(participants * 500 * 9 // 10) / Decimal("1.5")
    request = event_schemas.EventCreate.model_validate(
        {
            "direction": "peak",
            "mode": "day_ahead",
            "start_at": "2025-07-01T14:00:00",
            "end_at": "2025-07-01T16:00:00",
            "demand_kw": str(demand.quantize(Decimal("0.001"))),
            "price_mode": "bidding",
        }
    )
    started = time.perf_counter()
    with session_scope(factory) as session:
        event_id = event_service.create(session, GRID, EVE.replace(hour=8), request).id
    publish = time.perf_counter() - started

    order = list(enumerate(ids))
    shuffle.shuffle(order)
    # Bids are open from 09:00 to 11:00: a second apart, closer when there are more bidders.
    step = dt.timedelta(seconds=min(1.0, BIDDING_SECONDS / participants))
    started = time.perf_counter()
    for n, (i, pid) in enumerate(order):
        actor = Actor(1000 + i, f"用户{i:05d}", Role.POWER_USER, pid)
        price = Decimal(shuffle.randrange(100, 500)) / 100
        with session_scope(factory) as session:
            event_service.submit_bid(
                session,
                actor,
                EVE.replace(hour=9) + n * step,
                event_id,
                kw=Decimal(500),
                price=price,
            )
    bidding = time.perf_counter() - started
    n = participants
    print(f"setup ({n} users, {meter_days} meter days each) {setup:8.2f} s")
    print(f"publish: {n} invitations with baselines  {publish:8.2f} s")
    print(f"bids: {n} transactions           {bidding:8.2f} s ({n / bidding:.0f} bids/s)")
    return event_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--meter-days", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=1, help="ranking runs (median printed)")
    parser.add_argument("--profile", type=Path, help="write the first run's cProfile stats here")
    parser.add_argument(
        "--reuse", action="store_true", help="rank the bids already in --db / --database-url"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    where.add_argument("--database-url", help="an empty database, e.g. on PostgreSQL")
    args = parser.parse_args()
    tune_gc()  # as every process of gzvpp serve, where the scheduler ranks, does
    if args.reuse and not (args.db or args.database_url):
        parser.error("--reuse needs --db or --database-url")
    if args.database_url:
        url = args.database_url
    else:
        path = args.db or Path(tempfile.mkdtemp()) / "ranking.sqlite"
        if not args.reuse:
            path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    print(f"database                     {make_url(url).render_as_string()}")
    if args.reuse:
        engine = make_engine(url)
        with session_scope(make_sessionmaker(engine)) as session:
            event_id = session.scalars(select(Event.id)).one()
            bids = session.scalar(select(func.count()).where(Bid.event_id == event_id))
        engine.dispose()
        print(f"reused: {bids} bids for {event_id}")
    else:
        upgrade(url)
        engine = make_engine(url)
        event_id = prepare(make_sessionmaker(engine), args.participants, args.meter_days)
        bids = args.participants
        if engine.dialect.name == "postgresql":
            # Planner statistics, as autovacuum would gather them: without any, PostgreSQL
            # reads the meter data of a page of accounts through the day index, every
            # account's rows of those days for each page (20,000 bidders: 12.9 s, not 9.2 s).
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        engine.dispose()

    copies = Copies(url)
    times: list[float] = []
    cpus: list[float] = []
    try:
        for run in range(args.repeat):
            copy = copies.make(run)
            elapsed, cpu, statements, actions = rank(copy, args.profile if run == 0 else None)
            times.append(elapsed)
            cpus.append(cpu)
        engine = make_engine(copy)
        with session_scope(make_sessionmaker(engine)) as session:
            awards = session.scalar(select(func.count()).where(Award.event_id == event_id))
            baselines = session.scalar(
                select(func.count()).where(Award.event_id == event_id, Award.baseline.is_not(None))
            )
            plans = session.scalar(
                select(func.count()).where(
                    Notification.event_id == event_id, Notification.kind == "plan"
                )
            )
        engine.dispose()
    finally:
        copies.drop()
    runs = " ".join(f"{t:.2f}" for t in times)
    print(f"ranking + plan of {bids} bids       {statistics.median(times):8.2f} s median ({runs})")
    # On a shared machine the CPU time says more than the wall time; on PostgreSQL the
    # server's own work is not in it.
    runs = " ".join(f"{t:.2f}" for t in cpus)
    print(f"  CPU of this process            {statistics.median(cpus):8.2f} s median ({runs})")
    print(f"  SQL statements per ranking     {statements:8d} ({statements / bids:.4f} per bid)")
    print(f"  {actions}")
    print(f"  awards {awards}, with a baseline {baselines}, plan notifications {plans}")


if __name__ == "__main__":
    main()
