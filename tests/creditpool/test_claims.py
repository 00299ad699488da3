"""Compensation claims (C5, C6): each refusal, the caps, rounding, and their boundaries."""

from __future__ import annotations

import numpy as np
import pytest
from pool_builders import Claim, Loan, run

from gzcreditpool.core.claims import CLAIM_REASONS, NO_REASON, BankYearCaps, Drawn, decide_claims
from gzcreditpool.core.money import cny

LOANS = [Loan("L1"), Loan("L2"), Loan("L3"), Loan("bad", eligible=False)]  # all bank B1, 2023


def one(claim: Claim, loans: list[Loan] = LOANS) -> tuple[str, str, str]:
    return run(loans, [claim]).claim(claim.claim_id)


def test_half_the_balance_is_approved() -> None:
    assert one(Claim("C", "L1", "900000")) == ("approved", "", "450000.00")


def test_half_is_rounded_half_up_to_the_fen() -> None:
    assert one(Claim("C", "L1", "0.03")) == ("approved", "", "0.02")
    assert one(Claim("C", "L1", "1234.57")) == ("approved", "", "617.29")  # 617.285


@pytest.mark.parametrize(
    ("filed_on", "legal", "expected"),
    [
        ("2024-06-30", "2024-05-01", ("approved", "", "50.00")),
        ("2024-07-01", "2024-05-01", ("refused", "not_in_window", "0.00")),
        ("2024-01-01", "2023-11-01", ("approved", "", "50.00")),
        ("2023-12-31", "2023-11-01", ("refused", "not_in_window", "0.00")),
    ],
)
def test_claims_are_filed_from_january_to_30_june(
    filed_on: str, legal: str, expected: tuple[str, str, str]
) -> None:
    assert one(Claim("C", "L1", "100", filed_on=filed_on, legal_effective_on=legal)) == expected


@pytest.mark.parametrize(
    ("classification", "decision"),
    [
        ("正常", "refused"),
        ("关注", "refused"),
        ("次级", "approved"),
        ("可疑", "approved"),
        ("损失", "approved"),
    ],
)
def test_only_substandard_or_worse_may_claim(classification: str, decision: str) -> None:
    result = one(Claim("C", "L1", "100", classification=classification))
    assert result[:2] == ((decision, "classification") if decision == "refused" else (decision, ""))


@pytest.mark.parametrize(
    ("legal", "expected"),
    [
        (None, ("refused", "no_legal_action")),
        ("2024-01-31", ("refused", "legal_too_recent")),  # 30 days before 1 March 2024
        ("2024-01-30", ("approved", "")),  # 31 days
        ("2024-03-01", ("refused", "legal_too_recent")),  # the same day
        ("2024-03-05", ("refused", "legal_too_recent")),  # after the filing
    ],
)
def test_more_than_thirty_days_after_the_legal_act(
    legal: str | None, expected: tuple[str, str]
) -> None:
    assert one(Claim("C", "L1", "100", filed_on="2024-03-01", legal_effective_on=legal))[:2] == (
        expected
    )


def test_the_first_failing_condition_is_given() -> None:
    claims = [
        Claim("1", "bad", "100", filed_on="2024-07-01", classification="正常"),
        Claim("2", "L1", "100", filed_on="2024-07-01", classification="正常"),
        Claim("3", "L1", "100", classification="关注", legal_effective_on=None),
        Claim("4", "L1", "100", legal_effective_on=None),
    ]
    outcome = run(LOANS, claims)
    assert [outcome.claim(c)[1] for c in "1234"] == [
        "loan_not_registered",
        "not_in_window",
        "classification",
        "no_legal_action",
    ]


def test_the_loan_cap_is_half_the_balance_of_the_first_approved_claim() -> None:
    claims = [
        Claim("C0", "L1", "10000000", classification="关注"),  # refused: does not fix the base
        Claim("C1", "L1", "900000", filed_on="2024-03-02"),
        Claim("C2", "L1", "2000000", filed_on="2024-03-03"),
    ]
    outcome = run(LOANS, claims)
    assert outcome.claim("C1") == ("approved", "", "450000.00")
    assert outcome.claim("C2") == ("refused", "loan_cap_reached", "0.00")


