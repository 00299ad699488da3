"""The checks of a register row (第十四条): the ID's check digit, the birth date matching the
ID, division codes, the dates' order. The same for CSV lines and JSON rows."""

from __future__ import annotations

from gzlongevity.core.identity import birth_date_from_id, id_problem
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS
from gzlongevity.intake.schemas import RegisterRow
from gzlongevity.models import EventKind


def normalised(row: RegisterRow) -> RegisterRow:
    """``row`` with its text trimmed and a lowercase ``x`` in the ID read as ``X``."""
    return row.model_copy(
        update={
            "person_id": row.person_id.strip().upper(),
            "name": row.name.strip(),
            "district": row.district.strip(),
            "street": row.street.strip(),
        }
    )


def row_problem(row: RegisterRow) -> str | None:
    """Why ``row`` (normalised) cannot be taken, in Chinese, or None."""
    if (problem := id_problem(row.person_id)) is not None:
        return problem
    if birth_date_from_id(row.person_id) != row.birth_date:
        return f"birth_date {row.birth_date} 与身份证号中的出生日期不符"
    if row.event_date is None and row.event in (EventKind.REGISTERED, EventKind.MOVED):
        return f"{row.event.value} 须有 event_date"
    if row.event_date is not None and row.known_on is not None and row.known_on < row.event_date:
        return f"known_on {row.known_on} 早于 event_date {row.event_date}"
    if row.event in (EventKind.REGISTERED, EventKind.MOVED):
        if row.district not in GUANGZHOU_DISTRICTS:
            return f"district {row.district!r} 不是广州市的区划代码"
        if not row.street:
            return "street 为空"
    return None
