"""Scenarios for the meter data, results and settlement tests.

Participants are enrolled and activated through the participants API; events and their awards
are written straight into the database (the events domain is built separately and is not needed
to evaluate); meter data is generated with numpy and uploaded as CSV, Parquet or JSON.

The system load is one fixed series for every test (20,000 MW, 22,000 MW on the days in
``HIGH_SYSTEM_DAYS``), so uploads from different tests of a module never change each other's
days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import numpy as np
import polars as pl
from service_api import Api
from sqlalchemy import select

from gzvpp.core.grid import INTERVALS_PER_DAY, Window
from gzvpp.core.model import Award as EngineAward
from gzvpp.core.model import Direction, Mode, ParticipantKind
from gzvpp.core.model import Event as EngineEvent
from gzvpp.core.model import Participant as EngineParticipant
from gzvpp.core.timeseries import FloatArray, IntervalCube, date_of, day_number
from gzvpp.meterdata.repository import encode_day
from gzvpp.models import Award, Event, EventStatus, PriceMode, Role, SystemLoadDay

SYSTEM_MW = 20_000.0
HIGH_SYSTEM_MW = 22_000.0
# Response days on which the system load runs 10 % high, so the intraday factor (R5) is 1.1.
HIGH_SYSTEM_DAYS = frozenset(
    {dt.date(2025, 7, 15), dt.date(2025, 7, 22), dt.date(2025, 8, 12), dt.date(2025, 9, 9)}
)
INTERVAL = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Enrolled:
    """An active participant, its accounts and a token of its own."""

    id: str
    kind: ParticipantKind
    accounts: tuple[str, ...]
    headers: dict[str, str]

    def engine(self) -> EngineParticipant:
        return EngineParticipant(self.id, self.kind, self.accounts)


def enrol_user(api: Api, **overrides: Any) -> Enrolled:
    """An active power user with its own token."""
    body = api.enrol(api.user(**overrides))
    api.activate(body["id"])
    return Enrolled(
        body["id"],
        ParticipantKind.USER,
        (body["accounts"][0]["account_id"],),
        api.token(Role.POWER_USER, body["id"]),
    )


def enrol_aggregator(api: Api, **overrides: Any) -> Enrolled:
    """An active aggregator of three members with its own token."""
    body = api.enrol(api.aggregator(**overrides))
    api.activate(body["id"])
    return Enrolled(
        body["id"],
        ParticipantKind.AGGREGATOR,
        tuple(a["account_id"] for a in body["accounts"]),
        api.token(Role.AGGREGATOR, body["id"]),
    )


def days_between(first: dt.date, last: dt.date) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Day numbers first..last inclusive."""
    return np.arange(day_number(first), day_number(last) + 1, dtype=np.int64)


def flat_loads(days: np.ndarray[Any, Any], kw: float) -> FloatArray:
    """The same load in every interval of ``days``: shape (days, 96)."""
    return np.full((len(days), INTERVALS_PER_DAY), float(kw))


def noisy_loads(days: np.ndarray[Any, Any], seed: int, base: float = 900.0) -> FloatArray:
    """A daily shape plus noise, kW to 0.1, shape (days, 96)."""
    rng = np.random.default_rng(seed)
    shape = base + 250 * np.sin(np.linspace(0, 2 * np.pi, INTERVALS_PER_DAY))
    return np.round(shape[None, :] + rng.normal(0, 40, (len(days), INTERVALS_PER_DAY)), 1)


def cut(
    values: FloatArray, days: np.ndarray[Any, Any], day: dt.date, window: Window, kw: float
) -> FloatArray:
    """``values`` with the load of ``window`` on ``day`` set to ``kw``."""
    out = values.copy()
    row = int(np.searchsorted(days, day_number(day)))
    out[row, window.first_interval : window.first_interval + window.n_intervals] = kw
    return out


def system_load(days: np.ndarray[Any, Any]) -> FloatArray:
    """The module-wide system load (MW), shape (days, 96)."""
    high = np.array([date_of(int(d)) in HIGH_SYSTEM_DAYS for d in days])
    return np.where(high[:, None], HIGH_SYSTEM_MW, SYSTEM_MW) * np.ones((1, INTERVALS_PER_DAY))


def times(days: np.ndarray[Any, Any]) -> list[dt.datetime]:
    """Every interval start over ``days``, in order."""
    midnights = [dt.datetime.combine(date_of(int(d)), dt.time()) for d in days]
    return [m + k * INTERVAL for m in midnights for k in range(INTERVALS_PER_DAY)]


def load_frame(loads: dict[str, FloatArray], days: np.ndarray[Any, Any]) -> pl.DataFrame:
    """``account_id,ts,kw`` rows for each account's (days, 96) loads; ts as naive datetimes."""
    stamps = times(days)
    return pl.concat(
        [
            pl.DataFrame(
                {
                    "account_id": [account] * len(stamps),
                    "ts": stamps,
                    "kw": values.ravel().astype(np.float64),
                }
            )
            for account, values in loads.items()
        ]
    )


