"""The SQL of the OpenADR 3 VTN: objects by id, name and filters, and the VENs' grants."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, aliased

from gzvpp.models import ObjectType, OpenADRObject, OpenADRTarget


class ObjectRepository:
    """Reads and writes ``openadr_objects`` in the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(
        self, object_type: ObjectType, object_id: str, *, for_update: bool = False
    ) -> OpenADRObject | None:
        """The object of that type and id."""
        statement = select(OpenADRObject).where(
            OpenADRObject.id == object_id, OpenADRObject.object_type == object_type
        )
        if for_update:
            statement = statement.with_for_update()
        return self.session.scalars(statement).one_or_none()

    def named(
        self, object_type: ObjectType, name: str, *, ven_id: str | None = None
    ) -> OpenADRObject | None:
        """The program, ven (or a ven's resource) called ``name``."""
        statement = select(OpenADRObject).where(
            OpenADRObject.object_type == object_type, OpenADRObject.name == name
        )
        if ven_id is not None:
            statement = statement.where(OpenADRObject.ven_id == ven_id)
        return self.session.scalars(statement.limit(1)).first()

    def search(
        self,
        object_type: ObjectType,
        *,
        client_id: str | None = None,
        name: str | None = None,
        program_id: str | None = None,
        event_id: str | None = None,
        ven_id: str | None = None,
        report_program_id: str | None = None,
        any_target: Collection[str] | None = None,
        untargeted: bool = False,
    ) -> Select[OpenADRObject]:
        """Objects matching every filter given, oldest first (the caller pages).

        ``any_target``: carrying at least one of these targets; ``untargeted``: carrying none.
        ``report_program_id``: reports on events of that program.
        """
        statement = select(OpenADRObject).where(OpenADRObject.object_type == object_type)
        for column, value in (
            (OpenADRObject.client_id, client_id),
            (OpenADRObject.name, name),
            (OpenADRObject.program_id, program_id),
            (OpenADRObject.event_id, event_id),
            (OpenADRObject.ven_id, ven_id),
        ):
            if value is not None:
                statement = statement.where(column == value)
        if report_program_id is not None:
            event = aliased(OpenADRObject)
            statement = statement.where(
                exists().where(
                    event.id == OpenADRObject.event_id, event.program_id == report_program_id
                )
            )
        has_target = exists().where(OpenADRTarget.object_id == OpenADRObject.id)
        if any_target is not None:
            statement = statement.where(has_target.where(OpenADRTarget.target.in_(any_target)))
        if untargeted:
            statement = statement.where(~has_target)
        return statement.order_by(OpenADRObject.created_at, OpenADRObject.id)

    def page(
        self, statement: Select[OpenADRObject], skip: int, limit: int
    ) -> Sequence[OpenADRObject]:
        """One page of ``statement``."""
        return self.session.scalars(statement.offset(skip).limit(limit)).all()

    def granted(self, client_id: str) -> set[str]:
        """The targets granted to a VEN client: those of its vens and of their resources."""
        vens = select(OpenADRObject.id).where(
            OpenADRObject.object_type == ObjectType.VEN, OpenADRObject.client_id == client_id
        )
        owners = select(OpenADRObject.id).where(
            (OpenADRObject.id.in_(vens))
            | ((OpenADRObject.object_type == ObjectType.RESOURCE) & OpenADRObject.ven_id.in_(vens))
        )
        rows = self.session.scalars(
            select(OpenADRTarget.target).where(OpenADRTarget.object_id.in_(owners))
        )
        return set(rows)

    def children(self, object_type: ObjectType, **where: str) -> Sequence[OpenADRObject]:
        """Every object of ``object_type`` whose column ``where`` names equals its value
        (e.g. the events of a program, the resources of a ven)."""
        statement = select(OpenADRObject).where(OpenADRObject.object_type == object_type)
        for column, value in where.items():
            statement = statement.where(getattr(OpenADRObject, column) == value)
        return self.session.scalars(statement).all()
