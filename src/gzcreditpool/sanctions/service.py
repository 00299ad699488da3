"""Sanctions (第二十五条, 第三十条): duplicate funding found in the books, and 市科技局's finding
on a loan (duplicate funding, misclassification found later, false materials), by which all
compensation on the loan is recovered (less what was already refunded from recoveries or is
being recovered by an earlier finding)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gzcreditpool.kit.audit import record
from gzcreditpool.kit.auth import Actor
from gzcreditpool.loans.service import visible_loan
from gzcreditpool.models import Role, Sanction
from gzcreditpool.sanctions import repository
from gzcreditpool.sanctions.schemas import FlagOut, SanctionIn, SanctionOut
from gzkit.audit import snapshot
from gzkit.errors import Conflict
from gzkit.pagination import PaginationParams, paginate


def flags(session: Session, actor: Actor) -> list[FlagOut]:
    """Duplicate funding suspected in the books (for the trustee and 市科技局), all of them:
    :func:`gzkit.pagination.page_of` pages them."""
    actor.require(Role.BUREAU, Role.TRUSTEE, Role.AUDITOR)
    found = [
        FlagOut(
            kind="claimed_twice",
            text=f"贷款 {loan_id} 在 {year} 年被重复申请补偿",
            loan_ids=[loan_id],
        )
        for loan_id, year in repository.claimed_twice(session)
    ]
    for enterprise_id, contract_no in repository.same_contract_two_banks(session):
        loans = repository.loans_of_contract(session, enterprise_id, contract_no)
        found.append(
            FlagOut(
                kind="two_banks",
                text=f"同一企业的合同 {contract_no} 由多家银行报送",
                loan_ids=loans,
            )
        )
    return found


def sanction(session: Session, actor: Actor, body: SanctionIn, at: dt.datetime) -> Sanction:
    """市科技局 records a finding on a loan; all compensation on it is to be recovered."""
    actor.require(Role.BUREAU)
    loan = visible_loan(session, actor, body.loan_id)
    paid, refunded, clawed = repository.compensation(session, loan.id)
    clawback = paid - refunded - clawed
    if clawback <= 0:
        raise Conflict("该贷款没有待追回的补偿资金 / no compensation to recover on this loan")
    row = Sanction(
        loan_id=loan.id, kind=body.kind, note=body.note, clawback=clawback, decided_at=at
    )
    session.add(row)
    session.flush()
    record(
        session, actor.label, "sanction.decide", "sanction", str(row.id), None, snapshot(row), at=at
    )
    return row


def out(row: Sanction) -> SanctionOut:
    return SanctionOut(
        id=row.id,
        loan_id=row.loan_id,
        bank_code=row.loan.bank.code,
        kind=row.kind,
        note=row.note,
        clawback=row.clawback,
        decided_at=row.decided_at,
    )


def listing(
    session: Session, actor: Actor, params: PaginationParams
) -> tuple[list[SanctionOut], int]:
    """A page of the findings (a bank's own only), in order of decision, and how many."""
    bank_id = actor.bank_id if actor.role is Role.BANK else None
    rows, total = paginate(session, repository.sanctions(bank_id), params)
    return [out(s) for s in rows], total
