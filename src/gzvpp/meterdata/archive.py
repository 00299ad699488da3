"""Archiving a month of meter data to Parquet (``gzvpp db archive-month``, PostgreSQL only).

A month's partition of ``meter_days`` is detached, its rows written to one Parquet file in the
layout ``gzvpp evaluate --loads`` reads (``account_id,ts,kw``, one row per reading, as
``gzvpp export-inputs`` writes), the file read back and its counts checked against the table,
and only then the detached table dropped. Nothing is left half-done: if writing or checking
fails, the file is removed and the partition attached again; a run stopped between detaching
and dropping (the process killed) leaves the detached table, which the next run attaches again
before it starts over.

A month an event still needs is refused: an event not cancelled whose results are not final
(not yet evaluated, or evaluated with a result still missing data) and whose evaluation reads
a day of that month (its response day, its neighbours, its baseline look-back; R3, R4).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gzkit.advisory import transaction_lock
from gzkit.calendar import Calendar, CalendarError
from gzkit.db import make_sessionmaker, session_scope
from gzkit.errors import Conflict, NotFound
from gzvpp.core.assessment import Status
from gzvpp.core.baseline import LOOKBACK_DAYS
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.core.timeseries import day_number
from gzvpp.evaluation.run import days_needed
from gzvpp.kit.audit import record
from gzvpp.kit.locks import Lock
from gzvpp.meterdata import partitions
from gzvpp.models import Event, EventStatus
from gzvpp.settlement import repository as settlement
from gzvpp.settlement.evaluation import engine_event
from gzvpp.settlement.reproduce import readings_table

ACCOUNT_DAYS_PER_BATCH = 2000  # about 190,000 readings: one Parquet row group
EVENTS_NAMED = 20  # events listed in a refusal
SCHEMA = pa.schema([("account_id", pa.string()), ("ts", pa.timestamp("s")), ("kw", pa.float64())])


@dataclass(frozen=True)
class Archived:
    """What an archive run wrote: the file, the account-days and readings it holds."""

    path: Path
    account_days: int
    readings: int


def archive_path(out: Path, month: dt.date) -> Path:
    """``OUT/loads_YYYY-MM.parquet``."""
    return out / f"loads_{month:%Y-%m}.parquet"


def archive_month(engine: Engine, month: dt.date, out: Path, now: dt.datetime) -> Archived:
    """Move ``month``'s meter data from the database to ``archive_path(out, month)``.

    Raises
    ------
    Conflict
        The month has not ended by ``now``; not PostgreSQL; ``out`` is no usable directory;
        the file exists already; an event still needs the month (naming it); the table is too
        busy to detach; the file cannot be written or does not read back complete (the
        partition is attached again).
    NotFound
        No meter data is stored for ``month``.
    """
    if partitions.next_month(month) > now.date():
        raise Conflict(
            f"{month:%Y-%m} 尚未结束，不能归档 / {month:%Y-%m} has not ended; it cannot be archived"
        )
    factory = make_sessionmaker(engine)
    path = archive_path(out, month)
    name = partitions.partition_name(month)
    with session_scope(factory) as session:
        if not partitions.is_partitioned(session):
            raise Conflict(
                "按月归档计量数据仅适用于按月分区的 PostgreSQL 数据库 / archiving a month needs "
                "PostgreSQL, where meter_days is partitioned by month"
            )
        transaction_lock(session, Lock.METER_PARTITIONS)
        if name not in partitions.attached(session) and partitions.table_exists(session, name):
            partitions.attach(session, month)  # left detached by a run that was stopped
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise Conflict(
            f"归档目录 {out} 不可用（{err.strerror}）/ the archive directory {out} is unusable"
        ) from None
    with session_scope(factory) as session:
        if path.exists():
            raise Conflict(f"归档文件 {path} 已存在 / the archive file {path} exists already")
        transaction_lock(session, Lock.METER_PARTITIONS)
        if name not in partitions.attached(session):
            raise NotFound(
                f"{month:%Y-%m} 没有存储的计量数据（或已归档）/ no meter data is stored for "
                f"{month:%Y-%m} (or it was archived)"
            )
        needing = events_needing(session, month)
        if needing:
            listed = "、".join(needing[:EVENTS_NAMED]) + (
                f" 等 {len(needing)} 个" if len(needing) > EVENTS_NAMED else ""
            )
            raise Conflict(
                f"{month:%Y-%m} 的计量数据仍为结果未定的事件 {listed} 所需（其响应日或基线回溯日在"
                f"该月），不能归档 / events whose results are not final read meter data of "
                f"{month:%Y-%m}: {', '.join(needing[:EVENTS_NAMED])}"
            )
        try:
            partitions.detach(session, month)
        except DBAPIError:  # the lock timeout
            raise Conflict(
                f"计量数据表正忙，{partitions.DETACH_LOCK_TIMEOUT} 内未能分离 {month:%Y-%m} 的"
                f"分区，请稍后重试 / meter_days stayed busy; {month:%Y-%m} was not detached, "
                "try again"
            ) from None
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with session_scope(factory) as session:
            archived = _write(session, name, temporary)
            _check(temporary, archived, session.scalar(text(f"SELECT count(*) FROM {name}")))
        os.replace(temporary, path)
        with session_scope(factory) as session:
            transaction_lock(session, Lock.METER_PARTITIONS)
            partitions.drop(session, month)
            record(
                session,
                "cli",
                "meter_data.archive",
                partitions.TABLE,
                f"{month:%Y-%m}",
                None,
                {"file": str(path), "account_days": archived[0], "readings": archived[1]},
                at=now,
            )
    except BaseException as err:
        with session_scope(factory) as session:
            transaction_lock(session, Lock.METER_PARTITIONS)
            partitions.attach(session, month)
        temporary.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        if isinstance(err, (OSError, pa.ArrowException, ArchiveMismatch)):
            raise Conflict(
                f"写入归档文件 {path} 失败（{err}），{month:%Y-%m} 的计量数据已留在数据库中 / "
                f"writing {path} failed ({err}); the meter data of {month:%Y-%m} stays stored"
            ) from err
        raise
    return Archived(path, *archived)


class ArchiveMismatch(Exception):
    """The file written does not read back with the table's counts."""


