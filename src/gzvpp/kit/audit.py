"""The audit trail: every state change is recorded with the entity before and after.

``audit_log`` is append-only. The application only calls :func:`record`; nothing in it updates
or deletes a row, and the migration installs triggers (PostgreSQL and SQLite) that refuse to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session

from gzvpp.kit.db import Base
from gzvpp.models.audit_log import AuditLog


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


def snapshot(instance: Base) -> dict[str, Any]:
    """Every column of an ORM object but :data:`SECRET_COLUMNS`, as JSON, for
    ``before``/``after``."""
    mapper = inspect(instance).mapper
    return {
        attr.key: json_value(getattr(instance, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in SECRET_COLUMNS
    }


def snapshots_of(model: type[Base], rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What :func:`snapshot` gives for each row of ``model`` written in bulk from ``rows``
    (a column not in a row is None, as on a new object that does not set it)."""
    keys = [attr.key for attr in inspect(model).column_attrs if attr.key not in SECRET_COLUMNS]
    return [{key: json_value(row.get(key)) for key in keys} for row in rows]


def record(
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
        Who did it: :attr:`gzvpp.kit.auth.Actor.label`, or ``"cli"`` for the command line.
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
        AuditLog(
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
        session.execute(insert(AuditLog), rows)
