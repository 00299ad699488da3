"""Migration 0002 gives every person already in the database a reference of their own."""

from __future__ import annotations

import re

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from gzlongevity.kit.db import DATABASE


def test_existing_people_get_distinct_refs(lsvc_database_url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(DATABASE.migrations))
    config.attributes["url"] = lsvc_database_url
    command.upgrade(config, "0001")
    engine = create_engine(lsvc_database_url)
    insert = text(
        "INSERT INTO persons (id_number, name, birth_date, district, street, status,"
        " death_conflict, military) VALUES (:id, '某人', '1940-01-01', '440104', '北京街',"
        " 'registered', false, false)"
    )
    ids = [f"44010419400101{n:03d}X" for n in range(25)]
    try:
        with engine.begin() as connection:
            connection.execute(insert, [{"id": key} for key in ids])
        assert DATABASE.upgrade(lsvc_database_url) == ("0001", "0005")
        with engine.connect() as connection:
            refs = dict(connection.execute(text("SELECT id_number, ref FROM persons")).all())
    finally:
        engine.dispose()
    assert sorted(refs) == ids
    assert len(set(refs.values())) == len(ids)
    assert all(re.fullmatch(r"[0-9a-f]{16}", ref) for ref in refs.values())
