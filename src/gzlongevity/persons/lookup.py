"""Finding the person a route names: by the reference (``persons.ref``), which carries no
personal data, so that no URL, redirect or link holds an ID number (第二十一条)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzkit.errors import NotFound
from gzlongevity.kit.auth import Actor
from gzlongevity.models import Person

NOT_FOUND = "没有此人 / person not found"


def person_of_ref(session: Session, ref: str) -> Person:
    """The person with reference ``ref``, wherever they are.

    Raises
    ------
    NotFound
        No such reference (an ID number in its place is none either).
    """
    person = session.scalars(select(Person).where(Person.ref == ref)).one_or_none()
    if person is None:
        raise NotFound(NOT_FOUND)
    return person


def person_by_ref(session: Session, actor: Actor, ref: str) -> Person:
    """The person with reference ``ref`` if the actor may see them.

    Raises
    ------
    NotFound
        No such reference, or the person is outside the actor's jurisdiction (not 403: a
        street must not learn who exists elsewhere).
    """
    person = person_of_ref(session, ref)
    if not actor.covers(person):
        raise NotFound(NOT_FOUND)
    return person
