"""Throughput of an invitation with many bidders, through the service functions on SQLite.

Enrols N power users (default 2,000) with 60 days of 15-minute meter data each, publishes one
day-ahead invitation to all of them, takes one bid from each (one transaction per bid, as over
HTTP), then times the scheduler's ranking and plan notification of the N bids — baselines
included. A measurement, not a test: it prints the times and asserts nothing about them.

    .venv/bin/python bench/ranking.py [--participants 2000] [--db /tmp/ranking.sqlite]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.events import schemas as event_schemas
from gzvpp.events.service import event_service
from gzvpp.kit.auth import Actor
from gzvpp.kit.db import make_engine, make_sessionmaker, session_scope, upgrade
from gzvpp.kit.policy import PUBLICITY_ENV
from gzvpp.meterdata.repository import encode_day
from gzvpp.models import Award, MeterDay, Notification, Role
from gzvpp.participants import schemas as participant_schemas
from gzvpp.participants.service import participant_service
from gzvpp.scheduler import run_due

# The benchmark takes its applications through 公示 at once.
os.environ.setdefault(PUBLICITY_ENV, "0")

RESPONSE_DAY = dt.date(2025, 7, 1)
EVE = dt.datetime(2025, 6, 30)
GRID = Actor(1, "bench grid operator", Role.GRID_OPERATOR, None)
REGULATOR = Actor(2, "bench regulator", Role.REGULATOR, None)
BATCH = 200


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
                realtime = i % 4 == 0
                application = participant_schemas.PowerUserCreate.model_validate(
                    {
                        "kind": "user",
                        "name": f"用户{i:05d}",
                        "account_id": f"0300{i:08d}",
                        "general_taxpayer": True,
                        "policy_compliant": True,
                        "category": "large_industry",
                        "capability_kw": "800",
                        "max_load_kw": "5000",
                        "response_duration_min": 60,
                        "realtime_capable": realtime,
                        "minute_monitoring": realtime,
                        "realtime_capability_kw": "500" if realtime else None,
                        "substation": f"站{i % 50:02d}",
                        "feeder": f"F{i % 7}",
                    }
                )
                pid = participant_service.enrol(session, GRID, at, application).id
                participant_service.start_review(session, GRID, at, pid)
                participant_service.pass_review(session, GRID, at, pid)
                participant_service.clear_publicity(session, REGULATOR, at, pid)
                participant_service.activate(session, GRID, at, pid)
                ids.append(pid)
                accounts.append(f"0300{i:08d}")
    days = [RESPONSE_DAY - dt.timedelta(days=k) for k in range(2, 2 + meter_days)]
    for start in range(0, len(accounts), BATCH):
        with session_scope(factory) as session:
            session.add_all(
                MeterDay(
                    account_id=account,
                    day=day,
                    kw=encode_day(rng.uniform(2000, 4000, INTERVALS_PER_DAY)),
                    updated_at=at,
                )
                for account in accounts[start : start + BATCH]
                for day in days
            )
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--meter-days", type=int, default=60)
    parser.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "ranking.sqlite"
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    rng = np.random.default_rng(7)
    shuffle = random.Random(7)

    started = time.perf_counter()
    ids = enrol(factory, args.participants, args.meter_days, rng)
    setup = time.perf_counter() - started

    # Demand such that about 90 % of the 500 kW bids fill the 150 % reserve.
    demand = Decimal(args.participants * 500 * 9 // 10) / Decimal("1.5")
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
    started = time.perf_counter()
    for n, (i, pid) in enumerate(order):
        actor = Actor(1000 + i, f"用户{i:05d}", Role.POWER_USER, pid)
        received = EVE.replace(hour=9) + dt.timedelta(seconds=n)
        price = Decimal(shuffle.randrange(100, 500)) / 100
        with session_scope(factory) as session:
            event_service.submit_bid(
                session, actor, received, event_id, kw=Decimal(500), price=price
            )
    bidding = time.perf_counter() - started

    started = time.perf_counter()
    actions = run_due(factory, EVE.replace(hour=11))
    ranking = time.perf_counter() - started

    with session_scope(factory) as session:
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
    n = args.participants
    print(f"database                     {path}")
    print(f"setup ({n} users, {args.meter_days} meter days each) {setup:8.2f} s")
    print(f"publish: {n} invitations with baselines  {publish:8.2f} s")
    print(f"bids: {n} transactions           {bidding:8.2f} s ({n / bidding:.0f} bids/s)")
    print(f"ranking + plan of {n} bids       {ranking:8.2f} s")
    print(f"  {actions}")
    print(f"  awards {awards}, with a baseline {baselines}, plan notifications {plans}")


if __name__ == "__main__":
    main()
