"""Meter data: uploads merged into the stored days, reads for charts, and the evaluations that
follow an upload (第九条: 采集周期 15 分钟).

Settlement meter data comes from the grid company's metering side only (第九条: 负荷数据来源于
用户计量自动化系统): the metering identity (role ``metering``) or the grid operator sends loads
and the system load; a participant's upload is refused (403). Participants' own minute-level
monitoring goes to the OpenADR telemetry (第八条) and never into these tables. An upload naming
an account nobody holds is refused (422, listing them): the platform meters enrolled accounts only.

An upload is checked before it costs memory: the accounts first, then every reading (times and
magnitudes, :mod:`gzvpp.meterdata.plausibility`), and it is held as the readings sent, merged a
block of (account, day) pairs at a time, never as a dense accounts × days cube.

An upload is merged value by value: a reading where none was stored is added, one equal to the
stored value changes nothing, and a different one replaces it, the old and new values going into
the upload's audit record. Sending the same data twice therefore writes nothing the second time.
Replacing readings that an evaluated event has read is a correction of a published result and
needs a reason; the results it changes keep a revision (who, why, before and after). The merged
days are committed with one evaluation job (:mod:`gzvpp.jobs`) naming what changed: the job
re-evaluates every ended event whose evaluation reads a changed value, on the queue
(PostgreSQL) or right after the commit (SQLite), so a failed evaluation cannot take the meter
data back with it, and committed data always has its evaluation queued.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sqlalchemy.orm import Session

from gzkit.errors import Forbidden, Invalid, NotFound
from gzkit.inputs import InputError
from gzkit.timezone import to_local
from gzvpp.core.grid import INTERVAL_MINUTES, INTERVALS_PER_DAY, is_on_grid
from gzvpp.core.timeseries import (
    BoolArray,
    FloatArray,
    IntervalRows,
    RepeatedReading,
    date_of,
    day_number,
)
from gzvpp.files.loads import RowCheck, read_interval_rows
from gzvpp.jobs.service import Runner, job_service
from gzvpp.kit.audit import record
from gzvpp.kit.auth import Actor
from gzvpp.meterdata import partitions, repository, schemas
from gzvpp.meterdata.plausibility import MeterSettings, reading_check
from gzvpp.models import MeterDay, Role, SystemLoadDay
from gzvpp.settlement.evaluation import Cause, Touched, evaluation_service

ValueColumn = Literal["kw", "mw"]
INTERVAL = dt.timedelta(minutes=INTERVAL_MINUTES)
MAX_SPAN = dt.timedelta(days=366)  # of one read: about 35,000 points
NAMES_SHOWN = 100  # accounts listed in a refusal
UPLOADERS = (Role.METERING, Role.GRID_OPERATOR)
_EPOCH = dt.datetime(1970, 1, 1)
Field = tuple[str | int, ...]


class MeterDataService:
    """Uploads and reads of 15-minute loads and of the Guangzhou system load."""

    def require_uploader(self, actor: Actor) -> None:
        """Settlement meter data comes from the metering side only (第九条): 403 for anyone
        else, a participant included."""
        if actor.role not in UPLOADERS:
            raise Forbidden(
                "结算用计量数据只能由计量自动化系统或广州供电局上传（第九条：负荷数据来源于用户"
                "计量自动化系统）/ settlement meter data comes only from the metering system "
                f"(role metering) or the grid operator; role {actor.role.value} may not send it"
            )

    def upload_file(
        self,
        session: Session,
        actor: Actor,
        now: dt.datetime,
        path: Path,
        upload: Upload,
        value_column: ValueColumn,
        runner: Runner,
    ) -> schemas.UploadSummary:
        """Merge an uploaded CSV or Parquet file: ``account_id,ts,kw`` or ``ts,mw``.

        The file is read by :func:`gzvpp.files.loads.read_interval_rows`, the validation of
        ``gzvpp evaluate`` plus the plausibility checks; its first fault is a 422 naming the
        file, the line (CSV) or row (Parquet) and the reason, and nothing is written.
        """
        self.require_uploader(actor)
        suffix = Path(upload.source).suffix.lower()
        path = path.rename(path.with_name(f"upload{suffix}"))  # the reader goes by the suffix
        field: Field = ("body", "file")

        def screen(names: tuple[str, ...]) -> RowCheck:
            held = _check_accounts(session, names, field) if value_column == "kw" else None
            return reading_check(upload.settings, now, names, held, value_column)

        try:
            rows = read_interval_rows(
                path,
                value_column=value_column,
                max_rows=upload.settings.max_rows,
                screen=screen,
            )
        except InputError as err:
            # Name the file as the client sent it, not the temporary copy.
            raise Invalid(f"{err.where(upload.source)}：{err.reason}", field) from None
        return self._store(session, actor, now, rows, value_column, upload, field, runner)

    def upload_readings(
        self,
        session: Session,
        actor: Actor,
        now: dt.datetime,
        upload: schemas.ReadingsUpload,
        settings: MeterSettings,
        runner: Runner,
    ) -> schemas.UploadSummary:
        """Merge readings sent as JSON, checked like a file (grid, plausibility, repeats)."""
        self.require_uploader(actor)
        rows = _readings_rows(
            upload.readings,
            lambda names: reading_check(
                settings, now, names, _check_accounts(session, names, ("body", "readings")), "kw"
            ),
        )
        received = Upload("api", settings, reason=(upload.reason or "").strip() or None)
        return self._store(session, actor, now, rows, "kw", received, ("body", "readings"), runner)

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
        rows: IntervalRows,
        value_column: ValueColumn,
        upload: Upload,
        field: Field,
        runner: Runner,
    ) -> schemas.UploadSummary:
        """Merge ``rows`` into the stored days a block of pairs at a time, audit what changed,
        require a reason for a correction of published results, and queue the evaluation."""
        if not len(rows.slots):
            raise Invalid(f"{upload.source} holds no readings", field)
        loads = value_column == "kw"
        model: type[MeterDay] | type[SystemLoadDay] = MeterDay if loads else SystemLoadDay
        added = changed = 0
        before: list[dict[str, Any]] = []
        after: list[dict[str, Any]] = []
        touched: defaultdict[str, list[int]] = defaultdict(list)
        corrected: defaultdict[str, list[int]] = defaultdict(list)
        days = rows.days()
        if loads:
            # New months' partitions before any row is locked: a transaction that waits for
            # the partition lock then holds no row another upload could be waiting for.
            partitions.ensure_months(session, [date_of(int(d)) for d in days])
        for block in rows.blocks(repository.PAIRS_PER_QUERY):
            names = [rows.series[c] for c in block.codes]
            stored = repository.load_pairs(
                session, names if loads else None, block.days, for_update=True
            )
            merge = _merge(block.values, stored)
            added += int(merge.added.sum())
            changed += int(merge.changed.sum())
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            for p in np.flatnonzero(merge.write):
                row = {
                    **_series_key(names[p], loads),
                    "day": date_of(int(block.days[p])),
                    value_column: repository.encode_day(merge.values[p]),
                    "updated_at": now,
                }
                (updates if merge.existed[p] else inserts).append(row)
                touched[names[p]].append(int(block.days[p]))
            repository.save_days(session, model, inserts, updates)
            for p, k in zip(*np.nonzero(merge.changed), strict=True):
                key = {
                    **_series_key(names[p], loads),
                    "ts": _interval_start(int(block.days[p]), int(k)).isoformat(),
                }
                before.append({**key, value_column: float(stored[p, k])})
                after.append({**key, value_column: float(block.values[p, k])})
            for p in np.flatnonzero(merge.changed.any(axis=1)):
                corrected[names[p]].append(int(block.days[p]))

        summary = schemas.UploadSummary(
            source=upload.source,
            series=len(rows.series),
            days=len(days),
            values=len(rows.slots),
            new_values=added,
            changed_values=changed,
            unchanged_values=len(rows.slots) - added - changed,
            negative_values=int((rows.values < 0).sum()),
            evaluations=[],
            job=None,
        )
        if not touched:
            return summary
        reopened = evaluation_service.evaluated_readers(session, now, _touched(corrected, loads))
        if reopened and not upload.reason:
            raise Invalid(
                f"此次上传更正了已评估事件 {', '.join(reopened)} 所用的计量数据，须填写更正原因"
                f"（reason）/ this upload corrects meter data that the evaluated events "
                f"{', '.join(reopened)} read: give the correction's reason",
                ("body", "reason"),
            )
        record(
            session,
            actor.label,
            repository.UPLOAD_ACTION,
            model.__tablename__,
            repository.upload_span(days),
            {"changed": before},
            {
                **summary.model_dump(mode="json", exclude={"evaluations"}),
                "reason": upload.reason,
                "changed": after,
            },
            at=now,
        )
        # The data and its evaluation's job commit together; the evaluation runs after the
        # commit, so that one that fails cannot take the upload back with it.
        job = job_service.queue_evaluation(
            session,
            runner,
            actor,
            now,
            _touched(touched, loads),
            Cause(f"meter_data.upload {upload.source}", upload.reason),
        )
        session.commit()
        summary.job, summary.evaluations = job_service.after_commit(session, runner, now, job)
        return summary


meterdata_service = MeterDataService()


@dataclass(frozen=True)
class Upload:
    """What came with an upload besides its readings: the file's name as sent (``api`` for
    JSON), the limits in force, and the reason given for a correction."""

    source: str
    settings: MeterSettings
    reason: str | None = None


@dataclass(frozen=True)
class _Merge:
    """An upload's (series, day) pairs laid over the values stored for them.

    ``added``, ``changed`` and ``values`` are (pairs, interval); ``write`` (the day row must be
    written) and ``existed`` (a row is stored) are per pair.
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
        write=(added | changed).any(axis=-1),
        # A stored day always holds a reading: a day with none is never written.
        existed=np.any(held, axis=-1),
    )


