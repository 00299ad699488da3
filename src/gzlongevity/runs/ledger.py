"""The database as the rules engine's input: the register, the confirmations and standards
(:class:`~gzlongevity.batch.replay.PayrollInputs`) and what approved lists paid (the ledger), so
that one run of :class:`~gzlongevity.batch.replay.Payroll` — the replay behind
``gzlongevity payroll`` — works out the month: every due line not yet paid, every paid line no
longer due.

The payroll is given the ledger of the lists approved in earlier months (each payer's list of a
run is approved on its own) and told the previous month was run;
with no previous run day it works out every person's months from their rows visible on the
run day (its full recomputation), exactly what it does for people whose data changed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzlongevity.batch.replay import Payroll, PayrollInputs, RunResult
from gzlongevity.core.calendar import FIRST_MONTH, BoolArray, IntArray
from gzlongevity.core.register import NO_DAY
from gzlongevity.core.standards import PAYERS
from gzlongevity.core.standards import DistrictStandard as StandardRow
from gzlongevity.intake.repository import RegisterArrays, load_register, raw_frame
from gzlongevity.models import DistrictStandard, LineKind, PaymentRun, RunSignoff


@dataclass(frozen=True)
class MonthResult:
    """One month worked out: the engine's result and the register it read."""

    result: RunResult
    register: RegisterArrays


def payroll_inputs(session: Session) -> tuple[PayrollInputs, RegisterArrays]:
    """Everything the engine reads, from the database."""
    register = load_register(session)
    confirmations = raw_frame(
        session,
        "SELECT id_number, confirmed_on FROM persons WHERE confirmed_on IS NOT NULL",
        ("person_id", "confirmed_on"),
    )
    confirmed = (
        pl.DataFrame({"person_id": pl.Series(register.person_ids, dtype=pl.String)})
        .join(confirmations, on="person_id", how="left", maintain_order="left")
        .get_column("confirmed_on")
        .str.to_date("%Y-%m-%d")
        .cast(pl.Int32)
        .fill_null(NO_DAY)
        .to_numpy()
        .astype(np.int32)
    )
    standards = [
        StandardRow(row.district, row.tier, row.monthly_fen, row.from_month)
        for row in session.scalars(select(DistrictStandard))
    ]
    inputs = PayrollInputs(
        person_ids=register.person_ids,
        birth_day=register.birth_day,
        confirmed_day=confirmed,
        row_person=register.row_person,
        row_event=register.row_event,
        row_day=register.row_day,
        row_known=register.row_known,
        row_place=register.row_place,
        places=register.places,
        standards=standards,
    )
    return inputs, register


@dataclass(frozen=True)
class _Rows:
    """One approved list's paid lines, or its overpayments, as the ledger takes them: each
    row's person (its place in a register's ``person_ids``), month column (from 2021-09), 100+
    or not, amount in fen."""

    person: npt.NDArray[np.int64]
    column: npt.NDArray[np.int64]
    hundred: BoolArray
    amount: IntArray

    def renumbered(self, new_place: npt.NDArray[np.int64]) -> _Rows:
        """The rows with their people numbered anew (``new_place`` of each old place; -1: not
        in the register any more, the row dropped as the join drops it)."""
        person = new_place[self.person]
        kept = person >= 0
        return _Rows(person[kept], self.column[kept], self.hundred[kept], self.amount[kept])


# Approved lists never change (L5), so what each paid is read from the database once per
# process. Keyed by the database, the run's id, the payer and its approval time, so that a
# database made again at the same address is not mistaken for the old one. The rows hold their
# people numbered as in the register last worked out (_NUMBERED): when people arrive, the
# numbers are mapped to the new register's — 200,000 people — instead of joining the rows'
# ID numbers again, 1.5 million of them by the last month of the demo.
_APPROVED: dict[tuple[str, int, str, str], tuple[int, _Rows, _Rows]] = {}
_NUMBERED: dict[str, list[str]] = {}
CACHED_LISTS = 240 * len(PAYERS)
_CACHE_LOCK = threading.Lock()


