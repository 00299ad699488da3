"""The replay of monthly runs behind ``gzlongevity payroll`` (L4, L5, L7; 第十三条).

Each run of month M sees the register rows known by its run date and the confirmations made by
then, works out every line due up to M, pays those not yet paid — ``monthly`` for M, ``arrears``
(补发) for earlier months, ``centenarian`` for a due October at 100 — and records as an
overpayment every paid line the run's data shows was not due. Months before the first run are
treated as unpaid, so the first run back-pays from 2021-09 **[reading]**.

Only people whose data changed since the last run (a row or a confirmation became visible) are
worked out month by month; for everyone else nothing about past months can have changed, so
the run only decides the current month from each person's state after their last row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from gzlongevity.core.calendar import (
    FIRST_MONTH,
    BoolArray,
    IntArray,
    age_at_month_end,
    months_of_days,
    run_date,
)
from gzlongevity.core.entitlement import (
    centenarian_due,
    death_months,
    monthly_due,
    overpayment_reasons,
    payable,
)
from gzlongevity.core.register import NO_DAY, month_states
from gzlongevity.core.standards import (
    CENTENARIAN_FEN,
    CENTENARIAN_MONTH,
    CITY_MONTHLY_FEN,
    TIERS,
    DistrictStandard,
    StandardTable,
    tier_index,
)

I64 = npt.NDArray[np.int64]


class Kind(IntEnum):
    """Payment line kinds, numbered in the order lines sort by (alphabetical)."""

    ARREARS = 0
    CENTENARIAN = 1
    MONTHLY = 2


@dataclass(frozen=True)
class PayrollInputs:
    """Everything a replay reads, as arrays (built by :mod:`gzlongevity.files`).

    Attributes
    ----------
    person_ids : list of str
        Citizen numbers, sorted: a person's index orders lines as the ID does.
    birth_day : int32 array
        Birth date of each person (day number).
    confirmed_day : int32 array
        Each person's earliest confirmation day, :data:`NO_DAY` if none.
    row_person, row_event, row_day, row_known, row_place : int32 arrays
        Register rows in the order they apply (person, date, known_on, file order).
    places : list of (district, street)
        The places rows refer to.
    standards : list of DistrictStandard
        District standards above the city's.
    """

    person_ids: list[str]
    birth_day: IntArray
    confirmed_day: IntArray
    row_person: IntArray
    row_event: IntArray
    row_day: IntArray
    row_known: IntArray
    row_place: IntArray
    places: list[tuple[str, str]]
    standards: list[DistrictStandard] = field(default_factory=list)


@dataclass(frozen=True)
class Payments:
    """Lines paid in one run, sorted by person, for_month, kind."""

    person: IntArray
    for_month: IntArray
    kind: IntArray
    place: IntArray
    tier: IntArray
    city_fen: I64
    extra_fen: I64


@dataclass(frozen=True)
class Overpayments:
    """Paid lines one run found were not due, sorted by person, for_month, kind."""

    person: IntArray
    for_month: IntArray
    kind: IntArray
    amount_fen: I64
    paid_in_run: IntArray
    reason: IntArray


@dataclass(frozen=True)
class RunResult:
    """One monthly run: its month, what it paid and the overpayments it found."""

    month: int
    payments: Payments
    overpayments: Overpayments


class Payroll:
    """Runs months in order over one set of inputs, remembering what was paid.

    Parameters
    ----------
    inputs : PayrollInputs
    last_month : int
        The last run month this payroll may be asked for (sizes the ledger).
    run_day : int
        Day of the month of each run, 1–31 (a day past the month's end is its last day).
    """

    def __init__(self, inputs: PayrollInputs, last_month: int, run_day: int = 20) -> None:
        self.inputs = inputs
        self.run_day = run_day
        persons = len(inputs.person_ids)
        columns = max(last_month - FIRST_MONTH + 1, 0)
        self.last_month = last_month
        self.districts = tuple(sorted({district for district, _ in inputs.places}))
        where = {code: index for index, code in enumerate(self.districts)}
        self.place_district = np.array(
            [where[district] for district, _ in inputs.places] or [0], dtype=np.int32
        )
        self.standards = StandardTable.build(
            inputs.standards, self.districts, FIRST_MONTH, max(last_month, FIRST_MONTH)
        )
        # The ledger: run month that paid each person-month (0 = unpaid), the amount, flagged.
        # Column-major: a run writes one month's column for everyone.
        self.paid_run = np.zeros((persons, columns), dtype=np.int32, order="F")
        self.paid_fen = np.zeros((persons, columns), dtype=np.int32, order="F")
        self.flagged = np.zeros((persons, columns), dtype=np.bool_, order="F")
        octobers = [c for c in range(columns) if (FIRST_MONTH + c) % 12 == CENTENARIAN_MONTH]
        self.october_columns = np.array(octobers, dtype=np.int64)
        self.centenarian_run = np.zeros((persons, len(octobers)), dtype=np.int32)
        self.centenarian_flagged = np.zeros((persons, len(octobers)), dtype=np.bool_)
        # Each person's state after their visible rows, for the people nothing new arrived for.
        self.final_registered = np.zeros(persons, dtype=np.bool_)
        self.final_place = np.full(persons, -1, dtype=np.int32)
        self.death_month = death_months(np.full(persons, NO_DAY, dtype=np.int32))
        self.may_be_paid = np.zeros(persons, dtype=np.bool_)
        self.previous_run_day: int | None = None
        self.previous_month: int | None = None
        self.birth_month = months_of_days(inputs.birth_day)
        self.row_starts = np.searchsorted(inputs.row_person, np.arange(persons + 1))

    def replay(self, first_month: int, last_month: int) -> Iterator[RunResult]:
        """Run ``first_month`` … ``last_month`` in order (see :meth:`run`)."""
        for month in range(first_month, last_month + 1):
            yield self.run(month)

    def run(self, month: int) -> RunResult:
        """The run of ``month``: pay every due line not yet paid, find overpayments (L5).

        Runs come one month after another: people with nothing new are paid only the month
        of the run, so a skipped month would go unpaid.
        """
        if month > self.last_month:
            raise ValueError("the payroll's ledger ends before this month")
        if self.previous_month is not None and month != self.previous_month + 1:
            raise ValueError("runs must follow each other month by month")
        self.previous_month = month
        today = run_date(month, self.run_day)
        if month < FIRST_MONTH:
            return RunResult(month, _no_payments(), _no_overpayments())
        changed = self._changed_people(today)
        self.previous_run_day = today
        full_payments, overpayments = self._recompute(changed, month, today)
        steady = np.ones(len(self.inputs.person_ids), dtype=np.bool_)
        steady[changed] = False
        this_month = self._current_month(steady, month)
        return RunResult(month, _merge(full_payments, this_month), overpayments)

    def _changed_people(self, today: int) -> IntArray:
        """People for whom a register row or a confirmation became visible since the last run."""
        inputs = self.inputs
        if self.previous_run_day is None:
            return np.arange(len(inputs.person_ids), dtype=np.int32)
        since = self.previous_run_day
        rows = (inputs.row_known > since) & (inputs.row_known <= today)
        confirmed = (inputs.confirmed_day > since) & (inputs.confirmed_day <= today)
        return np.union1d(inputs.row_person[rows], np.flatnonzero(confirmed)).astype(np.int32)

    def _visible_rows(self, people: IntArray, today: int) -> tuple[I64, IntArray]:
        """The rows of ``people`` known by ``today``, and each row's index into ``people``."""
        starts = self.row_starts[people]
        counts = self.row_starts[people + 1] - starts
        local = np.repeat(np.arange(len(people), dtype=np.int32), counts)
        offsets = np.cumsum(counts) - counts
        rows = starts[local] + np.arange(len(local)) - offsets[local]
        visible = self.inputs.row_known[rows] <= today
        return rows[visible], local[visible]

    def _recompute(self, people: IntArray, month: int, today: int) -> tuple[Payments, Overpayments]:
        """Every month up to ``month`` for ``people``, from their rows visible ``today``."""
        inputs = self.inputs
        rows, local = self._visible_rows(people, today)
        states = month_states(
            local,
            inputs.row_event[rows],
            inputs.row_day[rows],
            inputs.row_place[rows],
            len(people),
            FIRST_MONTH,
            month,
        )
        months = np.arange(FIRST_MONTH, month + 1, dtype=np.int32)
        confirmed = inputs.confirmed_day[people]
        confirmed = np.where(confirmed <= today, confirmed, NO_DAY).astype(np.int32)
        may_be_paid = payable(confirmed, states.death_day)
        death_month = death_months(states.death_day)
        self.final_registered[people] = states.final_registered
        self.final_place[people] = states.final_place
        self.death_month[people] = death_month
        self.may_be_paid[people] = may_be_paid
        birth = self.birth_month[people]
        due = monthly_due(birth, states.in_register, may_be_paid, death_month, months)
        reasons = overpayment_reasons(states.death_day, may_be_paid, months)

        columns = len(months)
        paid_run = self.paid_run[people, :columns]
        new_person, new_column = np.nonzero(due & (paid_run == 0))
        monthly = self._pay(
            people[new_person],
            new_column,
            months[new_column],
            states.place[new_person, new_column],
            month,
        )
        over_person, over_column = np.nonzero(
            (paid_run != 0) & ~due & ~self.flagged[people, :columns]
        )
        self.flagged[people[over_person], over_column] = True
        run_of_line = paid_run[over_person, over_column]
        monthly_over = Overpayments(
            people[over_person],
            months[over_column],
            np.where(run_of_line == months[over_column], Kind.MONTHLY, Kind.ARREARS).astype(
                np.int32
            ),
            self.paid_fen[people[over_person], over_column].astype(np.int64),
            run_of_line,
            reasons[over_person, over_column],
        )

        octobers = self.october_columns[self.october_columns < columns]
        owed_100 = centenarian_due(due[:, octobers], birth, months[octobers])
        paid_100 = self.centenarian_run[people, : len(octobers)]
        new_person, new_october = np.nonzero(owed_100 & (paid_100 == 0))
        hundred = self._pay_centenarian(
            people[new_person],
            new_october,
            months[octobers][new_october],
            states.place[new_person, octobers[new_october]],
            month,
        )
        over_person, over_october = np.nonzero(
            (paid_100 != 0) & ~owed_100 & ~self.centenarian_flagged[people, : len(octobers)]
        )
        self.centenarian_flagged[people[over_person], over_october] = True
        hundred_over = Overpayments(
            people[over_person],
            months[octobers][over_october],
            np.full(len(over_person), Kind.CENTENARIAN, dtype=np.int32),
            np.full(len(over_person), CENTENARIAN_FEN, dtype=np.int64),
            paid_100[over_person, over_october],
            reasons[over_person, octobers[over_october]],
        )
        return _merge(monthly, hundred), _merge_overpayments(monthly_over, hundred_over)

    def _current_month(self, steady: BoolArray, month: int) -> Payments:
        """This month for the ``steady`` people, those with nothing new since their last
        recompute: their state after their last row, and whether they may be paid, decide."""
        months = np.array([month], dtype=np.int32)
        due = monthly_due(
            self.birth_month,
            self.final_registered[:, None],
            self.may_be_paid,
            self.death_month,
            months,
        )
        due[:, 0] &= steady
        payees = np.flatnonzero(due[:, 0]).astype(np.int32)
        column = month - FIRST_MONTH
        lines = self._pay(
            payees,
            column,
            np.full(len(payees), month, dtype=np.int32),
            self.final_place[payees],
            month,
        )
        if month % 12 != CENTENARIAN_MONTH:
            return lines
        payees = np.flatnonzero(centenarian_due(due, self.birth_month, months)[:, 0]).astype(
            np.int32
        )
        return _merge(
            lines,
            self._pay_centenarian(
                payees,
                len(self.october_columns[self.october_columns < column]),
                np.full(len(payees), month, dtype=np.int32),
                self.final_place[payees],
                month,
            ),
        )

    def _pay(
        self, people: IntArray, columns: I64 | int, months: IntArray, places: IntArray, run: int
    ) -> Payments:
        """Price monthly or arrears lines (L2, 第四条, 第五条) and enter them in the ledger."""
        birth = self.birth_month[people]
        tiers = tier_index(age_at_month_end(birth, months))
        city: I64 = CITY_MONTHLY_FEN[tiers]
        extra = self.standards.extra(self.place_district[places], tiers, months)
        self.paid_run[people, columns] = run
        self.paid_fen[people, columns] = city + extra
        kind = np.where(months == run, Kind.MONTHLY, Kind.ARREARS).astype(np.int32)
        return Payments(people, months, kind, places, tiers, city, extra)

    def _pay_centenarian(
        self, people: IntArray, octobers: I64 | int, months: IntArray, places: IntArray, run: int
    ) -> Payments:
        """The 1,000 CNY 100+ lines (L3), all city standard, no district extra."""
        self.centenarian_run[people, octobers] = run
        count = len(people)
        return Payments(
            people,
            months,
            np.full(count, Kind.CENTENARIAN, dtype=np.int32),
            places,
            np.full(count, len(TIERS) - 1, dtype=np.int32),
            np.full(count, CENTENARIAN_FEN, dtype=np.int64),
            np.zeros(count, dtype=np.int64),
        )


def _order(person: IntArray, for_month: IntArray, kind: IntArray) -> I64:
    """Sorting order by person, for_month, kind. The parts merged are each sorted already, so
    a stable sort (timsort) of one combined key merges runs in about linear time."""
    key = (person.astype(np.int64) * (1 << 20) + (for_month - FIRST_MONTH)) * len(Kind) + kind
    return np.argsort(key, kind="stable")


def _merge(*parts: Payments) -> Payments:
    """Lines of several parts, sorted by person, for_month, kind."""
    joined = Payments(
        *(
            np.concatenate([getattr(part, name) for part in parts])
            for name in Payments.__dataclass_fields__
        )
    )
    order = _order(joined.person, joined.for_month, joined.kind)
    return Payments(*(getattr(joined, name)[order] for name in Payments.__dataclass_fields__))


def _merge_overpayments(*parts: Overpayments) -> Overpayments:
    joined = Overpayments(
        *(
            np.concatenate([getattr(part, name) for part in parts])
            for name in Overpayments.__dataclass_fields__
        )
    )
    order = _order(joined.person, joined.for_month, joined.kind)
    return Overpayments(
        *(getattr(joined, name)[order] for name in Overpayments.__dataclass_fields__)
    )


def _no_payments() -> Payments:
    empty = np.zeros(0, dtype=np.int32)
    money = np.zeros(0, dtype=np.int64)
    return Payments(empty, empty, empty, empty, empty, money, money)


def _no_overpayments() -> Overpayments:
    empty = np.zeros(0, dtype=np.int32)
    return Overpayments(empty, empty, empty, np.zeros(0, dtype=np.int64), empty, empty)