def system_frame(days: np.ndarray[Any, Any]) -> pl.DataFrame:
    """``ts,mw`` rows of the module-wide system load over ``days``."""
    return pl.DataFrame({"ts": times(days), "mw": system_load(days).ravel()})


def store_system_load(api: Api, days: np.ndarray[Any, Any]) -> None:
    """Store the module-wide system load of ``days`` directly, leaving days already stored.

    The upload takes only intervals that have ended; tests set the system load of a response
    day ahead of their clock, as a forecast would stand in for it.
    """
    with api.session() as session:
        dates = [date_of(int(d)) for d in days]
        have = set(session.scalars(select(SystemLoadDay.day).where(SystemLoadDay.day.in_(dates))))
        for day, values in zip(dates, system_load(days), strict=True):
            if day not in have:
                session.add(
                    SystemLoadDay(day=day, mw=encode_day(values), updated_at=api.clock.now())
                )


def write(frame: pl.DataFrame, folder: Path, suffix: str = ".csv") -> Path:
    """Write ``frame`` as CSV (``ts`` as ``YYYY-MM-DD HH:MM``) or Parquet under a fresh name."""
    path = folder / f"{uuid4().hex[:8]}{suffix}"
    if suffix == ".csv":
        frame.with_columns(pl.col("ts").dt.strftime("%Y-%m-%d %H:%M")).write_csv(path)
    else:
        frame.write_parquet(path)
    return path


def upload(
    api: Api,
    path: Path,
    headers: dict[str, str],
    *,
    system: bool = False,
    reason: str | None = None,
) -> httpx.Response:
    """POST a file to the loads (or system-load) upload, with a correction's ``reason``."""
    route = "/api/meterdata/system-load:upload" if system else "/api/meterdata/loads:upload"
    data = {} if reason is None else {"reason": reason}
    with path.open("rb") as stream:
        return api.client.post(
            route, files={"file": (path.name, stream)}, data=data, headers=headers
        )


def upload_ok(
    api: Api, path: Path, *, system: bool = False, reason: str | None = None
) -> dict[str, Any]:
    """Upload as the metering system; the summary."""
    response = upload(api, path, api.metering, system=system, reason=reason)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def add_event(
    api: Api,
    day: dt.date,
    start: str,
    end: str,
    awards: list[tuple[Enrolled, str, str | None]],
    *,
    mode: Mode = Mode.DAY_AHEAD,
    direction: Direction = Direction.PEAK,
    fixed_price: str | None = "3.5",
    status: EventStatus = EventStatus.NOTIFIED,
) -> EngineEvent:
    """Insert an event with awards ``(participant, kw, bid price)``; the engine's view of it.

    With a ``fixed_price`` the event pays it (fixed-price mode); without, the awards' bid
    prices (bidding mode).
    """
    start_at = dt.datetime.combine(day, dt.time.fromisoformat(start))
    end_at = dt.datetime.combine(day, dt.time.fromisoformat(end))
    event_id = f"E-{uuid4().hex[:12]}"
    price = None if fixed_price is None else Decimal(fixed_price)
    published = start_at - dt.timedelta(days=1)
    with api.session() as session:
        session.add(
            Event(
                id=event_id,
                direction=direction,
                mode=mode,
                start_at=start_at,
                end_at=end_at,
                demand_kw=sum(Decimal(kw) for _, kw, _ in awards),
                price_mode=PriceMode.FIXED if price is not None else PriceMode.BIDDING,
                fixed_price=price,
                price_cap=Decimal(5) if direction is Direction.PEAK else Decimal(2),
                scope_substations=[],
                scope_feeders=[],
                status=status,
                published_at=published,
                created_by="test",
                created_at=published,
                updated_at=published,
            )
        )
        session.flush()
        for place, (participant, kw, bid_price) in enumerate(awards, start=1):
            session.add(
                Award(
                    event_id=event_id,
                    participant_id=participant.id,
                    kw=Decimal(kw),
                    price=None if bid_price is None else Decimal(bid_price),
                    place=place,
                    reason="test",
                    created_at=published,
                )
            )
    return EngineEvent(
        id=event_id,
        direction=direction,
        mode=mode,
        window=Window.from_times(start_at, end_at),
        price=price,
        awards=tuple(
            EngineAward(p.id, Decimal(kw), None if bp is None else Decimal(bp))
            for p, kw, bp in awards
        ),
    )


def cube(loads: dict[str, FloatArray], days: np.ndarray[Any, Any]) -> IntervalCube:
    """The same loads as the engine reads them."""
    return IntervalCube(tuple(loads), days, np.stack(list(loads.values())))


def system_cube(days: np.ndarray[Any, Any]) -> IntervalCube:
    """The module-wide system load as the engine reads it."""
    return IntervalCube(("system",), days, system_load(days)[None, :, :])
