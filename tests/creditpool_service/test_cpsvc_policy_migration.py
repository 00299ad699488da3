"""Migration 0003 (C10): the loans already in the book fall under this policy, ``2021``; it
goes down to 0002 and up again on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from cpsvc_pool import Pool
from sqlalchemy import create_engine, text

from gzcreditpool.kit.db import DATABASE


def test_existing_loans_fall_under_the_2021_policy(pool: Pool, pool_database_url: str) -> None:
    pool.at("2023-03-01")
    _, bank = pool.partner_bank("甲银行广州分行")
    firm = pool.enterprise(bank)
    loans = [pool.loan(bank, firm)["id"] for _ in range(3)]
    pool.app.state.engine.dispose()
    config = Config()
    config.set_main_option("script_location", str(DATABASE.migrations))
    config.attributes["url"] = pool_database_url
    command.downgrade(config, "0002")
    engine = create_engine(pool_database_url)
    try:
        with engine.connect() as connection:
            tables = {"policy_versions"} & set(connection.dialect.get_table_names(connection))
        assert tables == set()
        assert DATABASE.upgrade(pool_database_url) == ("0002", "0003")
        with engine.connect() as connection:
            codes: dict[int, str] = dict(
                connection.execute(text("SELECT id, policy_code FROM loans")).all()
            )
            versions = connection.execute(
                text("SELECT code, title, starts_on, ends_on, earlier FROM policy_versions")
            ).all()
    finally:
        engine.dispose()
    assert codes == dict.fromkeys(loans, "2021")
    [(code, title, starts_on, ends_on, earlier)] = versions
    assert (code, title, str(starts_on), str(ends_on), bool(earlier)) == (
        "2021",
        "穗科规字〔2021〕2号",
        "2021-07-01",
        "2026-06-30",
        False,
    )