# Bank caps. B1 is the only bank lending in 2023 (2,000,000 over two loans), so its cap for
# 2024 claims is the whole 200,000,000; in 2024 it lends again, so 2025 has 200,000,000 too.
CAP_LOANS = [
    Loan("L1"),
    Loan("L2"),
    Loan("L3"),
    Loan("L4"),
    Loan("N", disbursed_on="2024-03-01"),
]


def test_the_bank_cap_pays_the_last_claim_partly_then_refuses() -> None:
    claims = [
        Claim("C1", "L1", "300000000", filed_on="2024-03-01"),
        Claim("C2", "L2", "200000000", filed_on="2024-03-02"),
        Claim("C3", "L3", "100", filed_on="2024-03-03"),
    ]
    outcome = run(CAP_LOANS, claims)
    assert outcome.claim("C1") == ("approved", "", "150000000.00")
    assert outcome.claim("C2") == ("partial", "bank_cap", "50000000.00")
    assert outcome.claim("C3") == ("refused", "bank_cap_reached", "0.00")


def test_claims_are_decided_by_filing_date_then_id_as_text_not_file_order() -> None:
    claims = [
        Claim("C9", "L2", "200000000", filed_on="2024-03-01"),
        Claim("C10", "L1", "300000000", filed_on="2024-03-01"),
    ]
    outcome = run(CAP_LOANS, claims)
    assert outcome.claim("C10") == ("approved", "", "150000000.00")
    assert outcome.claim("C9") == ("partial", "bank_cap", "50000000.00")


def test_the_loan_cap_across_years_and_a_tie_with_the_bank_cap() -> None:
    claims = [
        Claim("C1", "L2", "300000000", filed_on="2024-03-01"),  # 150 M; 50 M left in 2024
        Claim("C2", "L1", "200000000", filed_on="2024-03-02"),  # base 200 M; bank cap: 50 M
        Claim("C3", "L2", "100000", filed_on="2025-03-01", legal_effective_on="2025-01-15"),
        Claim("C4", "L3", "300000000", filed_on="2025-03-02", legal_effective_on="2025-01-15"),
        Claim("C5", "L1", "200000000", filed_on="2025-03-03", legal_effective_on="2025-01-15"),
        Claim("C6", "L4", "100", filed_on="2025-03-04", legal_effective_on="2025-01-15"),
    ]
    outcome = run(CAP_LOANS, claims)
    assert outcome.claim("C2") == ("partial", "bank_cap", "50000000.00")
    assert outcome.claim("C3") == ("refused", "loan_cap_reached", "0.00")
    assert outcome.claim("C4") == ("approved", "", "150000000.00")
    # L1: 100 M − 50 M = 50 M left on the loan, 50 M left in the bank's 2025 cap: a tie.
    assert outcome.claim("C5") == ("partial", "loan_cap", "50000000.00")
    assert outcome.claim("C6") == ("refused", "bank_cap_reached", "0.00")


def test_the_loan_cap_alone_makes_a_partial_claim() -> None:
    claims = [
        Claim("C1", "L1", "900000"),  # base 900,000: at most 450,000 on L1
        Claim("C2", "L1", "800000", filed_on="2024-03-02"),  # nothing left
    ]
    assert run(CAP_LOANS, claims).claim("C2") == ("refused", "loan_cap_reached", "0.00")
    claims = [
        Claim("C1", "L2", "399700000", filed_on="2024-03-01"),  # 199,850,000: 150,000 left
        Claim("C2", "L1", "900000", filed_on="2024-03-02"),  # bank pays 150,000 of 450,000
        Claim("C3", "L1", "800000", filed_on="2025-03-01", legal_effective_on="2025-01-15"),
    ]
    outcome = run(CAP_LOANS, claims)
    assert outcome.claim("C2") == ("partial", "bank_cap", "150000.00")
    # 400,000 asked, 450,000 − 150,000 = 300,000 left on the loan.
    assert outcome.claim("C3") == ("partial", "loan_cap", "300000.00")
    # A smaller balance later: half of it, 50,000, is under the 300,000 left: approved.
    claims[2] = Claim("C3", "L1", "100000", filed_on="2025-03-01", legal_effective_on="2025-01-15")
    assert run(CAP_LOANS, claims).claim("C3") == ("approved", "", "50000.00")


