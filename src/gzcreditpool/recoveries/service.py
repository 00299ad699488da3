"""Recoveries, refunds and write-offs (C7; 第二十三条 (四)–(六)): each recovery with its fees;
the refund to the treasury (the rules engine's :func:`gzcreditpool.ledger.refund`) due on the
30th working day after receipt, flagged overdue to the trustee and 市科技局 when not paid by
then; a top-up (:func:`gzcreditpool.ledger.top_up`) owed by a refunded recovery when a later
approval raises the pool's share, due on the 30th working day after the approval; write-offs
reported by the bank, reviewed by the trustee and reported on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from gzcreditpool import ledger
from gzcreditpool.kit.audit import record
from gzcreditpool.kit.auth import Actor
from gzcreditpool.loans.service import bank_filter, own_bank, visible_loan
from gzcreditpool.models import Recovery, RefundTopUp, Role, WriteOff, WriteOffStatus
from gzcreditpool.recoveries import repository
from gzcreditpool.recoveries.schemas import (
    RecoveryIn,
    RecoveryOut,
    TopUpOut,
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
    """Work the refunds of the loans' recoveries out again after their claims were approved:
    a recovery received on or after a claim's filing owes its share once the claim is approved
    (C7, as ``gzcreditpool settle`` reads it), due on the 30th working day after receipt; one
    already refunded owes the difference as a top-up, due on the 30th working day after the
    approval. Changes are audited."""
    for loan_id in sorted(loan_ids):
        paid = _paid(session, loan_id)
        for recovery in repository.of_loan(session, loan_id):
            net = recovery.gross - recovery.fees
            if recovery.refunded_on is not None:
                _top_up(session, recovery, net, paid, actor, at, calendar)
                continue
            due, refund = ledger.refund(loan_id, recovery.received_on, net, paid)
            due_on = ledger.refund_due_on(calendar, recovery.received_on) if due else None
            if (refund, due_on) == (recovery.refund, recovery.due_on):
                continue
            before = snapshot(recovery)
            recovery.refund, recovery.due_on = refund, due_on
            record(
                session, actor, "recovery.reassess", "recovery", str(recovery.id), before,
                snapshot(recovery), at=at,
            )  # fmt: skip


def _top_up(
    session: Session,
    recovery: Recovery,
    net: Decimal,
    paid: list[ledger.PaidClaim],
    actor: str,
    at: dt.datetime,
    calendar: Calendar,
) -> None:
    """Record what the refunded ``recovery`` owes on top of its refund and earlier top-ups."""
    refunded = recovery.refund + sum((t.amount for t in recovery.top_ups), Decimal("0.00"))
    more = ledger.top_up(recovery.loan_id, recovery.received_on, net, refunded, paid)
    if more <= 0:
        return
    today = at.date()
    row = RefundTopUp(
        amount=more,
        approved_on=today,
        due_on=ledger.refund_due_on(calendar, today),
        recorded_at=at,
    )
    recovery.top_ups.append(row)
    session.flush()
    record(
        session, actor, "recovery.top_up", "refund_top_up", str(row.id), None, snapshot(row), at=at
    )


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
    _record_paid(session, actor, recovery, "退回", recovery.received_on, "收回日", refunded_on, at)
    return recovery


def mark_top_up_refunded(
    session: Session,
    actor: Actor,
    recovery_id: int,
    top_up_id: int,
    refunded_on: dt.date,
    at: dt.datetime,
) -> Recovery:
    """The bank records that it paid a top-up to the treasury."""
    own_bank(session, actor, new_business=False)
    row = session.get(RefundTopUp, top_up_id)
    if row is None or row.recovery_id != recovery_id:
        raise NotFound("没有此补退记录 / top-up not found")
    visible_loan(session, actor, row.recovery.loan_id)
    _record_paid(session, actor, row, "补退", row.approved_on, "批准日", refunded_on, at)
    return row.recovery


def _record_paid(
    session: Session,
    actor: Actor,
    row: Recovery | RefundTopUp,
    what: str,
    earliest: dt.date,
    earliest_name: str,
    refunded_on: dt.date,
    at: dt.datetime,
) -> None:
    """Record ``row`` (a refund or a top-up) paid on ``refunded_on``, between ``earliest`` and
    today, once; audited."""
    if row.refunded_on is not None:
        raise Conflict(f"已于 {row.refunded_on} {what} / already refunded")
    if not earliest <= refunded_on <= at.date():
        raise Invalid(
            f"{what}日期须在{earliest_name}至今天之间 / refund date out of range",
            ("body", "refunded_on"),
        )
    before = snapshot(row)
    row.refunded_on = refunded_on
    entity = "recovery" if isinstance(row, Recovery) else "refund_top_up"
    action = "recovery.refunded" if isinstance(row, Recovery) else "recovery.top_up_refunded"
    record(session, actor.label, action, entity, str(row.id), before, snapshot(row), at=at)


def _deadline(
    due_on: dt.date | None, refunded_on: dt.date | None, today: dt.date, calendar: Calendar
) -> tuple[bool, int | None]:
    """Whether an unpaid refund is overdue on ``today``, and the working days left to it."""
    if due_on is None or refunded_on is not None:
        return False, None
    return today > due_on, ledger.working_days_between(calendar, today, due_on)


def recovery_out(recovery: Recovery, today: dt.date, calendar: Calendar) -> RecoveryOut:
    """The recovery with its refund's and top-ups' state on ``today``: working days left, or
    overdue."""
    overdue, left = _deadline(recovery.due_on, recovery.refunded_on, today, calendar)
    top_ups = []
    for row in recovery.top_ups:
        late, days = _deadline(row.due_on, row.refunded_on, today, calendar)
        top_ups.append(
            TopUpOut(
                id=row.id,
                amount=row.amount,
                approved_on=row.approved_on,
                due_on=row.due_on,
                refunded_on=row.refunded_on,
                overdue=late,
                working_days_left=days,
            )
        )
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
        overdue=overdue,
        working_days_left=left,
        top_ups=top_ups,
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
    bank: str | None = None,
) -> tuple[list[RecoveryOut], int]:
    """A page of recoveries (a bank's own only; the staff's of the bank ``bank`` names, when
    given; only overdue refunds with ``overdue_only``) in order of receipt, and how many
    match."""
    bank_id = bank_filter(session, actor, bank)
    query = repository.recoveries(bank_id, today if overdue_only else None)
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
