"""Bank secrecy (第十一条 (六)): loan data shown masked unless asked for in full, and every full
view and every export recorded in the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gzcreditpool.kit.audit import record
from gzcreditpool.kit.auth import Actor
from gzkit.errors import Forbidden


def mask(text: str, keep_start: int = 2, keep_end: int = 2) -> str:
    """``text`` with all but its first ``keep_start`` and last ``keep_end`` characters as ``*``
    (all masked when it is too short to keep any)."""
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    hidden = len(text) - keep_start - keep_end
    return text[:keep_start] + "*" * hidden + text[keep_start + hidden :]


def reveal(session: Session, actor: Actor, entity: str, entity_id: str, at: dt.datetime) -> None:
    """Allow and record a full view of ``entity`` (an audit row with no change).

    Raises
    ------
    Forbidden
        For the auditor, who never sees loan data in full.
    """
    if not actor.sees_secrets:
        raise Forbidden("审计账户只能查看脱敏数据 / the auditor sees masked data only")
    record(session, actor.label, f"{entity}.view_full", entity, entity_id, None, None, at=at)


def record_export(session: Session, actor: Actor, what: str, detail: str, at: dt.datetime) -> None:
    """Record that ``actor`` exported ``what`` (``detail`` says which rows)."""
    record(session, actor.label, "export", what, detail[:64], None, None, at=at)
