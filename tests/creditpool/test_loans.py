"""Loan registration (C3, C4): every reason, their order, and each boundary on and just past it."""

from __future__ import annotations

import numpy as np
import pytest
from pool_builders import Loan, run

from gzcreditpool.core.loans import report_deadline
from gzkit.calendar import Calendar


@pytest.mark.parametrize(
    ("disbursed_on", "seventh"),
    [
        ("2024-02-02", "2024-02-18"),  # Spring Festival 10–17 Feb; Sunday 18 Feb worked
        ("2024-02-08", "2024-02-23"),
        ("2024-09-27", "2024-10-12"),  # National Day 1–7 Oct; Saturday 12 Oct worked
        ("2024-10-01", "2024-10-15"),  # disbursed on a holiday: counting is not shifted
        ("2024-07-17", "2024-07-26"),  # an ordinary Wednesday: 18, 19, 22, 23, 24, 25, 26
    ],
)
def test_report_deadline_is_the_seventh_working_day(disbursed_on: str, seventh: str) -> None:
    deadline = report_deadline(Calendar(), np.array([disbursed_on], dtype="datetime64[D]"))
    assert str(deadline[0]) == seventh


@pytest.mark.parametrize(
    ("disbursed_on", "on_time", "late"),
    [
        ("2024-02-02", "2024-02-18", "2024-02-19"),
        ("2024-09-27", "2024-10-12", "2024-10-13"),
        ("2024-10-01", "2024-10-15", "2024-10-16"),  # find_workday would allow the 16th
    ],
)
def test_report_on_the_seventh_working_day_is_on_time(
    disbursed_on: str, on_time: str, late: str
) -> None:
    outcome = run(
        [
            Loan("on", disbursed_on=disbursed_on, reported_on=on_time),
            Loan("late", disbursed_on=disbursed_on, reported_on=late),
            Loan("same day", disbursed_on=disbursed_on, reported_on=disbursed_on),
        ]
    )
    assert outcome.loan("on") == "registered"
    assert outcome.loan("late") == "late_report"
    assert outcome.loan("same day") == "registered"


def test_term_of_three_years_is_allowed() -> None:
    outcome = run([Loan("36", term_months=36), Loan("37", term_months=37)])
    assert (outcome.loan("36"), outcome.loan("37")) == ("registered", "term")


def test_credit_part_must_exceed_half() -> None:
    outcome = run(
        [
            Loan("over", amount="1000000", credit_part="500000.01"),
            Loan("half", amount="1000000", credit_part="500000.00"),
            Loan("odd", amount="0.03", credit_part="0.02"),  # 2 fen of 3 is over half
            Loan("odd half", amount="0.03", credit_part="0.01"),
        ]
    )
    assert [outcome.loan(i) for i in ("over", "half", "odd", "odd half")] == [
        "registered",
        "credit_part",
        "registered",
        "credit_part",
    ]


def test_financing_guarantee_and_ineligible_enterprise() -> None:
    outcome = run([Loan("g", financing_guarantee=True), Loan("e", eligible=False)])
    assert (outcome.loan("g"), outcome.loan("e")) == ("financing_guarantee", "not_eligible")


def test_the_first_failing_reason_is_given() -> None:
    late = {"disbursed_on": "2024-07-17", "reported_on": "2024-07-29"}
    outcome = run(
        [
            Loan("1", eligible=False, term_months=40, financing_guarantee=True, **late),
            Loan("2", term_months=40, credit_part="1", **late),
            Loan("3", term_months=40, credit_part="1", financing_guarantee=True),
            Loan("4", credit_part="1", financing_guarantee=True),
        ]
    )
    assert [outcome.loan(i) for i in "1234"] == [
        "not_eligible",
        "late_report",
        "term",
        "credit_part",
    ]


def test_enterprise_may_reach_thirty_million_in_a_year_but_not_pass_it() -> None:
    outcome = run(
        [
            Loan("A1", enterprise="E", amount="20000000", disbursed_on="2023-01-10"),
            Loan("A2", enterprise="E", amount="10000000", disbursed_on="2023-02-01"),
            Loan(
                "A3", enterprise="E", amount="0.01", credit_part="0.01", disbursed_on="2023-03-01"
            ),
            Loan("B1", enterprise="F", amount="20000000", disbursed_on="2023-01-10"),
            Loan("B2", enterprise="F", amount="10000000.01", disbursed_on="2023-02-01"),
            Loan("B3", enterprise="F", amount="5000000", disbursed_on="2023-03-01"),
        ]
    )
    assert [outcome.loan(i) for i in ("A1", "A2", "A3")] == [
        "registered",
        "registered",
        "enterprise_year_cap",
    ]
    # A refused loan does not count: B3 still fits after B2 was refused.
    assert [outcome.loan(i) for i in ("B1", "B2", "B3")] == [
        "registered",
        "enterprise_year_cap",
        "registered",
    ]


def test_the_cap_takes_loans_by_disbursement_then_id_as_text() -> None:
    outcome = run(
        [
            Loan("L9", enterprise="E", amount="20000000", disbursed_on="2023-05-01"),
            Loan("L10", enterprise="E", amount="20000000", disbursed_on="2023-05-01"),
            Loan("L1", enterprise="E", amount="20000000", disbursed_on="2023-05-02"),
        ]
    )
    # "L10" < "L9" as text, so L10 is first; L1 comes a day later.
    assert [outcome.loan(i) for i in ("L10", "L9", "L1")] == [
        "registered",
        "enterprise_year_cap",
        "enterprise_year_cap",
    ]


def test_the_cap_is_per_calendar_year_and_skips_loans_refused_otherwise() -> None:
    outcome = run(
        [
            Loan("Dec", enterprise="E", amount="25000000", disbursed_on="2023-12-29"),
            Loan("Jan", enterprise="E", amount="25000000", disbursed_on="2024-01-02"),
            Loan(
                "late",
                enterprise="G",
                amount="25000000",
                disbursed_on="2023-07-17",
                reported_on="2023-08-30",
            ),
            Loan("next", enterprise="G", amount="25000000", disbursed_on="2023-07-18"),
        ]
    )
    assert [outcome.loan(i) for i in ("Dec", "Jan", "late", "next")] == [
        "registered",
        "registered",
        "late_report",
        "registered",
    ]


def test_a_single_loan_over_the_cap_is_refused() -> None:
    outcome = run([Loan("big", amount="30000000.01"), Loan("max", amount="30000000")])
    assert (outcome.loan("big"), outcome.loan("max")) == ("enterprise_year_cap", "registered")
