"""The migrations build exactly the models' schema, the audit log refuses changes, and the
command line's ``db upgrade`` and ``user add`` work."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from gzkit.clock import SimulatedClock, SystemClock
from gzkit.db import session_scope
from gzlongevity.app import create_app
from gzlongevity.cli import app
from gzlongevity.core.identity import check_character
from gzlongevity.kit.auth import create_officer
from gzlongevity.kit.db import DATABASE, Base
from gzlongevity.models import IntakeTask, Role


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
    assert upgraded.exit_code == 0 and "0005" in upgraded.output
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


def test_a_run_on_an_empty_register_pays_nothing(tmp_path: Path) -> None:
    clock = SimulatedClock(dt.datetime(2021, 9, 20, 9))
    app = create_app(database_url=f"sqlite:///{tmp_path}/empty.sqlite", clock=clock)
    try:
        with session_scope(app.state.sessionmaker) as session:
            _, token = create_officer(
                session, name="市民政局", role=Role.CITY, district=None, street=None, at=clock.now()
            )
        client = TestClient(app)
        run = client.post(
            "/api/runs", json={"month": "2021-09"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert run.status_code == 200 and (run.json()["lines"], run.json()["amount_cny"]) == (
            0,
            "0.00",
        )
    finally:
        app.state.engine.dispose()


def test_a_served_system_sweeps_by_itself(tmp_path: Path) -> None:
    """On the real clock (here running from 2021-08-02) the app sweeps at start and then every
    interval: a person due for intake gets a task without anyone calling the sweep."""
    clock = SystemClock(dt.datetime(2021, 8, 2, 9))
    app = create_app(database_url=f"sqlite:///{tmp_path}/served.sqlite", clock=clock)
    try:
        with session_scope(app.state.sessionmaker) as session:
            _, token = create_officer(
                session,
                name="交换平台",
                role=Role.EXCHANGE,
                district=None,
                street=None,
                at=clock.now(),
            )
        first17 = "44010419450303017"
        row = {
            "person_id": first17 + check_character(first17),
            "name": "某",
            "birth_date": "1945-03-03",
            "event": "registered",
            "event_date": "2000-01-01",
            "district": "440104",
            "street": "北京街",
        }
        feed = {"source": "public_security", "kind": "snapshot", "name": "s", "rows": [row]}
        assert (
            TestClient(app)
            .post("/api/intake/feeds", json=feed, headers={"Authorization": f"Bearer {token}"})
            .status_code
            == 201
        )
        with TestClient(app):  # starts the lifespan, and with it the sweeper
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with session_scope(app.state.sessionmaker) as session:
                    if session.scalar(select(func.count()).select_from(IntakeTask)):
                        break
                time.sleep(0.1)
            else:
                pytest.fail("no task after 20 s")
    finally:
        app.state.engine.dispose()
