"""The service decides as ``gzcreditpool settle`` does: a demo world run week by week through
the service, then its loans, claims and recoveries written as the batch's files and settled —
every loan's, claim's and recovery's decision, reason, amount and due day, and every year's
trustee fee, agree."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select

from gzcreditpool.demo import world
from gzcreditpool.demo.run import simulate
from gzcreditpool.ledger import ID_WIDTH
from gzcreditpool.models import Claim, Enterprise, Loan, LoanStatus, Recovery, Sanction
from gzcreditpool.run import SettleInputs, run_settle
from gzkit.db import session_scope


def _id(number: int) -> str:
    return f"{number:0{ID_WIDTH}d}"


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_the_service_and_the_batch_decide_alike(tmp_path: Path) -> None:
    run = simulate(f"sqlite:///{tmp_path / 'pool.sqlite'}", world.build(400, seed=11))
    try:
        with session_scope(run.client.app.state.sessionmaker) as session:
            loans = session.scalars(select(Loan).order_by(Loan.id)).all()
            firms = {f.id: f.uscc for f in session.scalars(select(Enterprise))}
            claims = session.scalars(select(Claim).order_by(Claim.id)).all()
            recoveries = session.scalars(select(Recovery).order_by(Recovery.id)).all()
            sanctioned = set(session.scalars(select(Sanction.loan_id)))
            service_fees = {
                year: run.call("GET", f"/api/fees/{year}", run.bureau)["fee"]
                for year in range(2021, 2026)
            }
    finally:
        run.close()
    # A recovery on a loan under a finding owes nothing in the service (第二十五条), which the
    # batch does not know of; they are left out of both.
    recoveries = [r for r in recoveries if r.loan_id not in sanctioned]
    files = SettleInputs(
        loans=_write(
            tmp_path / "loans.csv",
            [
                "loan_id",
                "bank_id",
                "enterprise_id",
                "enterprise_eligible",
                "disbursed_on",
                "reported_on",
                "amount",
                "term_months",
                "credit_part",
                "financing_guarantee",
            ],
            [
                [
                    _id(x.id),
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
            [
                "claim_id",
                "loan_id",
                "filed_on",
                "classification",
                "legal_effective_on",
                "npl_balance",
            ],
            [
                [
                    _id(c.id),
                    _id(c.loan_id),
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
            ["recovery_id", "loan_id", "received_on", "gross", "fees"],
            [[_id(r.id), _id(r.loan_id), r.received_on, r.gross, r.fees] for r in recoveries],
        ),
    )
    run_settle(files, tmp_path / "decisions.csv")
    with (tmp_path / "decisions.csv").open(encoding="utf-8") as decided:
        batch = {(row["record"], row["id"]): row for row in csv.DictReader(decided)}

    assert len(loans) > 500 and len(claims) > 10 and len(recoveries) > 3
    for loan in loans:
        row = batch["loan", _id(loan.id)]
        assert loan.status in (LoanStatus.CONFIRMED, LoanStatus.REFUSED)
        assert (row["decision"], row["reason"]) == (
            "registered" if loan.status is LoanStatus.CONFIRMED else "refused",
            loan.reason or "",
        ), loan.id
    for claim in claims:
        row = batch["claim", _id(claim.id)]
        assert (row["decision"], row["reason"], row["amount_cny"]) == (
            claim.decision,
            claim.reason or "",
            str(claim.amount),
        ), claim.id
    for recovery in recoveries:
        row = batch["recovery", _id(recovery.id)]
        assert (row["amount_cny"], row["due_on"]) == (
            str(recovery.refund),
            str(recovery.due_on or ""),
        ), recovery.id
    for year, fee in service_fees.items():
        if ("fee", str(year)) in batch:
            assert batch["fee", str(year)]["amount_cny"] == fee
