"""Confirming (L4, 第八条, 第九条, 第十二条): the elder with the one-time code of the street's
notice, name and ID number; or the committee or street on their behalf with evidence. The
earliest confirmation counts (the rules read ``confirmed_on``); the bank account and the
deduction agreement are recorded with it; the agreement can also be signed later."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.db import bulk_update
from gzkit.errors import Conflict, Invalid
from gzlongevity.cases.service import MAX_CODE_ATTEMPTS, code_hash
from gzlongevity.confirmations.schemas import (
    BankIn,
    BatchItem,
    BatchOut,
    ConfirmationOut,
    SelfConfirmIn,
    StaffConfirmIn,
)
from gzlongevity.intake.repository import chunks
from gzlongevity.kit.audit import record, record_many
from gzlongevity.kit.auth import Actor, audited, mask_account, mask_id
from gzlongevity.models import (
    Channel,
    IntakeTask,
    Person,
    RegisterStatus,
    Role,
    TaskStatus,
)
from gzlongevity.persons.lookup import person_by_ref

MISMATCH = "确认码、姓名或身份证号不正确，请核对通知书 / code, name or ID number do not match"


def confirmation_out(person: Person) -> ConfirmationOut:
    """A person's confirmation, masked."""
    assert person.confirmed_on is not None and person.confirm_channel is not None
    return ConfirmationOut(
        person_id_masked=mask_id(person.id_number),
        person_ref=person.ref,
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
        person.ref,
        audited(before, person),
        audited(snapshot(person), person),
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
    session: Session, actor: Actor, now: dt.datetime, ref: str, body: StaffConfirmIn
) -> ConfirmationOut:
    """A confirmation recorded by the committee or the street, with the evidence."""
    actor.require(Role.STREET, Role.COMMITTEE)
    person = person_by_ref(session, actor, ref)
    _record_confirmation(session, person, body, body.channel, body.evidence, actor.label, now)
    return confirmation_out(person)


def sign_agreement(session: Session, actor: Actor, now: dt.datetime, ref: str) -> ConfirmationOut:
    """The deduction agreement signed after the confirmation (第十二条). Street only."""
    actor.require(Role.STREET)
    person = person_by_ref(session, actor, ref)
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
        person.ref,
        audited(before, person),
        audited(snapshot(person), person),
        at=now,
    )
    return confirmation_out(person)


def confirm_batch(
    session: Session, actor: Actor, now: dt.datetime, items: list[BatchItem]
) -> BatchOut:
    """Confirmations from a self-service platform (穗好办, channel ``app``), in bulk: each item
    confirms a registered, living person not yet confirmed; an item for someone already
    confirmed is ignored (a delivery sent twice changes nothing); an item for someone not in
    the register yet is named (by its place) for sending again; one for someone who left or
    died is refused (第十一条). Exchange platform or city.

    Raises
    ------
    Invalid
        A confirmation date after today.
    """
    actor.require(Role.EXCHANGE, Role.CITY)
    today = now.date()
    late = next((item for item in items if item.confirmed_on > today), None)
    if late is not None:
        raise Invalid(
            f"确认日期 {late.confirmed_on} 晚于今天 / confirmed_on is in the future", "items"
        )
    wanted: dict[str, tuple[int, BatchItem]] = {}
    for place, item in enumerate(items):
        wanted.setdefault(item.person_id.strip().upper(), (place, item))
    held: dict[str, tuple[RegisterStatus, dt.date | None, str]] = {}
    for part in chunks(sorted(wanted)):
        for person_id, status, confirmed_on, ref in session.execute(
            select(Person.id_number, Person.status, Person.confirmed_on, Person.ref).where(
                Person.id_number.in_(part)
            )
        ):
            held[person_id] = (status, confirmed_on, ref)
    confirm: list[dict[str, Any]] = []
    refs: list[str] = []
    already, refused, unknown = 0, 0, []
    for person_id, (place, item) in wanted.items():
        if person_id not in held:
            unknown.append(place)
            continue
        standing, confirmed_on, ref = held[person_id]
        if standing is not RegisterStatus.REGISTERED:
            refused += 1
        elif confirmed_on is not None:
            already += 1
        else:
            confirm.append(
                {
                    "id_number": person_id,
                    "confirmed_on": item.confirmed_on,
                    "confirm_channel": Channel.APP.value,
                    "bank_name": item.bank_name.strip(),
                    "bank_account": item.bank_account,
                    "agreement_signed_on": item.confirmed_on if item.agreement else None,
                }
            )
            refs.append(ref)
    if confirm:
        # By the driver: the ORM's bulk update by key cost 6 s of the demo's 200,000 people.
        bulk_update(session, "persons", "id_number", confirm)
        ids = [row["id_number"] for row in confirm]
        for part in chunks(ids):
            session.execute(
                update(IntakeTask)
                .where(
                    IntakeTask.person_id.in_(part),
                    IntakeTask.status.in_([TaskStatus.OPEN, TaskStatus.NOTIFIED]),
                )
                .values(status=TaskStatus.CONFIRMED, closed_on=today, code_sha256=None)
            )
        record_many(
            session,
            actor.label,
            "person.confirm",
            "person",
            [
                (ref, None, snapshot_of_confirmation(row, ref))
                for row, ref in zip(confirm, refs, strict=True)
            ],
            at=now,
        )
    return BatchOut(confirmed=len(confirm), already=already, refused=refused, unknown_items=unknown)


def snapshot_of_confirmation(row: dict[str, Any], ref: str) -> dict[str, Any]:
    """What a bulk confirmation set, for the audit log: the person by ``ref`` and masked ID
    number, the account masked (the log is read by more people than the person's record).
    Spelt out value by value: it runs for each person of a batch (up to 100,000)."""
    signed = row["agreement_signed_on"]
    return {
        "id_number": mask_id(row["id_number"]),
        "confirmed_on": row["confirmed_on"].isoformat(),
        "confirm_channel": row["confirm_channel"],
        "bank_name": row["bank_name"],
        "bank_account": mask_account(row["bank_account"]),
        "agreement_signed_on": None if signed is None else signed.isoformat(),
        "person_ref": ref,
    }
