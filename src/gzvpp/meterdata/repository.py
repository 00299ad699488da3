"""SQL for meter data: days of 96 interval values stored as float64 blobs (see models.meter_day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Table, bindparam, select, tuple_
from sqlalchemy.orm import Session

from gzkit.db import in_ids
from gzvpp.core.eligibility import MAX_PEAK_SHARE
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.core.model import ParticipantKind
from gzvpp.core.timeseries import FloatArray, IntArray, IntervalCube, date_of, day_number
from gzvpp.meterdata import partitions
from gzvpp.models import Account, AuditLog, MeterDay, Participant, SystemLoadDay

SYSTEM_SERIES = "system"
#: The audit action of an upload that wrote meter data; its entity is the table written.
UPLOAD_ACTION = "meter_data.upload"
PAIRS_PER_QUERY = 2000  # (account, day) pairs: up to two bound parameters each


def encode_day(values: FloatArray) -> bytes:
    """96 interval values as little-endian float64 bytes (NaN = no reading)."""
    return np.ascontiguousarray(values, dtype="<f8").tobytes()


def decode_day(blob: bytes) -> FloatArray:
    """Inverse of :func:`encode_day`."""
    return np.frombuffer(blob, dtype="<f8").astype(np.float64)


def upload_span(days: IntArray) -> str:
    """The days an upload wrote, as its audit row names them: ``first..last`` (ISO dates)."""
    return f"{date_of(int(days.min())).isoformat()}..{date_of(int(days.max())).isoformat()}"


def load_uploads_since(session: Session, since: dt.datetime) -> list[tuple[dt.date, dt.date]]:
    """The first and last day of every upload that wrote meter loads at or after ``since``
    (from the audit log: every write of an upload has its row there, :func:`upload_span`).
    At ``since`` too: an upload at the same instant may have come after what ``since`` marks."""
    spans = session.scalars(
        select(AuditLog.entity_id).where(
            AuditLog.at >= since,
            AuditLog.action == UPLOAD_ACTION,
            AuditLog.entity == MeterDay.__tablename__,
        )
    )
    firsts_lasts = (span.split("..") for span in spans)
    return [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in firsts_lasts]


def _wanted(column: Any, days: IntArray) -> Any:
    """The day filter: exactly the days asked for (they may be sparse: a year back, and now)."""
    return column.in_([date_of(int(d)) for d in days])


def _decode_into(
    values: FloatArray, rows: IntArray, days: IntArray, found: IntArray, blobs: Sequence[bytes]
) -> None:
    """Decode day blobs into ``values[rows, position of found in days]`` in one pass."""
    if blobs:
        decoded = np.frombuffer(b"".join(blobs), dtype="<f8").reshape(-1, INTERVALS_PER_DAY)
        values[rows, np.searchsorted(days, found)] = decoded


def load_cube(
    session: Session, accounts: Sequence[str], days: IntArray, *, for_update: bool = False
) -> IntervalCube:
    """Loads (kW) of ``accounts`` over ``days`` (day numbers); NaN where nothing is stored.

    ``for_update`` locks the rows read (PostgreSQL) until the transaction ends, so an upload
    that is about to replace them sees the values it replaces.
    """
    days = np.unique(np.asarray(days, dtype=np.int64))
    values = np.full((len(accounts), len(days), INTERVALS_PER_DAY), np.nan)
    if len(days) and len(accounts):
        row = {a: i for i, a in enumerate(accounts)}
        for listed in in_ids(session, MeterDay.account_id, accounts):
            statement = select(MeterDay.account_id, MeterDay.day, MeterDay.kw).where(
                listed, _wanted(MeterDay.day, days)
            )
            stored = session.execute(statement.with_for_update() if for_update else statement)
            found = stored.all()
            _decode_into(
                values,
                np.fromiter((row[r[0]] for r in found), dtype=np.int64, count=len(found)),
                days,
                np.fromiter((day_number(r[1]) for r in found), dtype=np.int64, count=len(found)),
                [r[2] for r in found],
            )
    return IntervalCube(tuple(accounts), days, values)


def load_system_cube(session: Session, days: IntArray, *, for_update: bool = False) -> IntervalCube:
    """Guangzhou system load (MW) over ``days`` as a one-series cube named ``system``.

    ``for_update`` locks the rows read, as in :func:`load_cube`.
    """
    days = np.unique(np.asarray(days, dtype=np.int64))
    values = np.full((1, len(days), INTERVALS_PER_DAY), np.nan)
    if len(days):
        statement = select(SystemLoadDay.day, SystemLoadDay.mw).where(
            _wanted(SystemLoadDay.day, days)
        )
        found = session.execute(statement.with_for_update() if for_update else statement).all()
        _decode_into(
            values,
            np.zeros(len(found), dtype=np.int64),
            days,
            np.fromiter((day_number(r[0]) for r in found), dtype=np.int64, count=len(found)),
            [r[1] for r in found],
        )
    return IntervalCube((SYSTEM_SERIES,), days, values)


def load_pairs(
    session: Session, accounts: Sequence[str] | None, days: IntArray, *, for_update: bool
) -> FloatArray:
    """The stored values of each (account, day) pair, shape (pairs, 96), NaN where none.

    With ``accounts`` None, the system load's ``days``. An upload is merged a block of
    :data:`PAIRS_PER_QUERY` pairs at a time, reading exactly the days it sends: a block of whole
    days of a few accounts (as most files are) by its accounts and its days, one scattered over
    many accounts and days by its pairs, so that the rows read never outgrow the block.
    ``for_update`` locks the rows read, as in :func:`load_cube`.
    """
    dates = [date_of(int(d)) for d in days]
    statement: Any
    if accounts is None:
        keys: list[Any] = dates
        statement = select(SystemLoadDay.day, SystemLoadDay.mw).where(SystemLoadDay.day.in_(dates))
    else:
        keys = list(zip(accounts, dates, strict=True))
        names, distinct = set(accounts), set(dates)
        statement = select(MeterDay.account_id, MeterDay.day, MeterDay.kw)
        if len(names) * len(distinct) <= 2 * len(keys):
            statement = statement.where(MeterDay.account_id.in_(names), MeterDay.day.in_(distinct))
        else:
            statement = statement.where(tuple_(MeterDay.account_id, MeterDay.day).in_(keys))
    values = np.full((len(keys), INTERVALS_PER_DAY), np.nan)
    if keys:
        position = {key: i for i, key in enumerate(keys)}
        found = session.execute(statement.with_for_update() if for_update else statement).all()
        at = [position.get(row[0] if accounts is None else (row[0], row[1])) for row in found]
        kept = [(i, row[-1]) for i, row in zip(at, found, strict=True) if i is not None]
        if kept:
            rows = np.fromiter((i for i, _ in kept), dtype=np.int64, count=len(kept))
            blob = b"".join(b for _, b in kept)
            values[rows] = np.frombuffer(blob, dtype="<f8").reshape(-1, INTERVALS_PER_DAY)
    return values


def stored_days(session: Session, day_from: dt.date, day_to: dt.date) -> list[dt.date]:
    """Days in [day_from, day_to] with any system-load data stored."""
    return list(
        session.scalars(
            select(SystemLoadDay.day).where(SystemLoadDay.day.between(day_from, day_to))
        )
    )


def save_days(
    session: Session,
    model: type[MeterDay] | type[SystemLoadDay],
    inserts: Sequence[dict[str, Any]],
    updates: Sequence[dict[str, Any]],
) -> None:
    """Insert new day rows and replace stored ones (by primary key), each as one bulk statement.

    Every write of day rows comes here: on PostgreSQL the months of new meter days get their
    partitions first (:func:`gzvpp.meterdata.partitions.ensure_months`).
    Core statements rather than ORM bulk operations: the rows are plain dicts, and the ORM's
    per-row bookkeeping would cost more than the database work.
    """
    table = model.__table__
    assert isinstance(table, Table)
    if inserts and model is MeterDay:
        partitions.ensure_months(session, {row["day"] for row in inserts})
    if inserts:
        session.execute(table.insert(), inserts)
    if updates:
        keys = [column.name for column in table.primary_key]
        # the WHERE binds need names of their own; the SET clause takes the other keys
        statement = table.update().where(
            *(table.c[key] == bindparam(f"stored_{key}") for key in keys)
        )
        session.execute(
            statement, [{**row, **{f"stored_{k}": row[k] for k in keys}} for row in updates]
        )


def holders(session: Session, account_ids: Collection[str]) -> dict[str, str]:
    """The participant holding each of ``account_ids`` now; accounts nobody holds are absent."""
    found: dict[str, str] = {}
    for listed in in_ids(session, Account.account_id, list(account_ids)):
        rows = session.execute(
            select(Account.account_id, Account.participant_id).where(
                listed, Account.released_at.is_(None)
            )
        )
        found.update({account_id: participant_id for account_id, participant_id in rows})
    return found


@dataclass(frozen=True)
class HeldAccount:
    """What a meter upload checks an account against: who holds it since when, and its size.

    ``registered_kw`` is the power user's declared maximum load (最高用电负荷, 第四条（一）3)
    for a user's account; an aggregator's member declares only its capability, so for a member
    it is the maximum load that capability implies under the same rule (capability ÷ 20 %).
    """

    participant_id: str
    enrolled_at: dt.datetime
    registered_kw: float


def held_accounts(session: Session, account_ids: Collection[str]) -> dict[str, HeldAccount]:
    """The held accounts among ``account_ids``; accounts nobody holds are absent."""
    found: dict[str, HeldAccount] = {}
    for listed in in_ids(session, Account.account_id, list(account_ids)):
        rows = session.execute(
            select(
                Account.account_id,
                Account.participant_id,
                Account.created_at,
                Account.capability_kw,
                Participant.kind,
                Participant.max_load_kw,
            )
            .join(Participant, Participant.id == Account.participant_id)
            .where(listed, Account.released_at.is_(None))
        )
        for account_id, holder, created_at, capability, kind, max_load in rows:
            if kind is ParticipantKind.USER and max_load is not None:
                registered = float(max_load)
            else:
                registered = float(capability / MAX_PEAK_SHARE)
            found[account_id] = HeldAccount(holder, created_at, registered)
    return found


def ever_held(session: Session, account_id: str) -> bool:
    """True if any participant holds or once held ``account_id``."""
    return (
        session.scalar(select(Account.id).where(Account.account_id == account_id).limit(1))
        is not None
    )
