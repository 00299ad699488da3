"""A believable synthetic Guangzhou: accounts, their 15-minute loads, and the system load.

Used by the demo, the benchmark and the tests, so every generated figure comes from one place.
Loads follow a profile per kind of site (industrial three-shift, commercial, office), scaled by
day type (workday, restday, holiday, R3), by summer heat (air conditioning), and by noise.
Everything is drawn from one seeded ``numpy.random.Generator``, so a seed fixes the city.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gzkit.calendar import Calendar, DayType
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.core.timeseries import FloatArray, IntArray

# Real 220 kV / 110 kV substations of the Guangzhou grid, used as names only.
SUBSTATIONS = (
    "北郊站",
    "增城站",
    "穗东站",
    "花都站",
    "番禺站",
    "南沙站",
    "黄埔站",
    "从化站",
    "海珠站",
    "天河站",
    "白云站",
    "萝岗站",
)
PROFILES = ("industrial", "commercial", "office")
CATEGORY_OF_PROFILE = {"industrial": "大工业", "commercial": "一般工商业", "office": "一般工商业"}
DAY_TYPE_INDEX = {DayType.WORKDAY: 0, DayType.RESTDAY: 1, DayType.HOLIDAY: 2}
SYSTEM_PEAK_MW = 24_000.0  # Guangzhou's 统调最高负荷 is in the mid-20 GW range


@dataclass(frozen=True)
class SyntheticAccounts:
    """Meter accounts (营销户号) of the synthetic city, as parallel arrays."""

    account_ids: tuple[str, ...]
    profile: IntArray  # index into PROFILES
    base_kw: FloatArray  # typical daytime load on a workday, kW
    heat_sensitivity: FloatArray  # share of load that is air conditioning
    substation: tuple[str, ...]
    feeder: tuple[str, ...]

    @property
    def category(self) -> tuple[str, ...]:
        """大工业 or 一般工商业 (R1) of each account."""
        return tuple(CATEGORY_OF_PROFILE[PROFILES[p]] for p in self.profile.tolist())


def make_accounts(n: int, rng: np.random.Generator, prefix: str = "GZ") -> SyntheticAccounts:
    """Draw ``n`` accounts: 40 % industrial, 35 % commercial, 25 % office.

    Industrial sites are larger (lognormal around 4 MW), commercial and office around 1.5 MW, so
    that typical capabilities sit above the 500 kW / 200 kW floors of 第四条.
    """
    profile = rng.choice(3, size=n, p=[0.40, 0.35, 0.25])
    median = np.array([4000.0, 1500.0, 1200.0])[profile]
    base = np.round(median * rng.lognormal(0.0, 0.45, size=n), 1)
    heat = np.array([0.15, 0.35, 0.40])[profile] * rng.uniform(0.7, 1.3, size=n)
    station = rng.integers(0, len(SUBSTATIONS), size=n)
    feeder = rng.integers(1, 9, size=n)
    return SyntheticAccounts(
        account_ids=tuple(f"{prefix}{i:08d}" for i in range(n)),
        profile=profile,
        base_kw=base,
        heat_sensitivity=heat,
        substation=tuple(SUBSTATIONS[s] for s in station.tolist()),
        feeder=tuple(
            f"{SUBSTATIONS[s][:-1]}{f:02d}线" for s, f in zip(station, feeder, strict=True)
        ),
    )


def _profile_shapes() -> FloatArray:
    """Relative load per profile, day type and interval: shape (3, 3, 96)."""
    hour = np.arange(INTERVALS_PER_DAY) / 4.0
    day = 1.0 / (1.0 + np.exp(-(hour - 8.0) * 2)) - 1.0 / (1.0 + np.exp(-(hour - 22.0) * 2))
    office_day = 1.0 / (1.0 + np.exp(-(hour - 8.5) * 3)) - 1.0 / (1.0 + np.exp(-(hour - 18.5) * 2))
    lunch = 1.0 - 0.12 * np.exp(-((hour - 12.5) ** 2) / 0.5)
    industrial = 0.82 + 0.18 * day * lunch
    commercial = 0.30 + 0.70 * day
    office = 0.25 + 0.75 * office_day * lunch
    shapes = np.empty((3, 3, INTERVALS_PER_DAY))
    # workday, restday, holiday levels per profile
    for p, (curve, levels) in enumerate(
        (
            (industrial, (1.0, 0.75, 0.45)),
            (commercial, (1.0, 1.1, 1.15)),
            (office, (1.0, 0.35, 0.3)),
        )
    ):
        for t, level in enumerate(levels):
            shapes[p, t] = curve * level
    return shapes


def daily_max_temperature(days: Sequence[dt.date], rng: np.random.Generator) -> FloatArray:
    """Guangzhou daily maximum temperature, °C: a seasonal wave peaking late July, with spells."""
    doy = np.array([d.timetuple().tm_yday for d in days], dtype=np.float64)
    seasonal = 26.0 + 8.5 * np.cos(2 * np.pi * (doy - 205) / 365.25)
    spells = np.convolve(rng.normal(0, 1.6, len(days) + 6), np.ones(7) / np.sqrt(7), "valid")
    return np.round(seasonal + spells[: len(days)], 1)


def heat_index(temperature: FloatArray) -> FloatArray:
    """Cooling demand 0–1 from daily max temperature: none below 26 °C, full at 38 °C."""
    return np.clip((temperature - 26.0) / 12.0, 0.0, 1.0)


def day_type_indices(days: Sequence[dt.date], calendar: Calendar) -> IntArray:
    """0 workday, 1 restday, 2 holiday for each day (R3)."""
    return np.array([DAY_TYPE_INDEX[i.day_type] for i in calendar.day_infos(days)], dtype=np.int64)


def account_loads(
    accounts: SyntheticAccounts,
    rows: slice,
    day_types: IntArray,
    temperature: FloatArray,
    rng: np.random.Generator,
) -> FloatArray:
    """15-minute loads in kW of the accounts ``rows`` on each day: shape (n, n_days, 96).

    Load = base × profile shape(day type) × (1 + heat sensitivity × cooling curve) × noise,
    rounded to 0.1 kW as a meter export would be.
    """
    shapes = _profile_shapes()
    profile = accounts.profile[rows]
    base = accounts.base_kw[rows]
    heat = accounts.heat_sensitivity[rows]
    hour = np.arange(INTERVALS_PER_DAY) / 4.0
    cooling = np.exp(-((hour - 15.0) ** 2) / 18.0)  # afternoon-heavy air conditioning
    # Built in place in one (n, days, 96) array, the small factors broadcast: memory traffic,
    # not arithmetic, is what this costs for a city-year.
    loads = shapes[profile[:, None], day_types[None, :]]  # (n, days, 96)
    aircon = heat[:, None, None] * heat_index(temperature)[None, :, None] * cooling
    aircon += 1.0
    loads *= aircon
    del aircon
    loads *= base[:, None, None] * rng.normal(1.0, 0.04, size=(len(base), len(day_types), 1))
    # single precision for the bulk noise: half the memory traffic, far finer than 0.1 kW
    noise = rng.standard_normal(size=loads.shape, dtype=np.float32)
    noise *= 0.02
    noise += 1.0
    loads *= noise
    del noise
    np.maximum(loads, 0.0, out=loads)
    result: FloatArray = np.round(loads, 1, out=loads)
    return result


def system_load(
    day_types: IntArray, temperature: FloatArray, rng: np.random.Generator
) -> FloatArray:
    """Guangzhou system load (广州统调负荷), MW, shape (n_days, 96).

    A citywide shape whose afternoon peak grows with heat; workday ≈ 24 GW on the hottest days.
    """
    hour = np.arange(INTERVALS_PER_DAY) / 4.0
    shape = (
        0.62
        + 0.25 * np.exp(-((hour - 15.5) ** 2) / 14.0)
        + 0.13 * np.exp(-((hour - 20.5) ** 2) / 4.0)
    )
    level = np.array([1.0, 0.9, 0.8])[day_types] * (0.7 + 0.3 * heat_index(temperature))
    noise = rng.normal(1.0, 0.01, size=(len(day_types), INTERVALS_PER_DAY))
    result: FloatArray = np.round(SYSTEM_PEAK_MW * level[:, None] * shape[None, :] * noise, 1)
    return result
