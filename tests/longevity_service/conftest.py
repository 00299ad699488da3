"""Fixtures of the longevity service tests: a fresh database on SQLite and on PostgreSQL
(GZVPP_TEST_POSTGRES_URL / GZVPP_REQUIRE_POSTGRES, as CI sets them), the app on it with a
simulated clock, and :class:`lsvc_api.Api`. Each module gets its own database per backend."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from lsvc_api import Api
from sqlalchemy.exc import OperationalError

from gzkit.clock import SimulatedClock
from gzkit.testing import throwaway_postgres
from gzlongevity.app import create_app

POSTGRES_URL = os.environ.get(
    "GZVPP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
START = dt.datetime(2021, 8, 2, 9, 0)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def lsvc_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a uniquely named PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'gzlongevity.sqlite'}"
        return
    try:
        with throwaway_postgres(POSTGRES_URL, "lsvc_test") as url:
            yield url
    except OperationalError as err:
        if os.environ.get("GZVPP_REQUIRE_POSTGRES") == "1":  # CI: a skip would hide the gap
            pytest.fail(f"no PostgreSQL: {err}")
        pytest.skip(f"no PostgreSQL: {err}")


@pytest.fixture(scope="module")
def lsvc_app(lsvc_database_url: str) -> Iterator[tuple[FastAPI, SimulatedClock]]:
    clock = SimulatedClock(START)
    application = create_app(database_url=lsvc_database_url, clock=clock)
    yield application, clock
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def api(lsvc_app: tuple[FastAPI, SimulatedClock]) -> Api:
    return Api(*lsvc_app)
