"""Recoveries, refunds and write-offs (C7; 第二十三条 (四)–(六)): each recovery with its fees;
the refund to the treasury (the rules engine's :func:`gzcreditpool.ledger.refund`) due on the
30th working day after receipt, flagged overdue to the trustee and 市科技局 when not paid by
then; write-offs reported by the bank, reviewed by the trustee and reported on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from gzcreditpool import ledger
from gzcreditpool.kit.audit import record
from gzcreditpool.kit.auth import Actor
from gzcreditpool.loans.service import own_bank, visible_loan
from gzcreditpool.models import Recovery, Role, WriteOff, WriteOffStatus
from gzcreditpool.recoveries import repository
from gzcreditpool.recoveries.schemas import (
    RecoveryIn,
    RecoveryOut,
    WriteOffIn,
    WriteOffOut,
)
from gzkit.audit import snapshot
from gzkit.calendar import Calendar
from gzkit.errors import Conflict, Invalid, NotFound
from gzkit.pagination import PaginationParams, paginate


def recover(
    session: Session, actor: Actor, body: RecoveryIn, at: dt.datetime, calendar: Calendar
) -> Recovery:
    """The bank records a recovery; the refund owed and its due date follow (C7)."""
    own_bank(session, actor, new_business=False)
    loan = visible_loan(session, actor, body.loan_id)
    if body.fees > body.gross:
        raise Invalid("费用不能大于收回金额 / fees over gross", ("body", "fees"))
    if body.received_on > at.date():
        raise Invalid("收回日期不能晚于今天 / received in the future", ("body", "received_on"))
    compensated, refund = ledger.refund(
        loan.id, body.received_on, body.gross - body.fees, _paid(session, loan.id)
    )
    recovery = Recovery(
        loan_id=loan.id,
        received_on=body.received_on,
        gross=body.gross,
        fees=body.fees,
        refund=refund,
        due_on=ledger.refund_due_on(calendar, body.received_on) if compensated else None,
        recorded_at=at,
    )
    session.add(recovery)
    session.flush()
    record(
        session,
        actor.label,
        "recovery.record",
        "recovery",
        str(recovery.id),
        None,
        snapshot(recovery),
        at=at,
    )
    return recovery


def _paid(session: Session, loan_id: int) -> list[ledger.PaidClaim]:
    """The loan's approved compensation as the refund rule takes it; none after a finding
    (第二十五条: all compensation on the loan is being recovered, later recoveries owe no share)."""
    if repository.sanctioned(session, loan_id):
        return []
    return [
        ledger.PaidClaim(c.id, c.loan_id, c.filed_on, c.npl_balance, c.amount)
        for c in repository.approved_claims(session, loan_id)
        if c.amount is not None and c.amount > 0
    ]


def reassess(
    session: Session, loan_ids: set[int], actor: str, at: dt.datetime, calendar: Calendar
) -> None:
    """Work the refunds of the loans' unrefunded recoveries out again after their claims were
    approved: a recovery received on or after a claim's filing owes its share once the claim is
    approved (C7, as ``gzcreditpool settle`` reads it), due on the 30th working day after
    receipt. Changes are audited."""
    for loan_id in sorted(loan_ids):
        paid = _paid(session, loan_id)
        for recovery in repository.unrefunded(session, loan_id):
            due, refund = ledger.refund(
                loan_id, recovery.received_on, recovery.gross - recovery.fees, paid
            )
            due_on = ledger.refund_due_on(calendar, recovery.received_on) if due else None
            if (refund, due_on) == (recovery.refund, recovery.due_on):
                continue
            before = snapshot(recovery)
            recovery.refund, recovery.due_on = refund, due_on
            record(
                session, actor, "recovery.reassess", "recovery", str(recovery.id), before,
                snapshot(recovery), at=at,
            )  # fmt: skip


def mark_refunded(
    session: Session, actor: Actor, recovery_id: int, refunded_on: dt.date, at: dt.datetime
) -> Recovery:
    """The bank records that it paid the refund to the treasury."""
    own_bank(session, actor, new_business=False)
    recovery = session.get(Recovery, recovery_id)
    if recovery is None:
        raise NotFound("没有此清收记录 / recovery not found")
    visible_loan(session, actor, recovery.loan_id)
    if recovery.due_on is None:
        raise Conflict("此笔清收无须退回 / nothing to refund")
    if recovery.refunded_on is not None:
        raise Conflict(f"已于 {recovery.refunded_on} 退回 / already refunded")
    if not recovery.received_on <= refunded_on <= at.date():
        raise Invalid(
            "退回日期须在收回日至今天之间 / refund date out of range", ("body", "refunded_on")
        )
    before = snapshot(recovery)
    recovery.refunded_on = refunded_on
    record(
        session,
        actor.label,
        "recovery.refunded",
        "recovery",
        str(recovery.id),
        before,
        snapshot(recovery),
        at=at,
    )
    return recovery


def recovery_out(recovery: Recovery, today: dt.date, calendar: Calendar) -> RecoveryOut:
    """The recovery with its refund's state on ``today``: working days left, or overdue."""
    open_ = recovery.due_on is not None and recovery.refunded_on is None
    return RecoveryOut(
        id=recovery.id,
        loan_id=recovery.loan_id,
        bank_code=recovery.loan.bank.code,
        received_on=recovery.received_on,
        gross=recovery.gross,
        fees=recovery.fees,
        refund=recovery.refund,
        due_on=recovery.due_on,
        refunded_on=recovery.refunded_on,
        overdue=open_ and recovery.due_on is not None and today > recovery.due_on,
        working_days_left=(
            ledger.working_days_between(calendar, today, recovery.due_on)
            if open_ and recovery.due_on is not None
            else None
        ),
    )


