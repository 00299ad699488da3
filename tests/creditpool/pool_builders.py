"""Small hand-written books for the credit pool's rule tests: rows in, readable decisions out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from gzcreditpool.core.claims import CLAIM_DECISIONS, CLAIM_REASONS, Classification
from gzcreditpool.core.loans import LOAN_REASONS
from gzcreditpool.core.settle import Claims, Loans, Recoveries, Settlement, settle
from gzkit.calendar import Calendar

CALENDAR = Calendar()  # one calendar for all tests: its day types are computed once


def fen(cny: str) -> int:
    return int(Decimal(cny) * 100)


@dataclass(frozen=True)
class Loan:
    loan_id: str
    amount: str = "1000000"
    disbursed_on: str = "2023-03-01"
    reported_on: str | None = None  # the day after disbursement unless given
    bank: str = "B1"
    enterprise: str | None = None  # one enterprise per loan unless given
    eligible: bool = True
    term_months: int = 12
    credit_part: str | None = None  # 60 % of the amount unless given
    financing_guarantee: bool = False


@dataclass(frozen=True)
class Claim:
    claim_id: str
    loan_id: str
    npl_balance: str
    filed_on: str = "2024-03-01"
    classification: str = "次级"
    legal_effective_on: str | None = "2024-01-15"


@dataclass(frozen=True)
class Recovery:
    recovery_id: str
    loan_id: str
    gross: str
    fees: str = "0"
    received_on: str = "2024-09-30"


def days(values: list[str | None]) -> np.ndarray:
    return np.array([v if v is not None else "NaT" for v in values], dtype="datetime64[D]")


def codes(values: list[str]) -> np.ndarray:
    return np.unique(np.array(values, dtype=str), return_inverse=True)[1].astype(np.int64)


def book(
    loans: Sequence[Loan],
    claims: list[Claim] = (),
    recoveries: Sequence[Recovery] = (),
) -> tuple[Loans, Claims, Recoveries]:
    index = {loan.loan_id: i for i, loan in enumerate(loans)}
    disbursed = days([loan.disbursed_on for loan in loans])
    loan_book = Loans(
        loan_id=np.array([loan.loan_id for loan in loans], dtype=str),
        bank=codes([loan.bank for loan in loans]),
        enterprise=codes([loan.enterprise or loan.loan_id for loan in loans]),
        enterprise_eligible=np.array([loan.eligible for loan in loans], dtype=bool),
        disbursed_on=disbursed,
        reported_on=np.where(
            np.array([loan.reported_on is None for loan in loans], dtype=bool),
            disbursed + 1,
            days([loan.reported_on for loan in loans]),
        ),
        amount_fen=np.array([fen(loan.amount) for loan in loans], dtype=np.int64),
        term_months=np.array([loan.term_months for loan in loans], dtype=np.int64),
        credit_part_fen=np.array(
            [
                fen(loan.credit_part) if loan.credit_part else fen(loan.amount) * 6 // 10
                for loan in loans
            ],
            dtype=np.int64,
        ),
        financing_guarantee=np.array([loan.financing_guarantee for loan in loans], dtype=bool),
    )
    claim_book = Claims(
        claim_id=np.array([c.claim_id for c in claims], dtype=str),
        loan=np.array([index[c.loan_id] for c in claims], dtype=np.int64),
        filed_on=days([c.filed_on for c in claims]),
        classification=np.array(
            [Classification[c.classification].value for c in claims], dtype=np.int8
        ),
        legal_effective_on=days([c.legal_effective_on for c in claims]),
        npl_balance_fen=np.array([fen(c.npl_balance) for c in claims], dtype=np.int64),
    )
    recovery_book = Recoveries(
        recovery_id=np.array([r.recovery_id for r in recoveries], dtype=str),
        loan=np.array([index[r.loan_id] for r in recoveries], dtype=np.int64),
        received_on=days([r.received_on for r in recoveries]),
        gross_fen=np.array([fen(r.gross) for r in recoveries], dtype=np.int64),
        fees_fen=np.array([fen(r.fees) for r in recoveries], dtype=np.int64),
    )
    return loan_book, claim_book, recovery_book


@dataclass(frozen=True)
class Outcome:
    settlement: Settlement
    loans: Loans
    claims: Claims
    recoveries: Recoveries

    def loan(self, loan_id: str) -> str:
        """``registered`` or the refusal reason."""
        i = self.loans.loan_id.tolist().index(loan_id)
        code = int(self.settlement.loan_reason[i])
        return "registered" if code < 0 else LOAN_REASONS[code]

    def claim(self, claim_id: str) -> tuple[str, str, str]:
        """(decision, reason, amount in CNY)."""
        i = self.claims.claim_id.tolist().index(claim_id)
        outcome = self.settlement.claims
        reason = int(outcome.reason[i])
        return (
            CLAIM_DECISIONS[int(outcome.decision[i])].value,
            "" if reason < 0 else CLAIM_REASONS[reason].value,
            f"{Decimal(int(outcome.amount_fen[i])) / 100:.2f}",
        )

    def recovery(self, recovery_id: str) -> tuple[bool, str, str]:
        """(refund due, amount in CNY, due date or "")."""
        i = self.recoveries.recovery_id.tolist().index(recovery_id)
        due = self.settlement.refund_due_on[i]
        return (
            bool(self.settlement.refunds.due[i]),
            f"{Decimal(int(self.settlement.refunds.amount_fen[i])) / 100:.2f}",
            "" if np.isnat(due) else str(due),
        )


def run(
    loans: Sequence[Loan],
    claims: Sequence[Claim] = (),
    recoveries: Sequence[Recovery] = (),
    calendar: Calendar | None = None,
) -> Outcome:
    loan_book, claim_book, recovery_book = book(loans, claims, recoveries)
    settlement = settle(calendar or CALENDAR, loan_book, claim_book, recovery_book)
    return Outcome(settlement, loan_book, claim_book, recovery_book)
