"""Refunds of recoveries (C7) and the trustee's yearly fee (C8), computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from pool_builders import Claim, Loan, Recovery, fen, run

from gzcreditpool.core.fees import trustee_fee, yearly_fees
from gzcreditpool.core.refunds import top_ups

LOANS = [Loan("L1"), Loan("L2"), Loan("N", disbursed_on="2024-03-01")]


def test_refund_is_the_compensated_share_of_the_net_recovery() -> None:
    claims = [Claim("C1", "L1", "900000")]
    recoveries = [Recovery("R1", "L1", "100000", fees="10000", received_on="2024-09-30")]
    # 90,000 × 450,000 ÷ 900,000; due on the 30th working day after 30 Sep 2024 (National Day
    # 1–7 Oct off, Saturday 12 Oct worked): 8–12, 14–18, 21–25, 28 Oct–1 Nov, 4–8, 11–15 Nov.
    assert run(LOANS, claims, recoveries).recovery("R1") == (True, "45000.00", "2024-11-15")


def test_only_compensation_claimed_by_the_day_of_receipt_counts() -> None:
    claims = [Claim("C1", "L1", "900000", filed_on="2024-03-01")]
    recoveries = [
        Recovery("before", "L1", "100000", received_on="2024-02-29"),
        Recovery("same day", "L1", "100000", received_on="2024-03-01"),
        Recovery("other loan", "L2", "100000", received_on="2024-09-30"),
    ]
    outcome = run(LOANS, claims, recoveries)
    assert outcome.recovery("before") == (False, "0.00", "")
    assert outcome.recovery("same day") == (True, "50000.00", "2024-04-15")
    assert outcome.recovery("other loan") == (False, "0.00", "")


def test_a_refused_claim_gives_nothing_to_refund() -> None:
    claims = [Claim("C1", "L1", "900000", classification="关注")]
    recoveries = [Recovery("R", "L1", "100000")]
    assert run(LOANS, claims, recoveries).recovery("R") == (False, "0.00", "")


def test_the_share_grows_with_later_compensation_and_rounds_half_up() -> None:
    claims = [
        Claim("C0", "L2", "399700000", filed_on="2024-03-01"),  # leaves 150,000 of B1's cap
        Claim("C1", "L1", "900000", filed_on="2024-03-02"),  # 150,000 (bank cap)
        Claim("C2", "L1", "800000", filed_on="2025-03-01", legal_effective_on="2025-01-15"),
    ]
    recoveries = [
        Recovery("R1", "L1", "100000.01", received_on="2024-12-02"),
        Recovery("R2", "L1", "0.03", received_on="2024-12-02"),
        Recovery("R3", "L1", "90000", received_on="2025-03-03"),
    ]
    outcome = run(LOANS, claims, recoveries)
    # 100,000.01 × 150,000 ÷ 900,000 = 16,666.668333… → 16,666.67
    assert outcome.recovery("R1")[:2] == (True, "16666.67")
    assert outcome.recovery("R2")[:2] == (True, "0.01")  # 0.005 → 0.01
    # After C2 (300,000 more): 90,000 × 450,000 ÷ 900,000.
    assert outcome.recovery("R3")[:2] == (True, "45000.00")


def test_fees_net_of_gross_and_nothing_net() -> None:
    claims = [Claim("C1", "L1", "900000")]
    recoveries = [Recovery("R", "L1", "5000", fees="5000")]
    assert run(LOANS, claims, recoveries).recovery("R")[:2] == (True, "0.00")


@pytest.mark.parametrize(
    ("lent", "fee"),
    [
        ("0", "2000000.00"),
        ("1000000", "2000600.00"),
        ("8333333324.99", "6999999.99"),  # 4,999,999.994994
        ("8333333325.00", "7000000.00"),  # 4,999,999.995 rounds half-up to the cap
        ("8333333341.67", "7000000.00"),  # 5,000,000.005 is over the cap
        ("100000000000", "7000000.00"),
    ],
)
def test_trustee_fee_and_its_cap(lent: str, fee: str) -> None:
    assert trustee_fee(fen(lent)) == fen(fee)


def test_fees_by_year_count_registered_loans_only() -> None:
    disbursed = np.array(["2023-03-01", "2023-09-01", "2024-01-05", "2022-01-01"], "datetime64[D]")
    amount = np.array([fen("1000000"), fen("500000"), fen("2000000"), fen("9")], dtype=np.int64)
    registered = np.array([True, True, True, False])
    assert yearly_fees(disbursed, amount, registered) == {
        2023: fen("2000900.00"),
        2024: fen("2001200.00"),
    }


def test_a_refunded_recovery_owes_what_a_later_approval_adds() -> None:
    """``top_ups``: 100,000 refunded at 150,000 ÷ 900,000 (16,666.67) owes 100,000 ×
    (150,000 + 250,000) ÷ 900,000 = 44,444.44 once the later claim is approved: 27,777.77
    more; a recovery that refunded more than it owes now gets nothing back; none is due on a
    loan without compensation."""
    day = np.datetime64("2025-03-03", "D")
    more = top_ups(
        np.array([1_666_667, 9_000_000, 0], dtype=np.int64),
        np.array([1, 1, 2], dtype=np.int64),
        np.array([day, day, day]),
        np.array([10_000_000, 10_000_000, 10_000_000], dtype=np.int64),
        np.array(["C1", "C2"]),
        np.array([1, 1], dtype=np.int64),
        np.array(["2024-03-02", "2025-03-01"], dtype="datetime64[D]"),
        np.array([15_000_000, 25_000_000], dtype=np.int64),
        np.array([90_000_000, 80_000_000], dtype=np.int64),
    )
    assert more.tolist() == [2_777_777, 0, 0]