def _bank_of(actor: Actor) -> int | None:
    return actor.bank_id if actor.role is Role.BANK else None


def listing(
    session: Session,
    actor: Actor,
    today: dt.date,
    calendar: Calendar,
    params: PaginationParams,
    *,
    overdue_only: bool,
) -> tuple[list[RecoveryOut], int]:
    """A page of recoveries (a bank's own only; only overdue refunds with ``overdue_only``) in
    order of receipt, and how many match."""
    query = repository.recoveries(_bank_of(actor), today if overdue_only else None)
    rows, total = paginate(session, query, params)
    return [recovery_out(r, today, calendar) for r in rows], total


def overdue(session: Session, actor: Actor, today: dt.date) -> tuple[int, Decimal]:
    """How many refunds are overdue on ``today`` and their sum (flagged to the trustee and
    市科技局)."""
    return repository.overdue_total(session, _bank_of(actor), today)


def write_off(
    session: Session, actor: Actor, loan_id: int, body: WriteOffIn, at: dt.datetime
) -> WriteOff:
    """The bank reports a loan written off after due diligence (第二十三条 (六))."""
    own_bank(session, actor, new_business=False)
    loan = visible_loan(session, actor, loan_id)
    if body.written_off_on > at.date():
        raise Invalid(
            "核销日期不能晚于今天 / written off in the future", ("body", "written_off_on")
        )
    if body.amount > loan.amount:
        raise Invalid("核销金额不能大于贷款金额 / over the loan amount", ("body", "amount"))
    row = WriteOff(
        loan_id=loan.id,
        written_off_on=body.written_off_on,
        amount=body.amount,
        reason=body.reason,
        status=WriteOffStatus.REPORTED,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor.label,
        "write_off.report",
        "write_off",
        str(row.id),
        None,
        snapshot(row),
        at=at,
    )
    return row


def review_write_off(
    session: Session, actor: Actor, write_off_id: int, note: str, at: dt.datetime
) -> WriteOff:
    """The trustee reviews a reported write-off."""
    actor.require(Role.TRUSTEE)
    row = session.get(WriteOff, write_off_id)
    if row is None:
        raise NotFound("没有此核销记录 / write-off not found")
    if row.status is not WriteOffStatus.REPORTED:
        raise Conflict("此核销已审核 / already reviewed")
    before = snapshot(row)
    row.status, row.reviewed_at, row.review_note = WriteOffStatus.REVIEWED, at, note
    record(
        session,
        actor.label,
        "write_off.review",
        "write_off",
        str(row.id),
        before,
        snapshot(row),
        at=at,
    )
    return row


def write_off_out(row: WriteOff) -> WriteOffOut:
    return WriteOffOut(
        id=row.id,
        loan_id=row.loan_id,
        bank_code=row.loan.bank.code,
        written_off_on=row.written_off_on,
        amount=row.amount,
        reason=row.reason,
        status=row.status,
        review_note=row.review_note,
    )


def write_offs(
    session: Session, actor: Actor, params: PaginationParams
) -> tuple[list[WriteOffOut], int]:
    """A page of write-offs (the trustee's periodic report to 市科技局), and how many."""
    rows, total = paginate(session, repository.write_offs(_bank_of(actor)), params)
    return [write_off_out(w) for w in rows], total
