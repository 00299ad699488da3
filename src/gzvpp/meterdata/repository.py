"""SQL for meter data: days of 96 interval values stored as float64 blobs (see models.meter_day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.core.timeseries import FloatArray, IntArray, IntervalCube, date_of, day_number
from gzvpp.models import MeterDay, SystemLoadDay

SYSTEM_SERIES = "system"
ACCOUNTS_PER_QUERY = 500  # keeps IN lists well inside SQLite's bound-parameter limit


def encode_day(values: FloatArray) -> bytes:
    """96 interval values as little-endian float64 bytes (NaN = no reading)."""
    return np.ascontiguousarray(values, dtype="<f8").tobytes()


def decode_day(blob: bytes) -> FloatArray:
    """Inverse of :func:`encode_day`."""
    return np.frombuffer(blob, dtype="<f8").astype(np.float64)


def load_cube(session: Session, accounts: Sequence[str], days: IntArray) -> IntervalCube:
    """Loads (kW) of ``accounts`` over ``days`` (day numbers); NaN where nothing is stored."""
    days = np.unique(np.asarray(days, dtype=np.int64))
    values = np.full((len(accounts), len(days), INTERVALS_PER_DAY), np.nan)
    if len(days) and len(accounts):
        row = {a: i for i, a in enumerate(accounts)}
        first, last = date_of(int(days[0])), date_of(int(days[-1]))
        for start in range(0, len(accounts), ACCOUNTS_PER_QUERY):
            chunk = accounts[start : start + ACCOUNTS_PER_QUERY]
            stored = session.execute(
                select(MeterDay.account_id, MeterDay.day, MeterDay.kw).where(
                    MeterDay.account_id.in_(chunk), MeterDay.day.between(first, last)
                )
            )
            for account_id, day, blob in stored:
                position = np.searchsorted(days, day_number(day))
                if position < len(days) and days[position] == day_number(day):
                    values[row[account_id], position] = decode_day(blob)
    return IntervalCube(tuple(accounts), days, values)


def load_system_cube(session: Session, days: IntArray) -> IntervalCube:
    """Guangzhou system load (MW) over ``days`` as a one-series cube named ``system``."""
    days = np.unique(np.asarray(days, dtype=np.int64))
    values = np.full((1, len(days), INTERVALS_PER_DAY), np.nan)
    if len(days):
        stored = session.execute(
            select(SystemLoadDay.day, SystemLoadDay.mw).where(
                SystemLoadDay.day.between(date_of(int(days[0])), date_of(int(days[-1])))
            )
        )
        for day, blob in stored:
            position = np.searchsorted(days, day_number(day))
            if position < len(days) and days[position] == day_number(day):
                values[0, position] = decode_day(blob)
    return IntervalCube((SYSTEM_SERIES,), days, values)


def stored_days(session: Session, day_from: dt.date, day_to: dt.date) -> list[dt.date]:
    """Days in [day_from, day_to] with any system-load data stored."""
    return list(
        session.scalars(
            select(SystemLoadDay.day).where(SystemLoadDay.day.between(day_from, day_to))
        )
    )
