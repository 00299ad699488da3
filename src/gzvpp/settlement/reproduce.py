"""Export what the platform evaluated as ``gzvpp evaluate`` input files, to re-check it offline.

The regulator's reviewers (or anyone auditing a quarter) can run the batch evaluation on the
exported files and compare it with the platform's stored results: both call the same engine,
so every figure must agree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzkit.calendar import Calendar
from gzvpp.core import model as engine
from gzvpp.core.baseline import LOOKBACK_DAYS
from gzvpp.core.grid import INTERVAL_MINUTES, INTERVALS_PER_DAY
from gzvpp.core.timeseries import FloatArray, IntArray, IntervalCube
from gzvpp.evaluation.run import EvaluationInputs, days_needed
from gzvpp.meterdata.repository import load_cube, load_system_cube
from gzvpp.models import Award, Event
from gzvpp.settlement import repository
from gzvpp.settlement.evaluation import engine_event

SECONDS_PER_DAY = 86_400


def _event_json(event: engine.Event) -> dict[str, object]:
    return {
        "id": event.id,
        "direction": event.direction.value,
        "mode": event.mode.value,
        "start": f"{event.window.start:%Y-%m-%d %H:%M}",
        "end": f"{event.window.end:%Y-%m-%d %H:%M}",
        "price": None if event.price is None else str(event.price),
        "cancelled": event.cancelled,
        "awards": [
            {"participant_id": a.participant_id, "kw": str(a.kw)}
            | ({} if a.price is None else {"price": str(a.price)})
            for a in event.awards
        ],
    }


def readings_table(
    column: str,
    days: IntArray,
    values: FloatArray,
    series: Sequence[str] | npt.NDArray[np.object_] | None,
) -> pa.Table:
    """Every reading of ``values`` as rows ``(account_id,) ts, <column>`` in the layout
    ``gzvpp evaluate`` reads: one row per interval with a reading, NaN (none) giving no row.

    ``values`` holds (series, day) pairs, shape (pairs, 96); ``days`` is each pair's day number
    and ``series`` its account (None for the system load, which has no ``account_id``).
    ``ts`` is the interval's local start, a naive timestamp to the second.
    """
    pair, interval = np.nonzero(~np.isnan(values))
    seconds = days[pair] * SECONDS_PER_DAY + interval * (INTERVAL_MINUTES * 60)
    table = {
        "ts": pa.array(seconds, pa.timestamp("s")),
        column: pa.array(values[pair, interval], pa.float64()),
    }
    if series is not None:
        table = {
            "account_id": pa.array(np.asarray(series, dtype=object)[pair], pa.string())
        } | table
    return pa.table(table)


def _write_cube(cube: IntervalCube, column: str, path: Path, with_series: bool) -> None:
    """Every stored reading of ``cube`` as rows (account_id,) ts, value — gaps stay gaps."""
    count, days = len(cube.series), len(cube.days)
    pairs = cube.values.reshape(count * days, INTERVALS_PER_DAY)
    series = np.repeat(np.asarray(cube.series, dtype=object), days) if with_series else None
    pq.write_table(readings_table(column, np.tile(cube.days, count), pairs, series), path)


def awarded_events(session: Session) -> list[Event]:
    """Every event with awards, cancelled ones included (they are history too), by start."""
    return list(
        session.scalars(
            select(Event).where(Event.id.in_(select(Award.event_id))).order_by(Event.start_at)
        )
    )


def export_evaluation_inputs(session: Session, out: Path) -> EvaluationInputs:
    """Write participants.csv, events.json, loads.parquet and system_load.parquet into ``out``.

    Participants are written with the accounts they hold now, as the platform evaluates them.
    """
    out.mkdir(parents=True, exist_ok=True)
    events = awarded_events(session)
    awards = repository.awards_of(session, [e.id for e in events])
    engine_events = [engine_event(e, awards.get(e.id, [])) for e in events]
    participant_ids = sorted({a.participant_id for e in engine_events for a in e.awards})
    held = repository.held_accounts(session, participant_ids)
    kinds = repository.participants(session, participant_ids)
    lines = ["participant_id,kind,account_id"] + [
        f"{pid},{kinds[pid].kind.value},{account}"
        for pid in participant_ids
        for account in held[pid]
    ]
    loads = out / "loads.parquet"
    inputs = EvaluationInputs(
        loads=loads,
        system_load=out / "system_load.parquet",
        participants=out / "participants.csv",
        events=out / "events.json",
    )
    inputs.participants.write_text("\n".join(lines) + "\n", encoding="utf-8")
    inputs.events.write_text(
        json.dumps({"events": [_event_json(e) for e in engine_events]}, ensure_ascii=False),
        encoding="utf-8",
    )
    needed = days_needed(engine_events, Calendar(), LOOKBACK_DAYS)
    accounts: Sequence[str] = sorted({a for pid in participant_ids for a in held[pid]})
    _write_cube(load_cube(session, accounts, needed), "kw", loads, with_series=True)
    _write_cube(load_system_cube(session, needed), "mw", inputs.system_load, with_series=False)
    return inputs