def _numbered(database: str, person_ids: list[str], index: pl.DataFrame) -> None:
    """Number the held lists of ``database`` by ``person_ids`` (``index``: each ID's place)."""
    before = _NUMBERED.get(database)
    if before is None or before == person_ids:
        _NUMBERED[database] = person_ids
        return
    new_place = (
        pl.DataFrame({"person_id": pl.Series(before, dtype=pl.String)})
        .join(index, on="person_id", how="left", maintain_order="left")
        .get_column("person")
        .fill_null(-1)
        .to_numpy()
        .astype(np.int64)
    )
    for key, (run_month, paid, over) in list(_APPROVED.items()):
        if key[0] == database:
            _APPROVED[key] = (run_month, paid.renumbered(new_place), over.renumbered(new_place))
    _NUMBERED[database] = person_ids


def _rows(frame: pl.DataFrame, index: pl.DataFrame) -> _Rows:
    """A list's rows (person_id, for_month, kind, amount_fen as text) as the ledger takes them."""
    joined = frame.join(index, on="person_id", how="inner")
    return _Rows(
        joined.get_column("person").to_numpy().astype(np.int64),
        joined.get_column("for_month").cast(pl.Int64).to_numpy() - FIRST_MONTH,
        (joined.get_column("kind") == LineKind.CENTENARIAN.value).to_numpy(),
        joined.get_column("amount_fen").cast(pl.Int32).to_numpy(),
    )


def _approved_runs(
    session: Session, person_ids: list[str], month: int
) -> list[tuple[int, _Rows, _Rows]]:
    """Lines paid and overpayments found by every list approved in a run before ``month``,
    each list with its run's month, its people numbered by ``person_ids``."""
    database = session.connection().engine.url.render_as_string(hide_password=True)
    index = pl.DataFrame(
        {
            "person_id": pl.Series(person_ids, dtype=pl.String),
            "person": pl.Series(range(len(person_ids)), dtype=pl.Int32),
        }
    )
    # One caller at a time: a run worked out in another thread renumbers the held lists by
    # its own register, which would mix numberings in this caller's answer.
    with _CACHE_LOCK:
        if len(_APPROVED) >= CACHED_LISTS:
            _APPROVED.clear()
            _NUMBERED.clear()
        _numbered(database, person_ids, index)
        found = []
        lists = session.execute(
            select(PaymentRun.id, PaymentRun.month, RunSignoff.district, RunSignoff.at)
            .join(RunSignoff, RunSignoff.run_id == PaymentRun.id)
            .where(RunSignoff.street == "", PaymentRun.month < month)
        ).all()
        for run_id, run_month, payer, approved_at in lists:
            if payer not in PAYERS:
                raise ValueError(f"unknown payer {payer!r} approved run {run_id}")
            key = (database, run_id, payer, str(approved_at))
            if key not in _APPROVED:
                columns = ("person_id", "for_month", "kind", "amount_fen")
                where = f"WHERE run_id = {int(run_id)} AND payer = '{payer}'"
                paid = raw_frame(
                    session,
                    "SELECT person_id, for_month, kind, city_fen + extra_fen FROM run_lines "
                    + where,
                    columns,
                )
                over = raw_frame(
                    session,
                    f"SELECT person_id, for_month, kind, amount_fen FROM run_overpayments {where}",
                    columns,
                )
                _APPROVED[key] = (run_month, _rows(paid, index), _rows(over, index))
            found.append(_APPROVED[key])
        return found


def _load_ledger(session: Session, payroll: Payroll, person_ids: list[str], month: int) -> None:
    """Enter what the lists approved before ``month`` paid, and the overpayments they found,
    in the payroll."""
    october = np.full(max(payroll.paid_run.shape[1], 1), -1, dtype=np.int64)
    october[payroll.october_columns] = np.arange(len(payroll.october_columns))
    for run_month, paid, over in _approved_runs(session, person_ids, month):
        monthly, hundred = ~paid.hundred, paid.hundred
        payroll.paid_run[paid.person[monthly], paid.column[monthly]] = run_month
        payroll.paid_fen[paid.person[monthly], paid.column[monthly]] = paid.amount[monthly]
        payroll.centenarian_run[paid.person[hundred], october[paid.column[hundred]]] = run_month
        payroll.flagged[over.person[~over.hundred], over.column[~over.hundred]] = True
        payroll.centenarian_flagged[
            over.person[over.hundred], october[over.column[over.hundred]]
        ] = True


def work_out(session: Session, month: int, run_day: int) -> MonthResult:
    """Month ``month`` by the engine, on the data known on its run day."""
    inputs, register = payroll_inputs(session)
    payroll = Payroll(inputs, last_month=month, run_day=run_day)
    _load_ledger(session, payroll, register.person_ids, month)
    payroll.previous_month = month - 1
    return MonthResult(payroll.run(month), register)
