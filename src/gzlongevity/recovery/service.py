"""Recovery (L7, 第二十条, 第二十四条): each person's overpayments found by an approved run
become a case; the family is notified (a notice in the outbox); with a deduction agreement
(第十二条) the money is taken back the way it was paid — a return instruction in the next
bank file, settled when that run is approved; otherwise, 3 months after the notice without
full return, a formal order (责令退回); a case closes when the amount is recovered. Fraud cases
are opened by the street with evidence and follow the same path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.errors import Conflict, Invalid, NotFound
from gzlongevity.core.calendar import month_text
from gzlongevity.core.deadlines import ORDER_AFTER_MONTHS, add_months
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS, MILITARY, fen_of, yuan
from gzlongevity.kit.audit import record
from gzlongevity.kit.auth import Actor, audited, mask_id
from gzlongevity.models import (
    CaseKind,
    CaseStatus,
    Notice,
    NoticeChannel,
    NoticeKind,
    PaymentRun,
    Person,
    RecoveryCase,
    RecoveryPayment,
    RecoveryWay,
    Role,
    RunOverpayment,
)
from gzlongevity.persons.lookup import person_by_ref
from gzlongevity.recovery.schemas import CaseOut

WAITING = (CaseStatus.NOTIFIED, CaseStatus.ORDERED)


def case_out(case: RecoveryCase, person: Person) -> CaseOut:
    """A case as the API shows it."""
    return CaseOut(
        id=case.id,
        person_id_masked=mask_id(person.id_number),
        person_ref=person.ref,
        name=person.name,
        district=case.district,
        street=case.street,
        kind=case.kind,
        status=case.status,
        amount_cny=yuan(case.amount_fen),
        recovered_cny=yuan(case.recovered_fen),
        opened_on=case.opened_on,
        notified_on=case.notified_on,
        clawback_month=None if case.clawback_month is None else month_text(case.clawback_month),
        ordered_on=case.ordered_on,
        closed_on=case.closed_on,
        order_due=(
            add_months(case.notified_on, ORDER_AFTER_MONTHS)
            if case.status is CaseStatus.NOTIFIED and case.notified_on is not None
            else None
        ),
    )


def _notice(
    session: Session, person: Person, kind: NoticeKind, body: str, now: dt.datetime
) -> None:
    channel = NoticeChannel.SMS if person.phone else NoticeChannel.LETTER
    recipient = person.phone or f"{person.street} {person.name} 家属"
    session.add(
        Notice(
            person_id=person.id_number,
            kind=kind,
            channel=channel,
            recipient=recipient,
            body=body,
            created_at=now,
        )
    )


def _open(
    session: Session,
    owed: list[tuple[Person, int]],
    kind: CaseKind,
    now: dt.datetime,
    actor: str,
    found_in_run: int | None = None,
    evidence: str | None = None,
) -> list[RecoveryCase]:
    """A case for each (person, amount in fen) of ``owed``, its notice to the family, and the
    claw-back if an agreement allows it; the cases are written in one flush."""
    today = now.date()
    cases = []
    for person, amount_fen in owed:
        case = RecoveryCase(
            person_id=person.id_number,
            district=person.district,
            street=person.street,
            kind=kind,
            status=CaseStatus.NOTIFIED,
            amount_fen=amount_fen,
            recovered_fen=0,
            opened_on=today,
            found_in_run=found_in_run,
            notified_on=today,
            evidence=evidence,
        )
        if person.agreement_signed_on is not None and person.bank_account:
            case.status = CaseStatus.CLAWBACK
            case.clawback_month = today.year * 12 + today.month  # the next month's bank file
        cases.append(case)
    session.add_all(cases)
    session.flush()
    for case, (person, amount_fen) in zip(cases, owed, strict=True):
        how = (
            f"将按发放扣款协议于 {month_text(case.clawback_month)} 原路退回"
            if case.clawback_month is not None
            else f"请于 {add_months(today, ORDER_AFTER_MONTHS)} 前退回"
        )
        _notice(
            session,
            person,
            NoticeKind.OVERPAYMENT,
            f"{person.name}家属您好：经核查，长寿保健金多发 {yuan(amount_fen)} 元，{how}。"
            f"——{person.street}",
            now,
        )
        record(
            session,
            actor,
            "recovery.open",
            "recovery_case",
            str(case.id),
            None,
            audited(snapshot(case), person),
            at=now,
        )
    return cases


def payer_cases(payer: str) -> ColumnElement[bool]:
    """The recovery cases whose return instructions go into ``payer``'s bank file: a military
    cadre's to the military channel's (第二十五条), everyone else's to their district's."""
    cadres = select(Person.id_number).where(Person.military.is_(True))
    if payer == MILITARY:
        return and_(RecoveryCase.person_id.in_(cadres))
    return and_(RecoveryCase.district == payer, RecoveryCase.person_id.not_in(cadres))


def open_cases_for_run(session: Session, run: PaymentRun, now: dt.datetime, payer: str) -> int:
    """A case per person for the overpayments ``payer``'s list of ``run`` found; how many."""
    owed = session.execute(
        select(Person, func.sum(RunOverpayment.amount_fen))
        .join(RunOverpayment, RunOverpayment.person_id == Person.id_number)
        .where(RunOverpayment.run_id == run.id, RunOverpayment.payer == payer)
        .group_by(Person.id_number)
        .order_by(Person.id_number)
    ).all()
    _open(
        session,
        [(person, int(amount)) for person, amount in owed],
        CaseKind.OVERPAYMENT,
        now,
        "system",
        found_in_run=run.month,
    )
    return len(owed)