def _write(session: Session, table: str, path: Path) -> tuple[int, int]:
    """Write every row of ``table`` to ``path`` by account then day; (account-days, readings)."""
    account_days = readings = 0
    rows = session.execute(
        text(f"SELECT account_id, day, kw FROM {table} ORDER BY account_id, day").execution_options(
            yield_per=ACCOUNT_DAYS_PER_BATCH
        )
    )
    with pq.ParquetWriter(path, SCHEMA) as writer:
        for batch in rows.partitions():
            values = np.frombuffer(b"".join(r[2] for r in batch), dtype="<f8")
            days = np.fromiter((day_number(r[1]) for r in batch), dtype=np.int64, count=len(batch))
            chunk = readings_table(
                "kw", days, values.reshape(-1, INTERVALS_PER_DAY), [r[0] for r in batch]
            )
            writer.write_table(chunk.cast(SCHEMA))
            account_days += len(batch)
            readings += chunk.num_rows
    return account_days, readings


def _check(path: Path, written: tuple[int, int], stored: int | None) -> None:
    """Read ``path`` back: its readings and its distinct (account, day) pairs must be what was
    written, and the pairs as many as the table's rows."""
    account_days, readings = written
    file = pq.ParquetFile(path)
    pairs, last = 0, None
    for batch in file.iter_batches(columns=["account_id", "ts"], batch_size=1 << 16):
        if not batch.num_rows:
            continue
        keys = pa.table(
            {
                "account_id": batch.column("account_id"),
                "day": pc.floor_temporal(batch.column("ts"), unit="day"),
            }
        )
        distinct = keys.group_by(["account_id", "day"], use_threads=False).aggregate([])
        first = (keys["account_id"][0].as_py(), keys["day"][0].as_py())
        pairs += distinct.num_rows - (first == last)
        last = (keys["account_id"][-1].as_py(), keys["day"][-1].as_py())
    if not (file.metadata.num_rows == readings and pairs == account_days == stored):
        raise ArchiveMismatch(
            f"读回 {file.metadata.num_rows} 个读数、{pairs} 个户日，表中 {stored} 个户日 / read "
            f"back {file.metadata.num_rows} readings over {pairs} account-days; the table holds "
            f"{stored}"
        )


def events_needing(session: Session, month: dt.date) -> list[str]:
    """The events whose results are not final and whose evaluation reads a day of ``month``.

    Not final: not cancelled, and not yet evaluated (awarded, or still taking bids) or
    evaluated with a result still missing data. An event on day D reads no day after D + 1, so
    only events from the day before the month on are candidates. An event whose days the
    calendar cannot give counts as needing the month.
    """
    first, after = month, partitions.next_month(month)
    month_days = np.arange(day_number(first), day_number(after))
    events = session.scalars(
        select(Event)
        .where(
            Event.status != EventStatus.CANCELLED,
            Event.start_at >= dt.datetime.combine(first - dt.timedelta(days=1), dt.time()),
        )
        .order_by(Event.start_at, Event.id)
    ).all()
    awards = settlement.awards_of(session, [e.id for e in events])
    results = settlement.results_of_awards(
        session, [a.id for rows in awards.values() for a in rows]
    )
    calendar = Calendar()
    needing = []
    for event in events:
        awarded = awards.get(event.id, [])
        if event.status is EventStatus.EVALUATED:
            if all(
                a.id in results and results[a.id].status != Status.MISSING_DATA for a in awarded
            ):
                continue
        elif not awarded and event.status is not EventStatus.PUBLISHED:
            continue  # closed without awards: nothing to evaluate
        try:
            needed = days_needed([engine_event(event, awarded)], calendar, LOOKBACK_DAYS)
        except CalendarError:
            needing.append(event.id)
            continue
        if np.isin(needed, month_days).any():
            needing.append(event.id)
    return needing
