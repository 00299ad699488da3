"""Reading people: lists and records masked; the full record for the acting officer, logged."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.errors import Forbidden, Invalid
from gzkit.pagination import PaginationParams, paginate
from gzlongevity.core.calendar import month_text
from gzlongevity.kit.audit import record
from gzlongevity.kit.auth import Actor, audited, mask_account, mask_id, person_in_view
from gzlongevity.models import Person, RegisterStatus, Role
from gzlongevity.persons.lookup import person_by_ref, person_of_ref
from gzlongevity.persons.schemas import PersonOut

ID_IN_URL = (
    "姓名不能含数字；按身份证号查找请用 POST /api/persons/find（请求体），"
    "身份证号不得出现在网址中 / search by ID number with POST /api/persons/find, never in a URL"
)


def person_out(person: Person, *, full: bool = False) -> PersonOut:
    """``person`` masked, or in full."""
    return PersonOut(
        ref=person.ref,
        id_number=person.id_number if full else mask_id(person.id_number),
        name=person.name,
        birth_date=person.birth_date,
        district=person.district,
        street=person.street,
        status=person.status,
        death_date=person.death_date,
        death_conflict=person.death_conflict,
        military=person.military,
        phone=person.phone
        if full
        else (None if person.phone is None else person.phone[:3] + "****" + person.phone[-4:]),
        bank_name=person.bank_name,
        bank_account=person.bank_account if full else mask_account(person.bank_account),
        confirmed_on=person.confirmed_on,
        confirm_channel=person.confirm_channel,
        agreement_signed_on=person.agreement_signed_on,
        suspended_from=None if person.suspended_from is None else month_text(person.suspended_from),
        masked=not full,
    )


def search(
    session: Session,
    actor: Actor,
    params: PaginationParams,
    name: str | None = None,
    status: RegisterStatus | None = None,
) -> tuple[list[PersonOut], int]:
    """People in the actor's jurisdiction, by ID; ``name`` an exact name.

    Raises
    ------
    Invalid
        ``name`` holds a digit (an ID number, or part of one): that search goes by
        :func:`find`, in a request body, never in a URL (第二十一条).
    """
    statement = select(Person).where(actor.sees())
    if name and any(character.isdigit() for character in name):
        raise Invalid(ID_IN_URL, "name")
    if name:
        statement = statement.where(Person.name == name.strip())
    if status is not None:
        statement = statement.where(Person.status == status)
    rows, total = paginate(session, statement.order_by(Person.id_number), params)
    return [person_out(person) for person in rows], total


def find(session: Session, actor: Actor, id_number: str) -> PersonOut:
    """The person with this exact ID number in the actor's jurisdiction, masked (with the
    ``ref`` that names them in routes)."""
    return person_out(person_in_view(session, actor, id_number))


def view(session: Session, actor: Actor, ref: str) -> PersonOut:
    """One person, masked."""
    return person_out(person_by_ref(session, actor, ref))


def view_full(session: Session, actor: Actor, now: dt.datetime, ref: str) -> PersonOut:
    """One person in full, for the officer acting on the case; the view is logged.

    Raises
    ------
    Forbidden
        The actor does not act on this person's case (第二十一条).
    """
    person = person_by_ref(session, actor, ref)
    if not actor.acts_on(person):
        raise Forbidden(
            "只有经办的街（镇）工作人员可查看完整信息 / "
            "only the acting officer sees the full record"
        )
    record(session, actor.label, "person.view_full", "person", person.ref, None, None, at=now)
    return person_out(person, full=True)


def set_military(
    session: Session, actor: Actor, now: dt.datetime, ref: str, military: bool
) -> PersonOut:
    """Mark (or unmark) a retired military cadre managed by the army (第二十五条): paid through
    the military channel's own payer and seen by it, no longer by the city's streets. City or
    the military channel."""
    actor.require(Role.CITY, Role.MILITARY)
    person = person_of_ref(session, ref)
    before = snapshot(person)
    person.military = military
    record(
        session,
        actor.label,
        "person.military",
        "person",
        person.ref,
        audited(before, person),
        audited(snapshot(person), person),
        at=now,
    )
    return person_out(person)
