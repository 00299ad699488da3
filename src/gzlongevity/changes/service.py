"""Changes (L6, 第十六条): the street records name, phone and address changes at once, within
30 days of being told; a bank account change waits for a second officer of the same street
(or its district) to approve it. Every change is audited. Moves within the city come from the
register feed (the new street takes the case from the next month, L6)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.errors import Conflict, Forbidden, Invalid, NotFound
from gzlongevity.changes.schemas import BankChangeIn, ChangeOut, PersonalChangeIn
from gzlongevity.core.deadlines import CHANGE_DAYS
from gzlongevity.kit.audit import record
from gzlongevity.kit.auth import Actor, audited, mask_account, mask_id
from gzlongevity.models import ChangeKind, ChangeRequest, ChangeStatus, Person, Role
from gzlongevity.persons.lookup import person_by_ref


def change_out(change: ChangeRequest, person: Person) -> ChangeOut:
    """A change as the API shows it."""
    values = dict(change.values)
    if "bank_account" in values:
        values["bank_account"] = mask_account(values["bank_account"])
    return ChangeOut(
        id=change.id,
        person_id_masked=mask_id(change.person_id),
        person_ref=person.ref,
        kind=change.kind,
        status=change.status,
        values=values,
        told_on=change.told_on,
        act_by=change.told_on + dt.timedelta(days=CHANGE_DAYS),
        requested_at=change.requested_at,
        decided_by=change.decided_by,
    )


def _apply(
    session: Session, person: Person, values: dict[str, Any], actor: str, now: dt.datetime
) -> None:
    before = snapshot(person)
    for key, value in values.items():
        setattr(person, key, value)
    record(
        session,
        actor,
        "person.change",
        "person",
        person.ref,
        audited(before, person),
        audited(snapshot(person), person),
        at=now,
    )


def _told_on(told_on: dt.date, now: dt.datetime) -> None:
    if told_on > now.date():
        raise Invalid("告知日期不能晚于今天 / told_on is in the future", "told_on")


def change_personal(
    session: Session, actor: Actor, now: dt.datetime, ref: str, body: PersonalChangeIn
) -> ChangeOut:
    """Apply a personal data change. Street only."""
    actor.require(Role.STREET)
    person = person_by_ref(session, actor, ref)
    _told_on(body.told_on, now)
    values = body.model_dump(exclude={"told_on"}, exclude_none=True)
    if not values:
        raise Invalid("没有要变更的内容 / nothing to change", "body")
    change = ChangeRequest(
        person_id=person.id_number,
        kind=ChangeKind.PERSONAL,
        status=ChangeStatus.APPLIED,
        values=values,
        told_on=body.told_on,
        requested_by_id=actor.officer_id,
        requested_at=now,
        decided_by=actor.label,
        decided_at=now,
    )
    session.add(change)
    session.flush()
    _apply(session, person, values, actor.label, now)
    record(
        session,
        actor.label,
        "change.apply",
        "change_request",
        str(change.id),
        None,
        audited(snapshot(change), person),
        at=now,
    )
    return change_out(change, person)


def request_bank_change(
    session: Session, actor: Actor, now: dt.datetime, ref: str, body: BankChangeIn
) -> ChangeOut:
    """Record a bank account change, pending a second officer. Street only."""
    actor.require(Role.STREET)
    person = person_by_ref(session, actor, ref)
    _told_on(body.told_on, now)
    pending = session.scalar(
        select(ChangeRequest.id).where(
            ChangeRequest.person_id == person.id_number,
            ChangeRequest.kind == ChangeKind.BANK,
            ChangeRequest.status == ChangeStatus.PENDING,
        )
    )
    if pending is not None:
        raise Conflict(f"已有待审批的银行账户变更 {pending} / a bank change is pending")
    change = ChangeRequest(
        person_id=person.id_number,
        kind=ChangeKind.BANK,
        status=ChangeStatus.PENDING,
        values={"bank_name": body.bank_name.strip(), "bank_account": body.bank_account},
        told_on=body.told_on,
        requested_by_id=actor.officer_id,
        requested_at=now,
    )
    session.add(change)
    session.flush()
    record(
        session,
        actor.label,
        "change.request",
        "change_request",
        str(change.id),
        None,
        audited(snapshot(change), person),
        at=now,
    )
    return change_out(change, person)


def decide(
    session: Session, actor: Actor, now: dt.datetime, change_id: int, approve: bool
) -> ChangeOut:
    """A second officer approves (the account changes) or rejects a pending bank change.

    Raises
    ------
    Forbidden
        The officer who asked for it (the four-eyes rule), or not the street or district.
    """
    actor.require(Role.STREET, Role.DISTRICT)
    change = session.get(ChangeRequest, change_id)
    person = session.get(Person, change.person_id) if change else None
    if change is None or person is None or not actor.covers(person):
        raise NotFound(f"没有变更申请 {change_id} / change not found")
    if change.status is not ChangeStatus.PENDING:
        raise Conflict(
            f"变更申请已{'执行' if change.status is ChangeStatus.APPLIED else '驳回'} / "
            "already decided"
        )
    if change.requested_by_id == actor.officer_id:
        raise Forbidden("银行账户变更须由另一名工作人员审批 / a second officer must approve")
    before = snapshot(change)
    change.status = ChangeStatus.APPLIED if approve else ChangeStatus.REJECTED
    change.decided_by, change.decided_at = actor.label, now
    if approve:
        _apply(session, person, dict(change.values), actor.label, now)
    record(
        session,
        actor.label,
        "change.approve" if approve else "change.reject",
        "change_request",
        str(change.id),
        audited(before, person),
        audited(snapshot(change), person),
        at=now,
    )
    return change_out(change, person)


def list_changes(session: Session, actor: Actor, status: ChangeStatus | None) -> list[ChangeOut]:
    """Changes in the actor's jurisdiction, newest first (not for the committee)."""
    actor.forbid(Role.COMMITTEE, Role.EXCHANGE)
    statement = (
        select(ChangeRequest, Person)
        .join(Person, Person.id_number == ChangeRequest.person_id)
        .where(actor.sees())
        .order_by(ChangeRequest.requested_at.desc(), ChangeRequest.id.desc())
    )
    if status is not None:
        statement = statement.where(ChangeRequest.status == status)
    return [change_out(change, person) for change, person in session.execute(statement).all()]
