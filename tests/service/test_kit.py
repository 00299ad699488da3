"""The service kit: clock, transactions, migrations, tokens and the CLI, on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from service_api import Api
from sqlalchemy import func, select
from typer.testing import CliRunner

from gzkit.auth import hash_token
from gzkit.clock import SimulatedClock, SystemClock
from gzkit.db import make_sessionmaker, session_scope
from gzkit.errors import Invalid, NotFound
from gzvpp.cli import app as cli
from gzvpp.kit.auth import create_user
from gzvpp.kit.db import Base, is_platform_object, make_engine, upgrade
from gzvpp.models import ApiToken, AuditLog, PlatformUser, Role


def test_system_clock_is_naive_guangzhou_time() -> None:
    now = SystemClock().now()
    assert now.tzinfo is None
    utc = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert abs(now - utc - dt.timedelta(hours=8)) < dt.timedelta(minutes=1)


def test_simulated_clock() -> None:
    clock = SimulatedClock(dt.datetime(2025, 6, 1, 1, 0, tzinfo=dt.UTC))
    assert clock.now() == dt.datetime(2025, 6, 1, 9, 0)
    assert clock.advance(dt.timedelta(days=1, hours=2)) == dt.datetime(2025, 6, 2, 11, 0)
    clock.set(dt.datetime(2025, 5, 1))
    assert clock.now() == dt.datetime(2025, 5, 1)
    with pytest.raises(ValueError, match="only advances"):
        clock.advance(dt.timedelta(seconds=-1))


def test_session_scope_rolls_back_everything(api: Api) -> None:
    with api.session() as session:
        users = session.scalar(select(func.count()).select_from(PlatformUser))
    with pytest.raises(RuntimeError), api.session() as session:
        create_user(
            session, name="半途", role=Role.REGULATOR, participant_id=None, at=api.clock.now()
        )
        session.flush()
        raise RuntimeError("fails after writing")
    with api.session() as session:
        assert session.scalar(select(func.count()).select_from(PlatformUser)) == users


def test_migrations_match_the_models(api: Api) -> None:
    with api.app.state.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": is_platform_object})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_is_idempotent(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)


def test_tokens_are_stored_hashed(api: Api) -> None:
    headers = api.token(Role.REGULATOR)
    token = headers["Authorization"].removeprefix("Bearer ")
    assert token.startswith("gzvpp_") and len(token) > 40
    with api.session() as session:
        stored = session.scalars(select(ApiToken.token_sha256)).all()
    assert hash_token(token) in stored
    assert token not in stored


def test_create_user_checks_the_participant(api: Api) -> None:
    aggregator = api.enrol(api.aggregator())["id"]
    at = api.clock.now()
    cases: list[tuple[Role, str | None, type[Exception], str]] = [
        (Role.POWER_USER, None, Invalid, "needs a participant"),
        (Role.REGULATOR, aggregator, Invalid, "takes no participant"),
        (Role.POWER_USER, aggregator, Invalid, "needs a user"),
        (Role.AGGREGATOR, "nope", NotFound, "not found"),
    ]
    for role, participant, error, message in cases:
        with pytest.raises(error, match=message), api.session() as session:
            create_user(session, name="x", role=role, participant_id=participant, at=at)
    with api.session() as session:
        user, _ = create_user(
            session, name="聚合商操作员", role=Role.AGGREGATOR, participant_id=aggregator, at=at
        )
        audited = session.scalars(
            select(AuditLog).where(
                AuditLog.entity == "platform_user", AuditLog.entity_id == str(user.id)
            )
        ).one()
    assert audited.action == "platform_user.create"
    assert audited.after is not None and audited.after["participant_id"] == aggregator


def test_cli_user_add_prints_a_working_token(api: Api, database_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade", "--database-url", database_url]).exit_code == 0
    result = runner.invoke(
        cli,
        [
            "user",
            "add",
            "--role",
            "regulator",
            "--name",
            "市工信局",
            "--database-url",
            database_url,
        ],
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    response = api.client.get(
        "/api/participants/publicity", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200

    refused = runner.invoke(
        cli, ["user", "add", "--role", "power_user", "--name", "x", "--database-url", database_url]
    )
    assert refused.exit_code == 2
    assert "角色 power_user 须指定参与者" in refused.output


def test_cli_adds_the_metering_identity(api: Api, database_url: str) -> None:
    """`gzvpp user add --role metering`: a token that sends meter data and nothing else."""
    result = CliRunner().invoke(
        cli,
        ["user", "add", "--role", "metering", "--name", "计量", "--database-url", database_url],
    )
    assert result.exit_code == 0, result.output
    headers = {"Authorization": f"Bearer {result.stdout.strip()}"}
    account = api.enrol(api.user())["accounts"][0]["account_id"]
    reading = {"account_id": account, "ts": "2025-03-10T08:00:00", "kw": 500}
    sent = api.client.post("/api/meterdata/loads", json={"readings": [reading]}, headers=headers)
    assert sent.status_code == 200, sent.text
    assert api.client.get("/api/events", headers=headers).status_code == 403


def test_cli_db_option_makes_a_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "cli.sqlite"
    result = CliRunner().invoke(
        cli, ["user", "add", "--role", "grid_operator", "--name", "调度", "--db", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert path.exists()
    engine = make_engine(f"sqlite:///{path}")
    with session_scope(make_sessionmaker(engine)) as session:
        assert session.scalars(select(PlatformUser.role)).all() == [Role.GRID_OPERATOR]
    engine.dispose()


def test_decimal_columns_round_trip(api: Api) -> None:
    body = api.enrol(api.user(capability_kw="1000.000", max_load_kw="12345678901.999"))
    assert body["max_load_kw"] == "12345678901.999"
    stored = api.client.get(f"/api/participants/{body['id']}", headers=api.grid).json()
    assert Decimal(stored["max_load_kw"]) == Decimal("12345678901.999")