def test_a_bank_cap_that_rounds_to_nothing_is_reached() -> None:
    # 2023: B1 lends 1,000,000 and B2 2,000,000; B1's 2024 cap is 66,666,666.666… CNY.
    loans = [
        Loan("L1"),
        Loan("L2", disbursed_on="2024-01-10"),
        Loan("M", bank="B2", amount="2000000"),
    ]
    claims = [
        Claim("C1", "L1", "133333333.34"),  # half: 66,666,666.67 = the cap rounded
        Claim("C2", "L2", "100", filed_on="2024-03-02"),  # −0.0033… left: 0.00
    ]
    outcome = run(loans, claims)
    assert outcome.claim("C1") == ("approved", "", "66666666.67")
    assert outcome.claim("C2") == ("refused", "bank_cap_reached", "0.00")


def test_a_bank_without_lending_last_year_has_no_cap() -> None:
    loans = [Loan("old"), Loan("new", bank="B2", disbursed_on="2024-01-10")]
    claims = [Claim("C", "new", "100", filed_on="2024-06-01", legal_effective_on="2024-04-01")]
    assert run(loans, claims).claim("C") == ("refused", "bank_cap_reached", "0.00")
    # Nobody lent in 2023 at all: the cap is 0, not a division by zero.
    assert run(loans[1:], claims).claim("C") == ("refused", "bank_cap_reached", "0.00")


def test_the_bank_cap_is_its_share_of_last_years_lending() -> None:
    # 2023: B1 1,000,000 of 4,000,000 → 50,000,000 for 2024.
    loans = [Loan("L1"), Loan("M", bank="B2", amount="3000000")]
    claims = [Claim("C", "L1", "120000000")]
    assert run(loans, claims).claim("C") == ("partial", "bank_cap", "50000000.00")
    # Refused loans do not count in the shares: B2's loan refused → B1 has the whole cap.
    loans = [Loan("L1"), Loan("M", bank="B2", amount="3000000", eligible=False)]
    assert run(loans, claims).claim("C") == ("approved", "", "60000000.00")


def test_compensation_approved_before_draws_on_both_caps_first() -> None:
    """The service's approved claims (``Drawn``): loan 7 was paid 300,000 on an 800,000
    balance, bank 1 (cap 200,000,000 × 1 ÷ 400 = 500,000 for 2024) used those 300,000. A claim
    of 1,000,000 on loan 7 gets what the loan's cap leaves, 400,000 − 300,000 = 100,000
    (``loan_cap``); one of 400,000 on loan 8 what the bank's leaves, 100,000 (``bank_cap``)."""
    caps = BankYearCaps({(1, 2023): 1, (2, 2023): 399}, {2023: 400})
    drawn = Drawn({7: cny(800_000)}, {7: cny(300_000)}, {(1, 2024): cny(300_000)})
    outcome = decide_claims(
        np.array(["a", "b"]),
        np.array(["2024-03-01", "2024-03-02"], dtype="datetime64[D]"),
        np.array([7, 8], dtype=np.int64),
        np.array([cny(1_000_000), cny(400_000)], dtype=np.int64),
        np.array([1, 1], dtype=np.int64),
        np.array([NO_REASON, NO_REASON], dtype=np.int8),
        caps,
        drawn,
    )
    assert outcome.amount_fen.tolist() == [cny(100_000), cny(100_000)]
    assert [CLAIM_REASONS[r] for r in outcome.reason.tolist()] == ["loan_cap", "bank_cap"]
    # Drawn from the claims themselves: refused (0) ones draw nothing.
    assert (
        Drawn.from_claims(
            np.array(["2", "1", "3"]),
            np.array(["2024-04-01", "2024-03-01", "2024-05-01"], dtype="datetime64[D]"),
            np.array([7, 7, 7], dtype=np.int64),
            np.array([cny(900_000), cny(800_000), cny(1)], dtype=np.int64),
            np.array([1, 1, 1], dtype=np.int64),
            np.array([cny(100_000), cny(200_000), 0], dtype=np.int64),
        )
        == drawn
    )
