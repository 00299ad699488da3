"""Input files for ``gzvpp evaluate`` drawn from the synthetic city (benchmark and samples).

Writes participants.csv, events.json, loads.parquet (or .csv) and system_load.parquet for a
quarter of events at the end of a stretch of meter history. Participants behave as good,
partial or non-executing responders, so every branch of R6 shows up in the results.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from gzkit.calendar import Calendar
from gzvpp.core.grid import interval_starts
from gzvpp.demo.synthetic import (
    SyntheticAccounts,
    account_loads,
    daily_max_temperature,
    day_type_indices,
    make_accounts,
    system_load,
)

ACCOUNT_CHUNK = 200  # accounts generated and written per Parquet row group batch


@dataclass(frozen=True)
class ScenarioSize:
    """How big a scenario to write."""

    accounts: int
    history_days: int
    events: int
    awards: int
    last_day: dt.date = dt.date(2025, 9, 30)
    quarter_first_day: dt.date = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class ScenarioFiles:
    """Paths of the written files."""

    participants: Path
    events: Path
    loads: Path
    system_load: Path


@dataclass(frozen=True)
class _Award:
    participant: int
    kw: float
    ratio: float  # the share of the award this participant actually delivers
    price: str | None


def _participants(
    accounts: SyntheticAccounts, rng: np.random.Generator
) -> list[tuple[str, str, list[int]]]:
    """Users own one account; aggregators gather 2–50 accounts (about 60 % of accounts)."""
    order = rng.permutation(len(accounts.account_ids))
    n_users = int(len(order) * 0.4)
    groups: list[tuple[str, str, list[int]]] = [
        (f"U{i:05d}", "user", [int(a)]) for i, a in enumerate(order[:n_users])
    ]
    rest, k = order[n_users:], 0
    while len(rest):
        size = min(len(rest), int(rng.integers(2, 51)))
        if len(rest) - size == 1:  # no aggregator of a single member
            size += 1
        groups.append((f"A{k:04d}", "aggregator", [int(a) for a in rest[:size]]))
        rest, k = rest[size:], k + 1
    return groups


def write_scenario(
    out: Path,
    size: ScenarioSize,
    seed: int = 7,
    loads_format: str = "parquet",
    on_progress: Callable[[int, int], None] | None = None,
) -> ScenarioFiles:
    """Generate a scenario and write its files into ``out``.

    Parameters
    ----------
    out : Path
        Directory, created if needed.
    size : ScenarioSize
    seed : int
        Fixes every draw.
    loads_format : {"parquet", "csv"}
    on_progress : callable(done, total), optional
        Called after each chunk of accounts is written.
    """
    rng = np.random.default_rng(seed)
    calendar = Calendar()
    days = [size.last_day - dt.timedelta(days=k) for k in range(size.history_days - 1, -1, -1)]
    day_index = {d: i for i, d in enumerate(days)}
    day_types = day_type_indices(days, calendar)
    temperature = daily_max_temperature(days, rng)
    accounts = make_accounts(size.accounts, rng)
    groups = _participants(accounts, rng)
    out.mkdir(parents=True, exist_ok=True)

    # participants.csv
    lines = ["participant_id,kind,account_id"]
    lines += [
        f"{pid},{kind},{accounts.account_ids[a]}" for pid, kind, members in groups for a in members
    ]
    participants_path = out / "participants.csv"
    participants_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # events.json: hottest days of the quarter first, windows on the afternoon peak
    quarter = [d for d in days if d >= size.quarter_first_day]
    hot = sorted(quarter, key=lambda d: -temperature[day_index[d]])
    event_days = sorted(hot[: max(1, (size.events + 1) // 2)] * 2)[: size.events]
    group_base = np.array([accounts.base_kw[m].sum() for _, _, m in groups])
    behaviour = rng.choice(3, size=len(groups), p=[0.7, 0.2, 0.1])  # good, partial, non-executor
    ratio_range = np.array([[0.95, 1.15], [0.55, 0.85], [0.0, 0.35]])
    per_event = np.full(size.events, size.awards // size.events)
    per_event[: size.awards % size.events] += 1
    events, deltas = [], []
    for k, day in enumerate(event_days):
        second = k > 0 and event_days[k - 1] == day
        start_hour = 19 if second else int(rng.choice([13, 14, 15]))
        hours = float(rng.choice([1.0, 1.5, 2.0]))
        mode = str(rng.choice(["day_ahead", "hours_ahead", "realtime"], p=[0.6, 0.25, 0.15]))
        direction = "valley" if (k % 10 == 9 and mode != "realtime") else "peak"
        if direction == "valley":
            start_hour = 3
        bidding = mode != "realtime" and k % 3 == 0
        cap = 5.0 if direction == "peak" else 2.0
        chosen = rng.choice(len(groups), size=min(int(per_event[k]), len(groups)), replace=False)
        awards = []
        for g in sorted(chosen.tolist()):
            award_kw = round(float(group_base[g] * rng.uniform(0.08, 0.15)), 1)
            low, high = ratio_range[behaviour[g]]
            price = f"{rng.uniform(0.5, 1.0) * cap:.2f}" if bidding else None
            awards.append(_Award(g, award_kw, float(rng.uniform(low, high)), price))
        start = dt.datetime.combine(day, dt.time(start_hour))
        end = start + dt.timedelta(hours=hours)
        events.append(
            {
                "id": f"E{k + 1:03d}",
                "direction": direction,
                "mode": mode,
                "start": f"{start:%Y-%m-%d %H:%M}",
                "end": f"{end:%Y-%m-%d %H:%M}",
                "price": None if bidding else f"{cap * 0.7:.2f}",
                "awards": [
                    {"participant_id": groups[a.participant][0], "kw": a.kw}
                    | ({"price": a.price} if a.price else {})
                    for a in awards
                ],
            }
        )
        sign = -1.0 if direction == "peak" else 1.0
        first = start_hour * 4
        for a in awards:
            members = groups[a.participant][2]
            share = accounts.base_kw[members] / accounts.base_kw[members].sum()
            for member, part in zip(members, share.tolist(), strict=True):
                deltas.append(
                    (member, day_index[day], first, int(hours * 4), sign * a.ratio * a.kw * part)
                )
    events_path = out / "events.json"
    events_path.write_text(
        json.dumps({"events": events}, ensure_ascii=False, indent=1), encoding="utf-8"
    )

    # system_load.parquet
    stamps = interval_starts(days).ravel()
    system = system_load(day_types, temperature, rng).ravel()
    system_path = out / "system_load.parquet"
    pq.write_table(pa.table({"ts": stamps, "mw": system}), system_path)

    # loads, written a chunk of accounts at a time so memory stays small
    delta_rows = np.array([d[0] for d in deltas], dtype=np.int64)
    order = np.argsort(delta_rows, kind="stable")
    loads_path = out / f"loads.{loads_format}"
    account_ids = pa.array(accounts.account_ids)
    # Plain text, not the arrow dictionary of every account: the Parquet writer dictionary-encodes
    # each row group's own few accounts (a 100,000-entry dictionary repeated in every row group
    # cost a quarter of the file), and CSV is what the meter export writes.
    schema = pa.schema(
        [("account_id", pa.string()), ("ts", pa.timestamp("s")), ("kw", pa.float64())]
    )
    writer: pq.ParquetWriter | pa_csv.CSVWriter
    if loads_format == "parquet":
        writer = pq.ParquetWriter(loads_path, schema)
    else:  # account_id,YYYY-MM-DD HH:MM:SS,kW
        options = pa_csv.WriteOptions(quoting_style="none", quoting_header="none")
        writer = pa_csv.CSVWriter(loads_path, schema, write_options=options)
    for first_row in range(0, size.accounts, ACCOUNT_CHUNK):
        rows = slice(first_row, min(first_row + ACCOUNT_CHUNK, size.accounts))
        kw = account_loads(accounts, rows, day_types, temperature, rng)
        lo, hi = np.searchsorted(delta_rows[order], [rows.start, rows.stop])
        for i in order[lo:hi].tolist():
            member, d, first, n, delta = deltas[i]
            kw[member - rows.start, d, first : first + n] = np.maximum(
                kw[member - rows.start, d, first : first + n] + delta, 0.0
            ).round(1)
        n_acc = rows.stop - rows.start
        indices = np.repeat(np.arange(rows.start, rows.stop, dtype=np.int32), stamps.size)
        table = pa.table(
            {
                "account_id": account_ids.take(pa.array(indices)),
                "ts": np.tile(stamps, n_acc),
                "kw": kw.ravel(),
            },
            schema=schema,
        )
        if isinstance(writer, pq.ParquetWriter):
            writer.write_table(table, row_group_size=1_000_000)
        else:
            writer.write_table(table)
        if on_progress:
            on_progress(rows.stop, size.accounts)
    writer.close()
    return ScenarioFiles(participants_path, events_path, loads_path, system_path)
