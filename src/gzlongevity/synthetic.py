"""A synthetic Guangzhou register of elders, for the benchmark (and later the demo).

Deterministic for a seed: people born 1912–1957 (most in their 70s, fewer the older), each with
an initial ``registered`` row in the 2021-08 snapshot (a few moving in later), deaths at
realistic yearly rates by age, moves within the city, departures, data that reaches civil
affairs late (some deaths with no known date), and confirmations, many late, some never.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from gzlongevity.core.calendar import day_number
from gzlongevity.core.identity import CHECK_CHARACTERS, WEIGHTS
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS

STREETS_PER_DISTRICT = 16


@dataclass(frozen=True)
class SyntheticFiles:
    """The files written by :func:`write_synthetic_register`."""

    register: Path
    confirmations: Path
    standards: Path
    people: int
    register_rows: int


def write_synthetic_register(
    directory: Path, people: int, seed: int, until: dt.date
) -> SyntheticFiles:
    """Write register.csv, confirmations.csv and standards.csv for ``people`` elders.

    Events happen from 2021-08-01 to ``until``; each is known 0–60 days later, some
    (5 %) up to a year later.
    """
    rng = np.random.default_rng(seed)
    start, end = day_number(dt.date(2021, 8, 1)), day_number(until)
    span = end - start
    # Ages skewed young: exponential over the 45 years before 1958, folded into them.
    birth = day_number(dt.date(1957, 12, 31)) - (
        rng.exponential(9 * 365.25, people) % (45 * 365)
    ).astype(np.int64)
    birth.sort()
    districts = np.array(list(GUANGZHOU_DISTRICTS))
    home = rng.integers(0, len(districts), people)
    street = rng.integers(0, STREETS_PER_DISTRICT, people)
    ids = _citizen_ids(birth, districts[home])

    def lag(count: int) -> np.ndarray:
        late = rng.random(count) < 0.05
        return np.where(late, rng.integers(60, 366, count), rng.integers(0, 61, count))

    frames = []
    arrival = np.where(rng.random(people) < 0.02, start + rng.integers(0, span, people), 0)
    initial = arrival == 0
    registered_on = np.where(initial, day_number(dt.date(2000, 1, 1)), arrival)
    known = np.where(initial, start, arrival + lag(people))
    frames.append(_rows(ids, birth, "registered", registered_on, known, districts[home], street))

    age_2021 = (start - birth) / 365.25
    yearly = np.clip(0.012 * np.exp((age_2021 - 65) / 9.5), 0.005, 0.5)
    death = start + rng.exponential(365.25 / yearly).astype(np.int64)
    death = np.maximum(death, registered_on)
    dies = death <= end
    moves = rng.random(people) < 0.04
    move_day = np.maximum(registered_on, start) + rng.integers(0, span, people)
    moves &= (move_day <= end) & (~dies | (move_day < death))
    new_home = rng.integers(0, len(districts), people)
    frames.append(
        _rows(
            ids[moves],
            birth[moves],
            "moved",
            move_day[moves],
            move_day[moves] + lag(int(moves.sum())),
            districts[new_home[moves]],
            rng.integers(0, STREETS_PER_DISTRICT, int(moves.sum())),
        )
    )
    leaves = (rng.random(people) < 0.005) & ~dies
    leave_day = registered_on + rng.integers(1, span, people)
    leaves &= leave_day <= end
    frames.append(_departures(ids, birth, "left", leave_day, leaves, lag(people), rng))
    frames.append(_departures(ids, birth, "died", death, dies, lag(people), rng))
    register = pl.concat(frames).sort("known_on", maintain_order=True)

    seventy = birth + int(70 * 365.25)
    confirms = rng.random(people) < 0.92
    slow = rng.random(people) < 0.1
    confirmed = np.maximum(np.maximum(seventy, registered_on), start) + np.where(
        slow, rng.integers(90, 500, people), rng.exponential(25, people).astype(np.int64)
    )
    confirms &= confirmed <= end
    confirmations = pl.DataFrame(
        {
            "person_id": ids[confirms],
            "confirmed_on": _dates(confirmed[confirms]),
            "channel": rng.choice(["app", "committee", "street"], int(confirms.sum())),
        }
    )
    standards = pl.DataFrame(
        {
            "district": ["440106"] * 4 + ["440104"],
            "tier": [70, 80, 90, 100, 100],
            "monthly_cny": ["50", "120", "250", "400", "350.50"],
            "from_month": ["2021-01"] * 4 + ["2023-07"],
        }
    )
    directory.mkdir(parents=True, exist_ok=True)
    files = SyntheticFiles(
        directory / "register.csv",
        directory / "confirmations.csv",
        directory / "standards.csv",
        people,
        register.height,
    )
    register.write_csv(files.register)
    confirmations.write_csv(files.confirmations)
    standards.write_csv(files.standards)
    return files


def _citizen_ids(birth: np.ndarray, districts: np.ndarray) -> np.ndarray:
    """Distinct valid 居民身份证号: people sharing a birth date get sequence numbers 001, 002 …"""
    births = birth.astype("datetime64[D]").astype(str)
    first = np.searchsorted(birth, birth, side="left")
    sequence = np.arange(len(birth)) - first + 1
    body = np.char.add(
        np.char.add(districts.astype(str), np.char.replace(births, "-", "")),
        np.char.zfill(sequence.astype(str), 3),
    )
    digits = body.astype("S17").view(np.uint8).reshape(-1, 17).astype(np.int64) - ord("0")
    check = np.array(list(CHECK_CHARACTERS))[(digits @ WEIGHTS) % 11]
    return np.char.add(body, check)


def _dates(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype(str)


def _rows(
    ids: np.ndarray,
    birth: np.ndarray,
    event: str,
    day: np.ndarray,
    known: np.ndarray,
    district: np.ndarray,
    street: np.ndarray,
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "person_id": ids,
            "name": ["长者"] * len(ids),
            "birth_date": _dates(birth),
            "event": [event] * len(ids),
            "event_date": _dates(day),
            "known_on": _dates(known),
            "district": district.astype(str),
            "street": np.char.add("街道", street.astype(str)),
        }
    )


def _departures(
    ids: np.ndarray,
    birth: np.ndarray,
    event: str,
    day: np.ndarray,
    chosen: np.ndarray,
    lag: np.ndarray,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """``left`` or ``died`` rows; 3 % with no known date (known_on counts, 第十九条)."""
    count = int(chosen.sum())
    frame = _rows(
        ids[chosen],
        birth[chosen],
        event,
        day[chosen],
        day[chosen] + lag[chosen],
        np.full(count, ""),
        np.zeros(count, dtype=np.int64),
    ).with_columns(street=pl.lit(""))
    undated = pl.Series(rng.random(count) < 0.03)
    return frame.with_columns(
        event_date=pl.when(undated).then(pl.lit("")).otherwise(pl.col("event_date"))
    )
