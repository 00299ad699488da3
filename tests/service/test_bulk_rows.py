"""``gzkit.db.insert_rows`` and ``update_rows`` store what a Core INSERT / UPDATE of the same
rows stores, on SQLite and PostgreSQL, in one statement, and refuse to leave out a column whose
default only SQLAlchemy would apply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    bindparam,
    cast,
    select,
)
from sqlalchemy.orm import Session

from gzkit.db import count_statements, enum_type, insert_rows, make_engine, update_rows


class Kind(StrEnum):
    PLAN = "plan"
    DISPATCH = "dispatch"


METADATA = MetaData()
PROBE = Table(
    "bulk_rows_probe",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("amount", Numeric(14, 6)),
    Column("at", DateTime),
    Column("kind", enum_type(Kind, "bulk_rows_probe_kind")),
    Column("payload", JSON),
    Column("note", String(64)),
    Column("flag", Boolean),
    Column("tagged", String(8), default="默认"),
)


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    METADATA.create_all(engine)
    yield engine
    engine.dispose()


def _rows(first_id: int) -> list[dict[str, Any]]:
    at = dt.datetime(2025, 7, 1, 11, 0, 0, 123456)
    return [
        {
            "id": first_id + i,
            "amount": [Decimal("500.123456"), Decimal("-0.5"), None][i % 3],
            "at": at + dt.timedelta(seconds=i),
            "kind": [Kind.PLAN, Kind.DISPATCH][i % 2],
            "payload": [{"kw": [1.5, None], "名称": "计划"}, None, [1, "二"]][i % 3],
            "note": [None, "说明", "it's"][i % 3],
            "flag": [True, False, None][i % 3],
            "tagged": "给定",
        }
        for i in range(7)
    ]


def _stored(session: Session, ids: range) -> list[tuple[Any, ...]]:
    """The rows as the database holds them, the id left out; the JSON also as its stored text."""
    columns = [c for c in PROBE.c if c.name != "id"]
    rows = session.execute(
        select(*columns, cast(PROBE.c.payload, Text))
        .where(PROBE.c.id.in_(ids))
        .order_by(PROBE.c.id)
    )
    return [tuple(row) for row in rows]


def test_insert_rows_stores_what_a_core_insert_stores_in_one_statement(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.execute(PROBE.insert(), _rows(1))
        with count_statements(engine) as statements:
            insert_rows(session, PROBE, _rows(101))
        assert statements[0] == 1
        expected = _stored(session, range(1, 8))
        assert expected[1][0] == Decimal("-0.5") and expected[0][3] == {
            "kw": [1.5, None],
            "名称": "计划",
        }
        assert _stored(session, range(101, 108)) == expected


def test_update_rows_stores_what_a_core_update_stores(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.execute(PROBE.insert(), _rows(201))
        session.execute(PROBE.insert(), _rows(301))
        changes = [
            {"amount": Decimal("7.000001"), "kind": Kind.PLAN, "payload": {"a": i}, "note": None}
            for i in range(7)
        ]
        session.execute(
            PROBE.update().where(PROBE.c.id == bindparam("key")),
            [{**change, "key": 201 + i} for i, change in enumerate(changes)],
        )
        update_rows(
            session, PROBE, "id", [{**change, "id": 301 + i} for i, change in enumerate(changes)]
        )
        expected = _stored(session, range(201, 208))
        assert expected[0][:2] == (Decimal("7.000001"), dt.datetime(2025, 7, 1, 11, 0, 0, 123456))
        assert _stored(session, range(301, 308)) == expected


def test_insert_rows_refuses_to_leave_out_a_column_with_a_python_default(engine: Engine) -> None:
    row = {k: v for k, v in _rows(401)[0].items() if k != "tagged"}
    with Session(engine) as session, session.begin():
        with pytest.raises(ValueError, match="bulk_rows_probe leaves out tagged"):
            insert_rows(session, PROBE, [row])
        assert _stored(session, range(401, 402)) == []