def _touched(days: dict[str, list[int]], loads: bool) -> Touched:
    """Day numbers per account (or of the system load) as the evaluation's :class:`Touched`."""
    arrays = {name: np.array(sorted(d), dtype=np.int64) for name, d in days.items()}
    if loads:
        return Touched(loads=arrays)
    return Touched(system=arrays.get(repository.SYSTEM_SERIES, np.zeros(0, dtype=np.int64)))


def _check_accounts(
    session: Session, accounts: Sequence[str], field: Field
) -> dict[str, repository.HeldAccount]:
    """The accounts' holdings; 422 listing those nobody holds (the platform meters enrolled
    accounts only)."""
    held = repository.held_accounts(session, accounts)
    unknown = [a for a in accounts if a not in held]
    if unknown:
        raise Invalid(
            f"accounts not held by any participant: {_listing(unknown)}; the platform meters "
            "enrolled accounts only",
            field,
        )
    return held


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(sorted(names)[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def _readings_rows(
    readings: Sequence[schemas.Reading], screen: Callable[[tuple[str, ...]], RowCheck]
) -> IntervalRows:
    """JSON readings as :class:`IntervalRows`, with the file reader's checks (15-minute grid,
    no repeats) and ``screen``'s (accounts, then plausibility).

    Raises
    ------
    Invalid
        Naming the reading (``["body", "readings", index, "ts"]``, or ``"kw"``).
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
    values = np.array([r.kw for r in readings], dtype=np.float64)
    if not np.isfinite(values).all():
        index = int(np.argmin(np.isfinite(values)))
        raise Invalid(
            f"kw {values[index]} is not a finite number", ("body", "readings", index, "kw")
        )
    unique, codes = np.unique([r.account_id for r in readings], return_inverse=True)
    names = tuple(str(n) for n in unique)
    fault = screen(names)(codes, slots, values)
    if fault is not None:
        raise Invalid(fault.reason, ("body", "readings", fault.row, fault.column))
    try:
        return IntervalRows.of(names, codes, slots, values)
    except RepeatedReading as repeat:
        later = readings[repeat.later]
        raise Invalid(
            f"duplicate reading: account {later.account_id} at "
            f"{to_local(later.ts).isoformat()} is also readings[{repeat.earlier}]",
            ("body", "readings", repeat.later, "ts"),
        ) from None


def _series_key(name: str, loads: bool) -> dict[str, str]:
    """The key of a series in its table: the account, or nothing for the one system load."""
    return {"account_id": name} if loads else {}


def _interval_start(day: int, interval: int) -> dt.datetime:
    return dt.datetime.combine(date_of(day), dt.time()) + interval * INTERVAL
