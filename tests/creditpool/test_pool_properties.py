"""Properties over random books: caps are never exceeded, refunds never exceed compensation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st
from pool_builders import Claim, Loan, Recovery, fen, run

from gzcreditpool.core.claims import POOL_YEAR_FEN
from gzcreditpool.core.money import half_up

DAYS = st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2025, 6, 30))
MONEY = st.integers(1, 1_500_000_000).map(lambda f: f"{f // 100}.{f % 100:02d}")
# Claims filed in the window, a legal act 0–400 days before: most pass the conditions, so the
# caps are what is tested.
FILED = st.builds(dt.date, st.integers(2023, 2025), st.integers(1, 6), st.integers(1, 28))


@st.composite
def books(draw: st.DrawFn) -> tuple[list[Loan], list[Claim], list[Recovery]]:
    loans = [
        Loan(
            f"L{i}",
            amount=draw(MONEY),
            disbursed_on=str(draw(DAYS)),
            bank=draw(st.sampled_from(["B1", "B2", "B3"])),
            enterprise=draw(st.sampled_from(["E1", "E2", "E3", "E4"])),
            eligible=draw(st.booleans()) or draw(st.booleans()),
        )
        for i in range(draw(st.integers(1, 12)))
    ]
    claims = [
        Claim(
            f"C{i}",
            draw(st.sampled_from(loans)).loan_id,
            draw(st.sampled_from([draw(MONEY), "300000000.00", "150000000.01"])),
            filed_on=str(filed := draw(FILED)),
            classification=draw(st.sampled_from(["关注", "次级", "可疑", "损失"])),
            legal_effective_on=str(filed - dt.timedelta(days=draw(st.integers(0, 400)))),
        )
        for i in range(draw(st.integers(0, 14)))
    ]
    recoveries = [
        Recovery(
            f"R{i}",
            draw(st.sampled_from(loans)).loan_id,
            draw(MONEY),
            fees="0",
            received_on=str(draw(DAYS)),
        )
        for i in range(draw(st.integers(0, 8)))
    ]
    return loans, claims, recoveries


@settings(max_examples=150, deadline=None)
@given(books())
def test_caps_hold_and_refunds_stay_within_compensation(
    book: tuple[list[Loan], list[Claim], list[Recovery]],
) -> None:
    loans, claims, recoveries = book
    outcome = run(loans, claims, recoveries)
    by_id = {loan.loan_id: loan for loan in loans}
    lent: dict[tuple[str, int], int] = defaultdict(int)
    for loan in loans:
        if outcome.loan(loan.loan_id) == "registered":
            lent[loan.bank, int(loan.disbursed_on[:4])] += fen(loan.amount)
    paid_by_bank: dict[tuple[str, int], int] = defaultdict(int)
    paid_by_loan: dict[str, int] = defaultdict(int)
    base: dict[str, int] = {}
    for claim in sorted(claims, key=lambda c: (c.filed_on, c.claim_id)):
        decision, _, amount = outcome.claim(claim.claim_id)
        if decision == "refused":
            assert amount == "0.00"
            continue
        assert 0 < fen(amount) <= half_up(fen(claim.npl_balance), 2)  # at most 50 % of it
        paid_by_bank[by_id[claim.loan_id].bank, int(claim.filed_on[:4])] += fen(amount)
        paid_by_loan[claim.loan_id] += fen(amount)
        base.setdefault(claim.loan_id, fen(claim.npl_balance))
    # A bank never exceeds its cap: 200 M × its share of last year's registered lending.
    for (bank, year), paid in paid_by_bank.items():
        total = sum(v for (_, y), v in lent.items() if y == year - 1)
        assert total > 0
        assert paid <= half_up(POOL_YEAR_FEN * lent[bank, year - 1], total)
    # Total compensation on a loan never exceeds half its (first approved) balance.
    for loan_id, paid in paid_by_loan.items():
        assert paid <= half_up(base[loan_id], 2)
    # A refund never exceeds the net recovery, nor the compensation when the recovery is
    # within the compensated balance.
    for recovery in recoveries:
        due, amount, _ = outcome.recovery(recovery.recovery_id)
        assert fen(amount) <= fen(recovery.gross)
        loan_id = recovery.loan_id
        if due:
            assert loan_id in base
            if fen(recovery.gross) <= base[loan_id]:
                assert fen(amount) <= paid_by_loan[loan_id]
        else:
            assert amount == "0.00"
