"""Properties of the replay over random small registers (hypothesis).

- no line (person, for_month, kind) is ever paid twice;
- every overpayment was paid, by the run and for the amount it names, before it was found, and
  is found once;
- replaying one range, or two consecutive ranges from scratch, pays the same lines;
- deciding the current month from the last state for people with nothing new gives the same
  runs as working every month out again for everyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gzlongevity.batch.replay import Kind, Payroll, PayrollInputs, RunResult
from gzlongevity.core.calendar import day_number, month_number
from gzlongevity.core.register import NO_DAY, Event
from gzlongevity.core.standards import DistrictStandard

FIRST, LAST = month_number(2021, 9), month_number(2022, 12)
WINDOW = (day_number(dt.date(2021, 8, 1)), day_number(dt.date(2022, 12, 31)))
PLACES = [("440103", "沙面街"), ("440104", "北京街"), ("440106", "石牌街")]
STANDARDS = [DistrictStandard("440106", 70, 5_000, month_number(2022, 3))]

days = st.integers(*WINDOW)


@st.composite
def people(draw: st.DrawFn) -> PayrollInputs:
    count = draw(st.integers(1, 4))
    births, confirmed, rows = [], [], []
    for person in range(count):
        births.append(
            draw(st.integers(day_number(dt.date(1920, 1, 1)), day_number(dt.date(1952, 12, 31))))
        )
        confirmed.append(draw(st.one_of(st.just(int(NO_DAY)), days)))
        initial = draw(st.one_of(st.just(day_number(dt.date(2000, 1, 1))), days))
        lag = draw(st.integers(0, 150))
        rows.append((person, Event.REGISTERED, initial, max(initial + lag, WINDOW[0]), 0))
        for _ in range(draw(st.integers(0, 4))):
            event = draw(st.sampled_from(list(Event)))
            day = draw(days)
            known = day + draw(st.integers(0, 200))
            if event in (Event.LEFT, Event.DIED) and draw(st.booleans()):
                day = known  # date unknown: known_on counts
            rows.append((person, event, day, known, draw(st.integers(0, len(PLACES) - 1))))
    order = sorted(range(len(rows)), key=lambda i: (rows[i][0], rows[i][2], rows[i][3], i))

    def column(index: int) -> Any:
        return np.array([rows[i][index] for i in order], dtype=np.int32)

    return PayrollInputs(
        person_ids=[f"P{person}" for person in range(count)],
        birth_day=np.array(births, dtype=np.int32),
        confirmed_day=np.array(confirmed, dtype=np.int32),
        row_person=column(0),
        row_event=column(1),
        row_day=column(2),
        row_known=column(3),
        row_place=column(4),
        places=PLACES,
        standards=STANDARDS,
    )


def lines(results: list[RunResult]) -> list[tuple[int, int, int, bool, int]]:
    """(run, person, for_month, 100+?, amount fen) of every payment line: a month's allowance is
    one line whether paid as ``monthly`` or as ``arrears``."""
    return [
        (result.month, int(p), int(m), k == Kind.CENTENARIAN, int(c + e))
        for result in results
        for p, m, k, c, e in zip(
            result.payments.person,
            result.payments.for_month,
            result.payments.kind,
            result.payments.city_fen,
            result.payments.extra_fen,
            strict=True,
        )
    ]


def replay(
    inputs: PayrollInputs, first: int, last: int, cls: type[Payroll] = Payroll
) -> list[RunResult]:
    return list(cls(inputs, last).replay(first, last))


@settings(max_examples=60, deadline=None)
@given(people())
def test_no_line_is_paid_twice_and_every_overpayment_was_paid(inputs: PayrollInputs) -> None:
    results = replay(inputs, FIRST, LAST)
    paid = {(p, m, k): (run, amount) for run, p, m, k, amount in lines(results)}
    assert len(paid) == len(lines(results))
    found = set()
    for result in results:
        over = result.overpayments
        for p, m, k, amount, run in zip(
            over.person, over.for_month, over.kind, over.amount_fen, over.paid_in_run, strict=True
        ):
            key = (int(p), int(m), k == Kind.CENTENARIAN)
            assert paid[key] == (int(run), int(amount))
            assert int(run) < result.month
            assert key not in found
            found.add(key)


@settings(max_examples=40, deadline=None)
@given(people(), st.integers(FIRST, LAST - 1))
def test_one_range_or_two_consecutive_ranges_pay_the_same_lines(
    inputs: PayrollInputs, split: int
) -> None:
    def keys(results: list[RunResult]) -> set[tuple[int, int, bool]]:
        return {(p, m, k) for _, p, m, k, _ in lines(results)}

    whole = keys(replay(inputs, FIRST, LAST))
    parts = keys(replay(inputs, FIRST, split)) | keys(replay(inputs, split + 1, LAST))
    assert whole == parts


class EveryoneEveryMonth(Payroll):
    """The reference: every person's months worked out again at every run."""

    def _changed_people(self, today: int) -> Any:
        return np.arange(len(self.inputs.person_ids), dtype=np.int32)


@settings(max_examples=60, deadline=None)
@given(people())
def test_the_steady_shortcut_matches_working_everything_out(inputs: PayrollInputs) -> None:
    fast = replay(inputs, FIRST, LAST)
    slow = replay(inputs, FIRST, LAST, EveryoneEveryMonth)
    for quick, full in zip(fast, slow, strict=True):
        for part in ("payments", "overpayments"):
            mine, reference = getattr(quick, part), getattr(full, part)
            for name in type(mine).__dataclass_fields__:
                assert np.array_equal(getattr(mine, name), getattr(reference, name))


def test_runs_must_follow_each_other() -> None:
    one = np.zeros(1, dtype=np.int32)
    inputs = PayrollInputs(
        ["P0"], one, one, one, one, one + WINDOW[0], one + WINDOW[0], one, PLACES
    )
    payroll = Payroll(inputs, LAST)
    payroll.run(FIRST)
    with pytest.raises(ValueError, match="month by month"):
        payroll.run(FIRST + 2)
