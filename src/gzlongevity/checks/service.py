"""Recording checks (第十九条): a failed check stops payment from the next month (the run
holds the person's lines from then on); a later passed check lifts the stop, and the months
held are paid by the next run (every due line not yet paid is paid)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.errors import Invalid
from gzlongevity.checks.schemas import CheckIn, CheckOut
from gzlongevity.core.calendar import month_text
from gzlongevity.core.deadlines import month_of
from gzlongevity.kit.audit import record
from gzlongevity.kit.auth import Actor, audited
from gzlongevity.models import CheckRecord, Role
from gzlongevity.persons.lookup import person_by_ref


def record_check(
    session: Session, actor: Actor, now: dt.datetime, ref: str, body: CheckIn
) -> CheckOut:
    """Record a check by the street (or a data comparison by the city)."""
    actor.require(Role.STREET, Role.CITY)
    person = person_by_ref(session, actor, ref)
    if body.checked_on > now.date():
        raise Invalid("核查日期不能晚于今天 / the check date is in the future", "checked_on")
    check = CheckRecord(
        person_id=person.id_number,
        kind=body.kind,
        checked_on=body.checked_on,
        passed=body.passed,
        note=body.note.strip(),
        officer=actor.label,
    )
    session.add(check)
    session.flush()
    before = snapshot(person)
    person.suspended_from = None if body.passed else month_of(body.checked_on) + 1
    record(
        session,
        actor.label,
        "check.record",
        "check_record",
        str(check.id),
        None,
        # The person by reference and masked ID, as in every audit row.
        audited(snapshot(check), person),
        at=now,
    )
    if before["suspended_from"] != person.suspended_from:
        record(
            session,
            actor.label,
            "person.suspend" if not body.passed else "person.resume",
            "person",
            person.ref,
            audited(before, person),
            audited(snapshot(person), person),
            at=now,
        )
    return _out(check, person.suspended_from)


def _out(check: CheckRecord, suspended_from: int | None) -> CheckOut:
    return CheckOut(
        id=check.id,
        kind=check.kind,
        checked_on=check.checked_on,
        passed=check.passed,
        note=check.note,
        officer=check.officer,
        suspended_from=None if suspended_from is None else month_text(suspended_from),
    )


def list_checks(session: Session, actor: Actor, ref: str) -> list[CheckOut]:
    """A person's checks, newest first."""
    person = person_by_ref(session, actor, ref)
    checks = session.scalars(
        select(CheckRecord)
        .where(CheckRecord.person_id == person.id_number)
        .order_by(CheckRecord.checked_on.desc(), CheckRecord.id.desc())
    )
    return [_out(check, person.suspended_from) for check in checks]
