"""The migrations build exactly the models' schema, the audit log refuses changes, and the
command line's ``db upgrade`` and ``user add`` work."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from gzlongevity.cli import app
from gzlongevity.kit.db import DATABASE, Base


def test_migrations_match_the_models_and_the_log_is_append_only(lsvc_database_url: str) -> None:
    DATABASE.upgrade(lsvc_database_url)
    engine = create_engine(lsvc_database_url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
                    "VALUES (CURRENT_TIMESTAMP, 'x', 'x', 'x', 'x')"
                )
            )
        with pytest.raises(DatabaseError), engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_log"))
    finally:
        engine.dispose()


def test_db_upgrade_and_user_add(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    runner = CliRunner()
    upgraded = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert upgraded.exit_code == 0 and "0001" in upgraded.output
    added = runner.invoke(
        app,
        [
            "user",
            "add",
            "--role",
            "street",
            "--name",
            "北京街 李工",
            "--district",
            "440104",
            "--street",
            "北京街",
            "--database-url",
            url,
        ],
    )
    assert added.exit_code == 0, added.output
    assert added.stdout.strip().splitlines()[-1].startswith("gzlv_")
    refused = runner.invoke(
        app, ["user", "add", "--role", "street", "--name", "某人", "--database-url", url]
    )
    assert refused.exit_code == 2 and "须指定区" in refused.output