def settle_clawbacks(session: Session, run: PaymentRun, now: dt.datetime, payer: str) -> int:
    """The return instructions of ``payer``'s bank file of ``run``, approved: those cases are
    recovered."""
    cases = session.execute(
        select(RecoveryCase, Person)
        .join(Person, Person.id_number == RecoveryCase.person_id)
        .where(
            RecoveryCase.status == CaseStatus.CLAWBACK,
            RecoveryCase.clawback_month == run.month,
            payer_cases(payer),
        )
        .order_by(RecoveryCase.id)
    ).all()
    for case, person in cases:
        before = snapshot(case)
        _recovered(session, case, case.amount_fen - case.recovered_fen, now, RecoveryWay.CLAWBACK)
        case.status, case.closed_on = CaseStatus.CLOSED, now.date()
        record(
            session,
            "system",
            "recovery.clawback",
            "recovery_case",
            str(case.id),
            audited(before, person),
            audited(snapshot(case), person),
            at=now,
        )
    return len(cases)


def _recovered(
    session: Session, case: RecoveryCase, amount_fen: int, now: dt.datetime, way: RecoveryWay
) -> None:
    """``amount_fen`` of ``case`` came back today: kept with its day (the statistics of a month
    count what came back by its end)."""
    case.recovered_fen += amount_fen
    session.add(RecoveryPayment(case_id=case.id, on=now.date(), amount_fen=amount_fen, way=way))


def order_unreturned(session: Session, now: dt.datetime) -> int:
    """责令退回 for cases notified 3 months ago and not fully returned (第二十条); how many."""
    today = now.date()
    count = 0
    for case in session.scalars(
        select(RecoveryCase).where(RecoveryCase.status == CaseStatus.NOTIFIED)
    ):
        assert case.notified_on is not None
        if add_months(case.notified_on, ORDER_AFTER_MONTHS) > today:
            continue
        before = snapshot(case)
        case.status, case.ordered_on = CaseStatus.ORDERED, today
        person = session.get(Person, case.person_id)
        assert person is not None
        _notice(
            session,
            person,
            NoticeKind.ORDER,
            f"{person.name}家属：多领长寿保健金 "
            f"{yuan(case.amount_fen - case.recovered_fen)} 元逾期未退回，"
            "现依《广州市长者长寿保健金发放管理办法》第二十条责令退回。"
            f"——{GUANGZHOU_DISTRICTS.get(case.district, case.district)}民政局",
            now,
        )
        record(
            session,
            "system",
            "recovery.order",
            "recovery_case",
            str(case.id),
            audited(before, person),
            audited(snapshot(case), person),
            at=now,
        )
        count += 1
    return count


def case_in_view(session: Session, actor: Actor, case_id: int) -> tuple[RecoveryCase, Person]:
    """A case the actor may see, or a 404."""
    case = session.get(RecoveryCase, case_id)
    person = session.get(Person, case.person_id) if case else None
    if case is None or person is None or not actor.covers(person):
        raise NotFound(f"没有追回案件 {case_id} / case not found")
    return case, person


def repay(
    session: Session, actor: Actor, now: dt.datetime, case_id: int, amount_cny: Decimal
) -> CaseOut:
    """Record money returned; the case closes when the whole amount is back. Street or
    district."""
    actor.require(Role.STREET, Role.DISTRICT)
    case, person = case_in_view(session, actor, case_id)
    if case.status not in WAITING:
        raise Conflict(
            f"案件状态为 {case.status.value}，不能登记退回 / case is {case.status.value}"
        )
    amount = fen_of(amount_cny)
    if amount > case.amount_fen - case.recovered_fen:
        raise Invalid(
            f"超过未退回金额 {yuan(case.amount_fen - case.recovered_fen)} 元 / more than owed",
            "amount_cny",
        )
    before = snapshot(case)
    _recovered(session, case, amount, now, RecoveryWay.REPAID)
    if case.recovered_fen == case.amount_fen:
        case.status, case.closed_on = CaseStatus.CLOSED, now.date()
    record(
        session,
        actor.label,
        "recovery.repay",
        "recovery_case",
        str(case.id),
        audited(before, person),
        audited(snapshot(case), person),
        at=now,
    )
    return case_out(case, person)


def open_fraud(
    session: Session,
    actor: Actor,
    now: dt.datetime,
    ref: str,
    amount_cny: Decimal,
    evidence: str,
) -> CaseOut:
    """A fraud case with its evidence (第二十四条). Street only."""
    actor.require(Role.STREET)
    person = person_by_ref(session, actor, ref)
    [case] = _open(
        session,
        [(person, fen_of(amount_cny))],
        CaseKind.FRAUD,
        now,
        actor.label,
        evidence=evidence.strip(),
    )
    return case_out(case, person)


def list_cases(session: Session, actor: Actor, status: CaseStatus | None) -> list[CaseOut]:
    """The cases in the actor's jurisdiction, oldest first (not for the committee)."""
    actor.forbid(Role.COMMITTEE, Role.EXCHANGE)
    statement = (
        select(RecoveryCase, Person)
        .join(Person, Person.id_number == RecoveryCase.person_id)
        .where(actor.sees())
        .order_by(RecoveryCase.opened_on, RecoveryCase.id)
    )
    if status is not None:
        statement = statement.where(RecoveryCase.status == status)
    return [case_out(case, person) for case, person in session.execute(statement).all()]
