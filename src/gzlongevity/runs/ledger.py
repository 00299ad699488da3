"""The database as the rules engine's input: the register, the confirmations and standards
(:class:`~gzlongevity.batch.replay.PayrollInputs`) and what approved runs paid (the ledger), so
that one run of :class:`~gzlongevity.batch.replay.Payroll` — the replay behind
``gzlongevity payroll`` — works out the month: every due line not yet paid, every paid line no
longer due.

The payroll is given the ledger of the approved runs and told the previous month was run;
with no previous run day it works out every person's months from their rows visible on the
run day (its full recomputation), exactly what it does for people whose data changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from gzlongevity.batch.replay import Payroll, PayrollInputs, RunResult
from gzlongevity.core.calendar import FIRST_MONTH, day_number
from gzlongevity.core.register import NO_DAY
from gzlongevity.core.standards import DistrictStandard as StandardRow
from gzlongevity.intake.repository import RegisterArrays, load_register
from gzlongevity.models import (
    DistrictStandard,
    LineKind,
    PaymentRun,
    Person,
    RunLine,
    RunOverpayment,
    RunStatus,
)


@dataclass(frozen=True)
class MonthResult:
    """One month worked out: the engine's result and the register it read."""

    result: RunResult
    register: RegisterArrays


def payroll_inputs(session: Session) -> tuple[PayrollInputs, RegisterArrays]:
    """Everything the engine reads, from the database."""
    register = load_register(session)
    index = {person: k for k, person in enumerate(register.person_ids)}
    confirmed = np.full(len(register.person_ids), NO_DAY, dtype=np.int32)
    for person_id, day in session.execute(select(Person.id_number, Person.confirmed_on)):
        if day is not None:
            confirmed[index[person_id]] = day_number(day)
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


def _load_ledger(session: Session, payroll: Payroll, index: dict[str, int]) -> None:
    """Enter what approved runs paid, and the overpayments they found, in the payroll."""
    october_column = {int(c): k for k, c in enumerate(payroll.october_columns)}
    approved = (
        select(PaymentRun.id, PaymentRun.month)
        .where(PaymentRun.status == RunStatus.APPROVED)
        .subquery()
    )
    lines = session.execute(
        select(
            RunLine.person_id,
            RunLine.for_month,
            RunLine.kind,
            RunLine.city_fen + RunLine.extra_fen,
            approved.c.month,
        ).join(approved, approved.c.id == RunLine.run_id)
    ).all()
    for person_id, for_month, kind, amount, run_month in lines:
        person, column = index[person_id], for_month - FIRST_MONTH
        if kind is LineKind.CENTENARIAN:
            payroll.centenarian_run[person, october_column[column]] = run_month
        else:
            payroll.paid_run[person, column] = run_month
            payroll.paid_fen[person, column] = amount
    found = session.execute(
        select(RunOverpayment.person_id, RunOverpayment.for_month, RunOverpayment.kind).join(
            approved, approved.c.id == RunOverpayment.run_id
        )
    ).all()
    for person_id, for_month, kind in found:
        person, column = index[person_id], for_month - FIRST_MONTH
        if kind is LineKind.CENTENARIAN:
            payroll.centenarian_flagged[person, october_column[column]] = True
        else:
            payroll.flagged[person, column] = True


def work_out(session: Session, month: int, run_day: int) -> MonthResult:
    """Month ``month`` by the engine, on the data known on its run day."""
    inputs, register = payroll_inputs(session)
    payroll = Payroll(inputs, last_month=month, run_day=run_day)
    _load_ledger(session, payroll, {person: k for k, person in enumerate(register.person_ids)})
    payroll.previous_month = month - 1
    return MonthResult(payroll.run(month), register)
