"""Fixtures of the credit pool's service tests: a fresh database on SQLite and on PostgreSQL
(``GZVPP_TEST_POSTGRES_URL``; ``GZVPP_REQUIRE_POSTGRES=1`` fails instead of skipping), the app on
it with a simulated clock, and the :class:`cpsvc_pool.Pool` helper."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from cpsvc_pool import Pool
from fastapi import FastAPI

from gzcreditpool.app import create_app
from gzkit.clock import SimulatedClock
from gzkit.testing import database_fixture

START = dt.datetime(2023, 2, 1, 9, 0)


# A new, empty database per test module: a SQLite file, or a uniquely named PostgreSQL database.
pool_database_url = database_fixture("pool_database_url", "cpsvc_test")


@pytest.fixture(scope="module")
def pool_app(pool_database_url: str) -> Iterator[tuple[FastAPI, SimulatedClock]]:
    clock = SimulatedClock(START)
    application = create_app(database_url=pool_database_url, clock=clock)
    yield application, clock
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def pool(pool_app: tuple[FastAPI, SimulatedClock]) -> Pool:
    return Pool(*pool_app)
