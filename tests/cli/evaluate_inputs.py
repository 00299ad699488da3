"""Tiny hand-made input files for ``gzvpp evaluate`` (meter loads, system load, participants,
events, calendar), and the reader of its result CSV.

Loads come from simple formulas of the date and the interval number ``i`` (0–95 from midnight,
14:00 is interval 56) so that every expected figure can be worked out by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

INTERVALS_PER_DAY = 96

# kW (or MW) of one interval of one day; None leaves the reading out (a data gap).
Formula = Callable[[dt.date, int], float | None]
# An event or an award of the events file, as JSON.
Json = dict[str, Any]


def usual_kw(day: dt.date, i: int) -> float:
    """The load of an ordinary day: 1000 + 3 × day of month + interval number, kW.

    Over 14:00–16:00 (intervals 56–63) of 2025-07-07 that is 1077, 1078, …, 1084 kW.
    """
    return 1000 + 3 * day.day + i


def stamp(day: dt.date, i: int) -> str:
    """Local start of interval ``i`` of ``day`` as ``YYYY-MM-DD HH:MM``."""
    moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=15 * i)
    return f"{moment:%Y-%m-%d %H:%M}"


def dates(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every date from ``first`` to ``last``, both included."""
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@dataclass
class Meter:
    """Rows ``(account_id, day, interval, kW)`` of a loads file, built account by account."""

    rows: list[tuple[str, dt.date, int, float]] = field(default_factory=list)

    def add(self, account: str, days: Iterable[dt.date], kw: Formula = usual_kw) -> Meter:
        for day in days:
            for i in range(INTERVALS_PER_DAY):
                value = kw(day, i)
                if value is not None:
                    self.rows.append((account, day, i, float(value)))
        return self


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def write_loads_csv(path: Path, meter: Meter, when: Callable[[dt.date, int], str] = stamp) -> Path:
    """``account_id,ts,kw``; ``when`` writes the timestamps (local by default)."""
    lines = ["account_id,ts,kw"]
    lines += [f"{a},{when(day, i)},{_number(kw)}" for a, day, i, kw in meter.rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_loads_parquet(path: Path, meter: Meter) -> Path:
    """The same rows as :func:`write_loads_csv`, ``ts`` as a naive (local) timestamp column."""
    table = pa.table(
        {
            "account_id": pa.array([a for a, _, _, _ in meter.rows], type=pa.string()),
            "ts": pa.array(
                [
                    dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=15 * i)
                    for _, day, i, _ in meter.rows
                ],
                type=pa.timestamp("us"),
            ),
            "kw": pa.array([kw for _, _, _, kw in meter.rows], type=pa.float64()),
        }
    )
    pq.write_table(table, path)
    return path


def write_system_csv(path: Path, days: Iterable[dt.date], mw: Formula) -> Path:
    """``ts,mw``: the Guangzhou system load of each interval of ``days``."""
    lines = ["ts,mw"]
    for day in days:
        for i in range(INTERVALS_PER_DAY):
            value = mw(day, i)
            if value is not None:
                lines.append(f"{stamp(day, i)},{_number(value)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_participants(path: Path, rows: Sequence[tuple[str, str, str]]) -> Path:
    """``participant_id,kind,account_id``, one row per (participant, account)."""
    lines = ["participant_id,kind,account_id", *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def award(participant_id: str, kw: float | str, price: float | str | None = None) -> Json:
    item: dict[str, Any] = {"participant_id": participant_id, "kw": kw}
    if price is not None:
        item["price"] = price
    return item


def event(
    event_id: str,
    start: str,
    end: str,
    awards: Sequence[Json],
    *,
    direction: str = "peak",
    mode: str = "day_ahead",
    price: float | str | None = "3",
    cancelled: bool | None = None,
) -> Json:
    item: dict[str, Any] = {
        "id": event_id,
        "direction": direction,
        "mode": mode,
        "start": start,
        "end": end,
        "awards": list(awards),
    }
    if price is not None:
        item["price"] = price
    if cancelled is not None:
        item["cancelled"] = cancelled
    return item


def write_events(path: Path, events: Sequence[Json]) -> Path:
    path.write_text(json.dumps({"events": list(events)}, indent=2), encoding="utf-8")
    return path


def write_calendar(path: Path, rows: Sequence[tuple[str, str, str]]) -> Path:
    lines = ["date,day_type,holiday_name", *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Inputs:
    """The files of one run, in one directory."""

    folder: Path
    loads: Path
    system_load: Path
    participants: Path
    events: Path
    calendar: Path | None = None

    @property
    def out(self) -> Path:
        return self.folder / "results.csv"

    def args(self, out: Path | None = None) -> list[str]:
        args = [
            "evaluate",
            "--loads",
            str(self.loads),
            "--system-load",
            str(self.system_load),
            "--participants",
            str(self.participants),
            "--events",
            str(self.events),
            "--out",
            str(out or self.out),
        ]
        if self.calendar is not None:
            args += ["--calendar", str(self.calendar)]
        return args


def inputs(
    folder: Path,
    meter: Meter,
    system_days: Iterable[dt.date],
    system_mw: Formula,
    participants: Sequence[tuple[str, str, str]],
    events: Sequence[Json],
    calendar: Sequence[tuple[str, str, str]] | None = None,
) -> Inputs:
    """Write every input file into ``folder`` (loads as CSV)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Inputs(
        folder,
        write_loads_csv(folder / "loads.csv", meter),
        write_system_csv(folder / "system.csv", system_days, system_mw),
        write_participants(folder / "participants.csv", participants),
        write_events(folder / "events.json", events),
        write_calendar(folder / "calendar.csv", calendar) if calendar is not None else None,
    )


def read_results(path: Path) -> list[dict[str, str]]:
    """The result CSV's rows, every field as the exact text written."""
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def result_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as stream:
        return next(csv.reader(stream))
