"""Confirming (L4, 第八条, 第九条, 第十二条): the elder with the one-time code of the street's
notice, name and ID number; or the committee or street on their behalf with evidence. The
earliest confirmation counts (the rules read ``confirmed_on``); the bank account and the
deduction agreement are recorded with it; the agreement can also be signed later."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.errors import Conflict, Invalid
from gzlongevity.cases.service import MAX_CODE_ATTEMPTS, code_hash
from gzlongevity.confirmations.schemas import (
    BankIn,
    ConfirmationOut,
    SelfConfirmIn,
    StaffConfirmIn,
)
from gzlongevity.kit.audit import record
from gzlongevity.kit.auth import Actor, mask_account, mask_id, person_in_view
from gzlongevity.models import (
    Channel,
    IntakeTask,
    Person,
    RegisterStatus,
    Role,
    TaskStatus,
)

MISMATCH = "确认码、姓名或身份证号不正确，请核对通知书 / code, name or ID number do not match"


def confirmation_out(person: Person) -> ConfirmationOut:
    """A person's confirmation, masked."""
    assert person.confirmed_on is not None and person.confirm_channel is not None
    return ConfirmationOut(
        person_id_masked=mask_id(person.id_number),
        name=person.name,
        confirmed_on=person.confirmed_on,
        channel=person.confirm_channel,
        bank_name=person.bank_name or "",
        bank_account_masked=mask_account(person.bank_account) or "",
        agreement_signed_on=person.agreement_signed_on,
    )


def _record_confirmation(
    session: Session,
    person: Person,
    body: BankIn,
    channel: Channel,
    evidence: str | None,
    actor: str,
    now: dt.datetime,
) -> None:
    if person.status is not RegisterStatus.REGISTERED:
        raise Conflict("此人已不在本市户籍或已身故，无法确认 / no longer registered")
    if person.confirmed_on is not None:
        raise Conflict("已确认过，变更银行账户请到街（镇）办理 / already confirmed")
    before = snapshot(person)
    today = now.date()
    person.confirmed_on = today
    person.confirm_channel = channel
    person.confirm_evidence = evidence
    person.bank_name = body.bank_name.strip()
    person.bank_account = body.bank_account
    person.phone = body.phone or person.phone
    if body.agreement:
        person.agreement_signed_on = today
    for task in session.scalars(
        select(IntakeTask).where(
            IntakeTask.person_id == person.id_number,
            IntakeTask.status.in_([TaskStatus.OPEN, TaskStatus.NOTIFIED]),
        )
    ):
        task.status, task.closed_on, task.code_sha256 = TaskStatus.CONFIRMED, today, None
    record(
        session,
        actor,
        "person.confirm",
        "person",
        person.id_number,
        before,
        snapshot(person),
        at=now,
    )


def confirm_self(session: Session, now: dt.datetime, body: SelfConfirmIn) -> ConfirmationOut:
    """The elder's own confirmation (穗好办-style).

    Raises
    ------
    Invalid
        The code, name or ID number do not match a notified task (one message for each, so
        nothing is learnt by guessing); after 5 failures the code is void until the street
        sends a new notice.
    """
    id_number = body.id_number.strip().upper()
    task = session.scalars(
        select(IntakeTask).where(
            IntakeTask.person_id == id_number, IntakeTask.status == TaskStatus.NOTIFIED
        )
    ).first()
    person = session.get(Person, id_number)
    if task is None or person is None or task.code_sha256 is None:
        raise Invalid(MISMATCH, "code")
    if (
        task.failed_attempts >= MAX_CODE_ATTEMPTS
        or code_hash(task.id, body.code) != task.code_sha256
        or person.name != body.name.strip()
    ):
        task.failed_attempts += 1
        session.commit()  # the failure counts even though the request is refused
        raise Invalid(MISMATCH, "code")
    _record_confirmation(
        session, person, body, Channel.APP, None, f"elder {mask_id(id_number)}", now
    )
    return confirmation_out(person)


def confirm_for(
    session: Session, actor: Actor, now: dt.datetime, id_number: str, body: StaffConfirmIn
) -> ConfirmationOut:
    """A confirmation recorded by the committee or the street, with the evidence."""
    actor.require(Role.STREET, Role.COMMITTEE)
    person = person_in_view(session, actor, id_number)
    _record_confirmation(session, person, body, body.channel, body.evidence, actor.label, now)
    return confirmation_out(person)


def sign_agreement(
    session: Session, actor: Actor, now: dt.datetime, id_number: str
) -> ConfirmationOut:
    """The deduction agreement signed after the confirmation (第十二条). Street only."""
    actor.require(Role.STREET)
    person = person_in_view(session, actor, id_number)
    if person.confirmed_on is None:
        raise Conflict("尚未确认信息 / not confirmed yet")
    if person.agreement_signed_on is not None:
        raise Conflict("已签订扣款协议 / already signed")
    before = snapshot(person)
    person.agreement_signed_on = now.date()
    record(
        session,
        actor.label,
        "person.sign_agreement",
        "person",
        person.id_number,
        before,
        snapshot(person),
        at=now,
    )
    return confirmation_out(person)
