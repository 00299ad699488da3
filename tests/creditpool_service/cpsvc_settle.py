"""The service's book written as ``gzcreditpool settle``'s three files and settled: what the
tests that hold the service to the batch compare."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzcreditpool.files.books import CLAIM_COLUMNS, LOAN_COLUMNS, RECOVERY_COLUMNS
from gzcreditpool.ledger import ID_WIDTH
from gzcreditpool.models import Claim, Enterprise, Loan, LoanStatus, Recovery, Sanction
from gzcreditpool.run import SettleInputs, run_settle


def batch_id(number: int) -> str:
    return f"{number:0{ID_WIDTH}d}"


def _write(path: Path, header: Sequence[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@dataclass
class Book:
    """The service's loans, claims and recoveries, and the batch's decisions on them by
    ``(record, id)``."""

    loans: list[Loan]
    claims: list[Claim]
    recoveries: list[Recovery]
    batch: dict[tuple[str, str], dict[str, str]]


def settle_book(session: Session, tmp_path: Path) -> Book:
    """Write the service's book as the batch's files, settle it and read the decisions.

    A recovery on a loan under a finding owes nothing in the service (第二十五条), which the
    batch does not know of; they are left out.
    """
    loans = list(session.scalars(select(Loan).order_by(Loan.id)))
    firms = {f.id: f.uscc for f in session.scalars(select(Enterprise))}
    claims = list(session.scalars(select(Claim).order_by(Claim.id)))
    sanctioned = set(session.scalars(select(Sanction.loan_id)))
    recoveries = [
        r
        for r in session.scalars(select(Recovery).order_by(Recovery.id))
        if r.loan_id not in sanctioned
    ]
    files = SettleInputs(
        loans=_write(
            tmp_path / "loans.csv",
            LOAN_COLUMNS,
            [
                [
                    batch_id(x.id),
                    x.bank_id,
                    firms[x.enterprise_id],
                    str(x.enterprise_eligible).lower(),
                    x.disbursed_on,
                    x.reported_on,
                    x.amount,
                    x.term_months,
                    x.credit_part,
                    str(x.financing_guarantee).lower(),
                ]
                for x in loans
            ],
        ),
        claims=_write(
            tmp_path / "claims.csv",
            CLAIM_COLUMNS,
            [
                [
                    batch_id(c.id),
                    batch_id(c.loan_id),
                    c.filed_on,
                    c.classification,
                    c.legal_effective_on or "",
                    c.npl_balance,
                ]
                for c in claims
            ],
        ),
        recoveries=_write(
            tmp_path / "recoveries.csv",
            RECOVERY_COLUMNS,
            [
                [batch_id(r.id), batch_id(r.loan_id), r.received_on, r.gross, r.fees]
                for r in recoveries
            ],
        ),
    )
    run_settle(files, tmp_path / "decisions.csv")
    with (tmp_path / "decisions.csv").open(encoding="utf-8") as decided:
        batch = {(row["record"], row["id"]): row for row in csv.DictReader(decided)}

    return Book(loans, claims, recoveries, batch)


def assert_agree(book: Book) -> None:
    """Every loan's, claim's and recovery's decision in the service is the batch's."""
    loans, claims, recoveries, batch = book.loans, book.claims, book.recoveries, book.batch
    for loan in loans:
        row = batch["loan", batch_id(loan.id)]
        assert loan.status in (LoanStatus.CONFIRMED, LoanStatus.REFUSED)
        assert (row["decision"], row["reason"]) == (
            "registered" if loan.status is LoanStatus.CONFIRMED else "refused",
            loan.reason or "",
        ), loan.id
    for claim in claims:
        row = batch["claim", batch_id(claim.id)]
        assert (row["decision"], row["reason"], row["amount_cny"]) == (
            claim.decision,
            claim.reason or "",
            str(claim.amount),
        ), claim.id
    for recovery in recoveries:
        row = batch["recovery", batch_id(recovery.id)]
        # The batch settles every claim at once: its refund is the service's with the top-ups
        # later approvals added (C7).
        owed = recovery.refund + sum(t.amount for t in recovery.top_ups)
        assert (row["amount_cny"], row["due_on"]) == (
            str(owed),
            str(recovery.due_on or ""),
        ), recovery.id
