"""Meter data: uploads merged into the stored days, reads for charts, and the evaluations that
follow an upload (第九条: 采集周期 15 分钟).

Who may send what: the grid operator any enrolled account and the system load; an aggregator or
a power user only the accounts its participant holds (any other account is a 404, as if it did
not exist). An account nobody holds is refused (422, listing them): the platform meters enrolled
accounts only.

An upload is merged value by value: a reading where none was stored is added, one equal to the
stored value changes nothing, and a different one replaces it, the old and new values going into
the upload's audit record. Sending the same data twice therefore writes nothing the second time.
The merged days are committed on their own, then every ended event whose evaluation reads a
changed value is re-evaluated, so a failed evaluation cannot take the meter data back with it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
from sqlalchemy.orm import Session

from gzkit.inputs import InputError
from gzvpp.core.grid import INTERVAL_MINUTES, INTERVALS_PER_DAY, is_on_grid, to_local
from gzvpp.core.timeseries import (
    BoolArray,
    FloatArray,
    IntArray,
    IntervalCube,
    date_of,
    day_number,
)
from gzvpp.files.loads import read_interval_file
from gzvpp.kit.audit import record
from gzvpp.kit.auth import Actor
from gzvpp.kit.errors import Invalid, NotFound
from gzvpp.meterdata import repository, schemas
from gzvpp.models import MeterDay, Role, SystemLoadDay
from gzvpp.settlement.evaluation import Touched, evaluation_service

ValueColumn = Literal["kw", "mw"]
INTERVAL = dt.timedelta(minutes=INTERVAL_MINUTES)
MAX_SPAN = dt.timedelta(days=366)  # of one read: about 35,000 points
NAMES_SHOWN = 100  # accounts listed in a refusal
_EPOCH = dt.datetime(1970, 1, 1)


class MeterDataService:
    """Uploads and reads of 15-minute loads and of the Guangzhou system load."""

    def upload_file(
        self,
        session: Session,
        actor: Actor,
        now: dt.datetime,
        stream: BinaryIO,
        filename: str | None,
        value_column: ValueColumn,
    ) -> schemas.UploadSummary:
        """Merge an uploaded CSV or Parquet file: ``account_id,ts,kw`` or ``ts,mw``.

        The file is read by :func:`gzvpp.files.loads.read_interval_file`, the same validation
        as ``gzvpp evaluate``; its first fault is a 422 naming the file, the line (CSV) or row
        (Parquet) and the reason, and nothing is written.
        """
        _require_uploader(actor, value_column)
        source = Path(filename or "").name or "upload"
        cube = _read_upload(stream, source, value_column)
        return self._store(session, actor, now, cube, value_column, source, ("body", "file"))

    def upload_readings(
        self,
        session: Session,
        actor: Actor,
        now: dt.datetime,
        readings: Sequence[schemas.Reading],
    ) -> schemas.UploadSummary:
        """Merge readings sent as JSON, checked like a file (grid, numbers, repeats)."""
        _require_uploader(actor, "kw")
        cube = readings_cube(readings)
        return self._store(session, actor, now, cube, "kw", "api", ("body", "readings"))

    def loads(
        self,
        session: Session,
        actor: Actor,
        account_id: str,
        start: dt.datetime,
        end: dt.datetime,
    ) -> schemas.LoadSeries:
        """An account's 15-minute loads over [start, end), for charts.

        The grid operator and the regulator read any account ever enrolled; an aggregator or a
        power user only the accounts its participant holds.
        """
        start, end = to_local(start), to_local(end)
        if end <= start:
            raise Invalid("to must be later than from", ("query", "to"))
        if end - start > MAX_SPAN:
            raise Invalid(f"at most {MAX_SPAN.days} days at a time", ("query", "to"))
        if actor.role.participant_scoped:
            holder = repository.holders(session, [account_id]).get(account_id)
            visible = holder == actor.participant_id
        else:
            visible = repository.ever_held(session, account_id)
        if not visible:
            raise NotFound(f"account {account_id} not found")
        origin = dt.datetime.combine(start.date(), dt.time())
        first = -(-(start - origin) // INTERVAL)  # the first interval starting at or after start
        stop = -(-(end - origin) // INTERVAL)
        first_day = day_number(start.date())
        days = np.arange(first_day, first_day + (stop - 1) // INTERVALS_PER_DAY + 1)
        values = repository.load_cube(session, [account_id], days).values[0].ravel()
        return schemas.LoadSeries(
            account_id=account_id,
            start=start,
            end=end,
            points=[
                schemas.LoadPoint(
                    ts=origin + k * INTERVAL,
                    kw=None if np.isnan(values[k]) else float(values[k]),
                )
                for k in range(first, stop)
            ],
        )

    def _store(
        self,
        session: Session,
        actor: Actor,
        now: dt.datetime,
        cube: IntervalCube,
        value_column: ValueColumn,
        source: str,
        field: tuple[str, ...],
    ) -> schemas.UploadSummary:
        """Merge ``cube`` into the stored days, audit what changed, then evaluate."""
        sent = ~np.isnan(cube.values)
        if not sent.any():
            raise Invalid(f"{source} holds no readings", field)
        loads = value_column == "kw"
        if loads:
            _check_accounts(session, actor, cube.series, field)
        model: type[MeterDay] | type[SystemLoadDay] = MeterDay if loads else SystemLoadDay
        added = changed = 0
        before: list[dict[str, Any]] = []
        after: list[dict[str, Any]] = []
        touched: dict[str, IntArray] = {}
        for start in range(0, len(cube.series), repository.ACCOUNTS_PER_QUERY):
            names = cube.series[start : start + repository.ACCOUNTS_PER_QUERY]
            new = cube.values[start : start + len(names)]
            stored = (
                repository.load_cube(session, names, cube.days, for_update=True)
                if loads
                else repository.load_system_cube(session, cube.days, for_update=True)
            ).values
            merge = _merge(new, stored)
            added += int(merge.added.sum())
            changed += int(merge.changed.sum())
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            for i, d in zip(*np.nonzero(merge.write), strict=True):
                row = {
                    **_series_key(names[i], loads),
                    "day": date_of(int(cube.days[d])),
                    value_column: repository.encode_day(merge.values[i, d]),
                    "updated_at": now,
                }
                (updates if merge.existed[i, d] else inserts).append(row)
            repository.save_days(session, model, inserts, updates)
            for i, d, k in zip(*np.nonzero(merge.changed), strict=True):
                key = {
                    **_series_key(names[i], loads),
                    "ts": _interval_start(int(cube.days[d]), int(k)).isoformat(),
                }
                before.append({**key, value_column: float(stored[i, d, k])})
                after.append({**key, value_column: float(new[i, d, k])})
            for i, name in enumerate(names):
                if merge.write[i].any():
                    touched[name] = cube.days[merge.write[i]]

        received = int(sent.sum())
        summary = schemas.UploadSummary(
            source=source,
            series=len(cube.series),
            days=int(sent.any(axis=(0, 2)).sum()),
            values=received,
            new_values=added,
            changed_values=changed,
            unchanged_values=received - added - changed,
            evaluations=[],
        )
        if not touched:
            return summary
        first, last = date_of(int(cube.days[0])), date_of(int(cube.days[-1]))
        record(
            session,
            actor.label,
            "meter_data.upload",
            model.__tablename__,
            f"{first.isoformat()}..{last.isoformat()}",
            {"changed": before},
            {
                **summary.model_dump(mode="json", exclude={"evaluations"}),
                "changed": after,
            },
            at=now,
        )
        # The data stands on its own: commit it before evaluating, so that an evaluation that
        # fails cannot take the upload back with it.
        session.commit()
        changes = (
            Touched(loads=touched) if loads else Touched(system=touched[repository.SYSTEM_SERIES])
        )
        summary.evaluations = evaluation_service.after_upload(session, actor.label, now, changes)
        return summary


meterdata_service = MeterDataService()


@dataclass(frozen=True)
class _Merge:
    """An upload laid over the stored values of the same series and days.

    ``added``, ``changed`` and ``values`` are (series, day, interval); ``write`` (the day row
    must be written) and ``existed`` (a row is stored) are (series, day).
    """

    added: BoolArray
    changed: BoolArray
    values: FloatArray
    write: BoolArray
    existed: BoolArray


def _merge(new: FloatArray, stored: FloatArray) -> _Merge:
    """Lay ``new`` (NaN: not sent) over ``stored`` (NaN: none stored)."""
    sent, held = ~np.isnan(new), ~np.isnan(stored)
    added = sent & ~held
    changed = sent & held & (new != stored)
    return _Merge(
        added=added,
        changed=changed,
        values=np.where(sent, new, stored),
        write=(added | changed).any(axis=2),
        # A stored day always holds a reading: a day with none is never written.
        existed=np.any(held, axis=2),
    )


def _require_uploader(actor: Actor, value_column: ValueColumn) -> None:
    """Meter loads: the grid operator, or a participant for its own accounts; the system load:
    the grid operator only."""
    if value_column == "kw":
        actor.require(Role.GRID_OPERATOR, Role.AGGREGATOR, Role.POWER_USER)
    else:
        actor.require(Role.GRID_OPERATOR)


def _check_accounts(
    session: Session, actor: Actor, accounts: Sequence[str], field: tuple[str, ...]
) -> None:
    """Refuse accounts the actor may not send: another's (404) or nobody's (422)."""
    held = repository.holders(session, accounts)
    if actor.role.participant_scoped:
        foreign = [a for a in accounts if held.get(a) != actor.participant_id]
        if foreign:
            raise NotFound(f"accounts not found: {_listing(foreign)}")
        return
    unknown = [a for a in accounts if a not in held]
    if unknown:
        raise Invalid(
            f"accounts not held by any participant: {_listing(unknown)}; the platform meters "
            "enrolled accounts only",
            field,
        )


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(sorted(names)[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _read_upload(stream: BinaryIO, source: str, value_column: ValueColumn) -> IntervalCube:
    """Read an uploaded file through a temporary copy (the reader needs a path)."""
    suffix = Path(source).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="gzvpp-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as copy:
            shutil.copyfileobj(stream, copy, 1 << 20)
        try:
            return read_interval_file(path, value_column=value_column, series=None, keep_days=None)
        except InputError as err:
            # Name the file as the client sent it, not the temporary copy.
            raise Invalid(source + str(err)[len(err.path) :], ("body", "file")) from None


def readings_cube(readings: Sequence[schemas.Reading]) -> IntervalCube:
    """JSON readings as a cube, with the file reader's checks: 15-minute grid and no repeats.

    Raises
    ------
    Invalid
        Naming the reading (``["body", "readings", index, "ts"]``).
    """
    slots = np.empty(len(readings), dtype=np.int64)
    for index, reading in enumerate(readings):
        ts = to_local(reading.ts)
        if not is_on_grid(ts):
            raise Invalid(
                f"ts {ts.isoformat()} is not on the 15-minute grid",
                ("body", "readings", index, "ts"),
            )
        slots[index] = (ts - _EPOCH) // INTERVAL
    names, codes = np.unique([r.account_id for r in readings], return_inverse=True)
    order = np.lexsort((slots, codes))  # stable: repeats keep the order they were sent in
    repeat = (codes[order][1:] == codes[order][:-1]) & (slots[order][1:] == slots[order][:-1])
    if repeat.any():
        seconds, firsts = order[1:][repeat], order[:-1][repeat]
        which = int(np.argmin(seconds))
        second, first = int(seconds[which]), int(firsts[which])
        raise Invalid(
            f"duplicate reading: account {readings[second].account_id} at "
            f"{to_local(readings[second].ts).isoformat()} is also readings[{first}]",
            ("body", "readings", second, "ts"),
        )
    day, interval = np.divmod(slots, INTERVALS_PER_DAY)
    days = np.unique(day)
    values = np.full((len(names), len(days), INTERVALS_PER_DAY), np.nan)
    values[codes, np.searchsorted(days, day), interval] = [r.kw for r in readings]
    return IntervalCube(tuple(str(n) for n in names), days, values)


def _series_key(name: str, loads: bool) -> dict[str, str]:
    """The key of a series in its table: the account, or nothing for the one system load."""
    return {"account_id": name} if loads else {}


def _interval_start(day: int, interval: int) -> dt.datetime:
    return dt.datetime.combine(date_of(day), dt.time()) + interval * INTERVAL
