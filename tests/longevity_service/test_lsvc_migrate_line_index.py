"""Migration 0005 drops the index on ``run_lines.person_id`` (no query reads a person's lines;
writing each run's lines through it cost more than half their time) and its downgrade puts it
back; the lines and their foreign key to ``persons`` stay. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from gzlongevity.kit.db import DATABASE

INDEX = "ix_run_lines_person_id"


def _indexes(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {index["name"] or "" for index in inspect(connection).get_indexes("run_lines")}
    finally:
        engine.dispose()


def test_0005_drops_the_person_index_of_run_lines_and_back(lsvc_database_url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(DATABASE.migrations))
    config.attributes["url"] = lsvc_database_url
    command.upgrade(config, "0004")
    assert INDEX in _indexes(lsvc_database_url)
    command.upgrade(config, "0005")
    assert INDEX not in _indexes(lsvc_database_url)
    assert "ix_run_lines_run_id_payer" in _indexes(lsvc_database_url)
    engine = create_engine(lsvc_database_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.execute(text("PRAGMA foreign_keys=ON"))
            connection.execute(
                text(
                    "INSERT INTO payment_runs (id, month, run_date, status, computed_at, "
                    "computed_by, lines, amount_fen, held, payer_totals, exception_streets, "
                    "waiting) VALUES (1, 24260, '2021-09-20', 'computed', "
                    "'2021-09-20 09:00:00', 'city', 0, 0, 0, '{}', '{}', '[]')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO run_lines (run_id, person_id, district, payer, street, kind, "
                    "for_month, tier, city_fen, extra_fen) VALUES (1, '440104194005100012', "
                    "'440104', '440104', '北京街', 'monthly', 24260, 80, 10000, 0)"
                )
            )
    finally:
        engine.dispose()
    command.downgrade(config, "0004")
    assert INDEX in _indexes(lsvc_database_url)
    command.upgrade(config, "head")
    assert INDEX not in _indexes(lsvc_database_url)
