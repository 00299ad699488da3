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

from dataclasses import dataclass

import numpy as np
import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzlongevity.batch.replay import Payroll, PayrollInputs, RunResult
from gzlongevity.core.calendar import FIRST_MONTH
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


# Approved lists never change (L5), so what each paid is read from the database once per
# process. Keyed by the database, the run's id, the payer and its approval time, so that a
# database made again at the same address is not mistaken for the old one.
_APPROVED: dict[tuple[str, int, str, str], tuple[pl.DataFrame, pl.DataFrame]] = {}
CACHED_LISTS = 240 * len(PAYERS)


def _approved_runs(session: Session, month: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Lines paid and overpayments found by every list approved in a run before ``month``
    (person_id, for_month, kind, amount_fen, run_month)."""
    database = session.connection().engine.url.render_as_string(hide_password=True)
    lines, found = [], []
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
            if len(_APPROVED) >= CACHED_LISTS:
                _APPROVED.clear()
            columns = ("person_id", "for_month", "kind", "amount_fen")
            where = f"WHERE run_id = {int(run_id)} AND payer = '{payer}'"
            paid = raw_frame(
                session,
                f"SELECT person_id, for_month, kind, city_fen + extra_fen FROM run_lines {where}",
                columns,
            )
            over = raw_frame(
                session,
                f"SELECT person_id, for_month, kind, amount_fen FROM run_overpayments {where}",
                columns,
            )
            _APPROVED[key] = tuple(  # type: ignore[assignment]
                frame.with_columns(
                    pl.col("for_month", "amount_fen").cast(pl.Int32),
                    run_month=pl.lit(run_month, pl.Int32),
                )
                for frame in (paid, over)
            )
        lines.append(_APPROVED[key][0])
        found.append(_APPROVED[key][1])
    empty = pl.DataFrame(
        schema={
            "person_id": pl.String,
            "for_month": pl.Int32,
            "kind": pl.String,
            "amount_fen": pl.Int32,
            "run_month": pl.Int32,
        }
    )
    return pl.concat([empty, *lines]), pl.concat([empty, *found])


def _load_ledger(session: Session, payroll: Payroll, person_ids: list[str], month: int) -> None:
    """Enter what the lists approved before ``month`` paid, and the overpayments they found,
    in the payroll."""
    index = pl.DataFrame(
        {
            "person_id": pl.Series(person_ids, dtype=pl.String),
            "person": pl.Series(range(len(person_ids)), dtype=pl.Int32),
        }
    )
    october = np.full(max(payroll.paid_run.shape[1], 1), -1, dtype=np.int64)
    october[payroll.october_columns] = np.arange(len(payroll.october_columns))
    paid, found = _approved_runs(session, month)
    for frame, is_paid in ((paid, True), (found, False)):
        joined = frame.join(index, on="person_id", how="inner")
        hundred = (joined.get_column("kind") == LineKind.CENTENARIAN.value).to_numpy()
        person = joined.get_column("person").to_numpy()
        column = joined.get_column("for_month").to_numpy().astype(np.int64) - FIRST_MONTH
        run_month = joined.get_column("run_month").to_numpy()
        if is_paid:
            monthly = ~hundred
            payroll.paid_run[person[monthly], column[monthly]] = run_month[monthly]
            payroll.paid_fen[person[monthly], column[monthly]] = joined.get_column(
                "amount_fen"
            ).to_numpy()[monthly]
            payroll.centenarian_run[person[hundred], october[column[hundred]]] = run_month[hundred]
        else:
            payroll.flagged[person[~hundred], column[~hundred]] = True
            payroll.centenarian_flagged[person[hundred], october[column[hundred]]] = True


def work_out(session: Session, month: int, run_day: int) -> MonthResult:
    """Month ``month`` by the engine, on the data known on its run day."""
    inputs, register = payroll_inputs(session)
    payroll = Payroll(inputs, last_month=month, run_day=run_day)
    _load_ledger(session, payroll, register.person_ids, month)
    payroll.previous_month = month - 1
    return MonthResult(payroll.run(month), register)
