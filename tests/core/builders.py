"""Small builders for the rules-engine tests: interval cubes, windows, participants and events.

Cubes are built with NumPy directly: a contiguous run of days, every value NaN (missing) until a
test puts a load on a day with :func:`put`. Times are Guangzhou clock times as ``"HH:MM"``; the
end of a clock range is exclusive and may be ``"24:00"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

import numpy as np

from gzkit.calendar import Calendar
from gzvpp.core.assessment import EventAssessment, assess_event
from gzvpp.core.grid import Window
from gzvpp.core.model import Award, Direction, Event, Mode, Participant, ParticipantKind
from gzvpp.core.timeseries import IntArray, IntervalCube, day_number

CALENDAR = Calendar()
SYSTEM = "guangzhou"


def d(text: str) -> dt.date:
    """A date from ``YYYY-MM-DD``."""
    return dt.date.fromisoformat(text)


def interval(clock: str) -> int:
    """Interval number (0–96) of a clock time ``HH:MM`` on the 15-minute grid."""
    hours, minutes = (int(part) for part in clock.split(":"))
    assert minutes % 15 == 0
    return (hours * 60 + minutes) // 15


def cube(
    series: Sequence[str], first: dt.date, last: dt.date, fill: float = np.nan
) -> IntervalCube:
    """A cube holding every day from ``first`` to ``last``, every value ``fill``."""
    days = np.arange(day_number(first), day_number(last) + 1, dtype=np.int64)
    return IntervalCube(tuple(series), days, np.full((len(series), len(days), 96), fill))


def put(
    target: IntervalCube,
    name: str,
    day: dt.date,
    value: float | Sequence[float],
    start: str = "00:00",
    end: str = "24:00",
) -> None:
    """Write ``value`` (a number, or one per interval) to ``name`` on ``day`` over [start, end)."""
    column = int(np.searchsorted(target.days, day_number(day)))
    assert target.days[column] == day_number(day), f"{day} is not in the cube"
    target.values[target.row(name), column, interval(start) : interval(end)] = value


def system_cube(first: dt.date, last: dt.date, level: float = 1000.0) -> IntervalCube:
    """Guangzhou system load (MW), flat at ``level`` every interval of every day."""
    return cube([SYSTEM], first, last, level)


def window(day: dt.date, start: str, end: str) -> Window:
    """The event window [start, end) on ``day``."""
    return Window.from_times(
        dt.datetime.combine(day, dt.time.fromisoformat(start)),
        dt.datetime.combine(day, dt.time.fromisoformat(end)),
    )


def user(pid: str, account: str | None = None) -> Participant:
    """A power user with its own account (named like the user unless given)."""
    return Participant(pid, ParticipantKind.USER, (account or pid,))


def aggregator(pid: str, *accounts: str) -> Participant:
    """A load aggregator with its members' accounts."""
    return Participant(pid, ParticipantKind.AGGREGATOR, tuple(accounts))


def award(pid: str, kw: str | int | Decimal, price: str | None = None) -> Award:
    """An award of ``kw`` kW, with a bid price when given."""
    return Award(pid, Decimal(kw), None if price is None else Decimal(price))


def event(
    win: Window,
    *awards: Award,
    direction: Direction = Direction.PEAK,
    mode: Mode = Mode.DAY_AHEAD,
    price: str | None = "3",
    event_id: str = "E1",
    cancelled: bool = False,
) -> Event:
    """An event over ``win`` with the given awards (fixed price 3 CNY/kWh by default)."""
    return Event(
        event_id,
        direction,
        mode,
        win,
        None if price is None else Decimal(price),
        tuple(awards),
        cancelled,
    )


def history(**days: Iterable[dt.date]) -> dict[str, IntArray]:
    """Response days per participant id, as the sorted day numbers the engine takes."""
    return {
        pid: np.array(sorted(day_number(x) for x in dates), dtype=np.int64)
        for pid, dates in days.items()
    }


def assess(
    ev: Event,
    participants: Iterable[Participant],
    loads: IntervalCube,
    system: IntervalCube,
    calendar: Calendar = CALENDAR,
    responded: Mapping[str, IntArray] | None = None,
) -> EventAssessment:
    """:func:`assess_event` with participants given as a list and an empty history by default."""
    return assess_event(
        ev,
        {p.id: p for p in participants},
        loads,
        system,
        calendar,
        {} if responded is None else responded,
    )


# --- one power user on an ordinary workday, baseline = the same curve on every day -------------

CASE_DAY = d("2024-07-17")  # a Wednesday; D-2 … D-8 hold the workdays 15, 12, 11, 10, 9 July
CASE_START = "14:00"


def clock_after(start: str, n_intervals: int) -> str:
    """The clock time ``n_intervals`` × 15 min after ``start`` (same day)."""
    minutes = interval(start) * 15 + n_intervals * 15
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def single_user_case(
    baseline: float | Sequence[float],
    actual: float | Sequence[float],
    awarded: str | int | Decimal,
    *,
    n_intervals: int = 8,
    direction: Direction = Direction.PEAK,
    mode: Mode = Mode.DAY_AHEAD,
    price: str | None = "3",
    bid_price: str | None = None,
) -> EventAssessment:
    """One user, D = 2024-07-17, W = 14:00 + ``n_intervals`` × 15 min, system load flat.

    Every day from 2024-07-01 to D-1 carries ``baseline`` over W (and its first value elsewhere),
    so the baseline curve over W is ``baseline`` itself and the adjustment factor is 1. On D the
    load is the first baseline value outside W (the real-time baseline then equals it) and
    ``actual`` inside W.
    """
    end = clock_after(CASE_START, n_intervals)
    first = np.atleast_1d(np.asarray(baseline, dtype=np.float64))[0]
    loads = cube(["u"], d("2024-07-01"), CASE_DAY)
    for offset in range(16):
        day = d("2024-07-01") + dt.timedelta(days=offset)
        put(loads, "u", day, first)
        put(loads, "u", day, baseline, CASE_START, end)
    put(loads, "u", CASE_DAY, first)
    put(loads, "u", CASE_DAY, actual, CASE_START, end)
    ev = event(
        window(CASE_DAY, CASE_START, end),
        award("u", awarded, bid_price),
        direction=direction,
        mode=mode,
        price=price,
    )
    return assess(ev, [user("u")], loads, system_cube(d("2024-06-30"), CASE_DAY))
