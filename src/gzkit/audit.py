"""The audit trail: every state change is recorded with the entity before and after.

Each system keeps its own ``audit_log`` table (a model with :class:`AuditLogColumns`) and
records through an :class:`AuditTrail` over it. The table is append-only: the application only
records; nothing updates or deletes a row, and each system's migration installs triggers
(PostgreSQL and SQLite) that refuse to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Numeric, String, Time, inspect
from sqlalchemy import Enum as EnumType
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from gzkit.db import insert_rows


def json_value(value: object) -> Any:
    """``value`` as JSON: Decimal as its exact string, times in ISO form, enums by value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


# Hashes of secrets: the log is read by more people than the credentials table.
SECRET_COLUMNS = frozenset({"password_hash", "token_sha256"})

# Column types whose values :func:`json_value` changes.
_CONVERTED_TYPES = (Numeric, Date, DateTime, Time, EnumType)


def snapshot(instance: DeclarativeBase) -> dict[str, Any]:
    """Every column of an ORM object but :data:`SECRET_COLUMNS`, as JSON, for
    ``before``/``after``."""
    mapper = inspect(instance).mapper
    return {
        attr.key: json_value(getattr(instance, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in SECRET_COLUMNS
    }


def snapshots_of(
    model: type[DeclarativeBase], rows: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """What :func:`snapshot` gives for each row of ``model`` written in bulk from ``rows``
    (a column not in a row is None, as on a new object that does not set it)."""
    columns = [attr for attr in inspect(model).column_attrs if attr.key not in SECRET_COLUMNS]
    # Only numbers, times and enums change in JSON: the other columns' values are taken as they
    # are (a ranking snapshots tens of thousands of rows).
    keys = [(a.key, isinstance(a.columns[0].type, _CONVERTED_TYPES)) for a in columns]
    return [
        {key: json_value(row.get(key)) if convert else row.get(key) for key, convert in keys}
        for row in rows
    ]


class AuditLogColumns:
    """The columns of an ``audit_log`` model: who did what to which entity, and the entity
    before and after (JSON, ``None`` where it did not exist)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AuditTrail:
    """Records into one system's audit log model (a mapped class with
    :class:`AuditLogColumns`)."""

    def __init__(self, model: type[Any]) -> None:
        self.model = model

    def record(
        self,
        session: Session,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        *,
        at: dt.datetime,
    ) -> None:
        """Add one audit row to the session's transaction; it commits or rolls back with the change.

        Parameters
        ----------
        actor : str
            Who did it: the actor's label, or ``"cli"`` for the command line.
        action : str
            Dotted name, e.g. ``participant.enrol``.
        entity, entity_id : str
            The table-level name and key of what changed.
        before, after : dict or None
            JSON snapshots (see :func:`snapshot`); ``None`` where the entity did not exist.
        at : datetime
            The clock's local time.
        """
        session.add(
            self.model(
                at=at,
                actor=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                before=before,
                after=after,
            )
        )

    def record_many(
        self,
        session: Session,
        actor: str,
        action: str,
        entity: str,
        changes: Iterable[tuple[str, dict[str, Any] | None, dict[str, Any] | None]],
        *,
        at: dt.datetime,
    ) -> None:
        """:func:`record` for many entities at once, in one statement: ``changes`` holds each
        entity id with its before and after. Rows pending in the session are written first, so
        the log keeps the order of the calls."""
        rows = [
            {
                "at": at,
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": before,
                "after": after,
            }
            for entity_id, before, after in changes
        ]
        if rows:
            # Past the ORM, which kept books on every row (a second for 18,000 awards) and is
            # what flushes the pending rows, so flush them here.
            session.flush()
            insert_rows(session, self.model.__table__, rows)


def append_only_statements(dialect: str, table: str = "audit_log") -> list[str]:
    """The SQL that makes ``table`` append-only on ``dialect`` (``postgresql`` or ``sqlite``):
    triggers refusing UPDATE and DELETE (and TRUNCATE on PostgreSQL), for a system's first
    migration."""
    if dialect == "postgresql":
        return [
            f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only: % refused', TG_OP;
            END
            $$
            """,
            f"""
            CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_append_only()
            """,
            f"""
            CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()
            """,
        ]
    return [
        f"""
        CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END
        """
        for operation in ("UPDATE", "DELETE")
    ]
