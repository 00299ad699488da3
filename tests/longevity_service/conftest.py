"""Fixtures of the longevity service tests: a fresh database on SQLite and on PostgreSQL
(GZVPP_TEST_POSTGRES_URL / GZVPP_REQUIRE_POSTGRES, as CI sets them), the app on it with a
simulated clock, and :class:`lsvc_api.Api`. Each module gets its own database per backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from lsvc_api import Api

from gzkit.clock import SimulatedClock
from gzkit.testing import database_fixture
from gzlongevity.app import create_app

START = dt.datetime(2021, 8, 2, 9, 0)


# A new, empty database per test module: a SQLite file, or a uniquely named PostgreSQL database.
lsvc_database_url = database_fixture("lsvc_database_url", "lsvc_test")


@pytest.fixture(scope="module")
def lsvc_app(lsvc_database_url: str) -> Iterator[tuple[FastAPI, SimulatedClock]]:
    clock = SimulatedClock(START)
    application = create_app(database_url=lsvc_database_url, clock=clock)
    yield application, clock
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def api(lsvc_app: tuple[FastAPI, SimulatedClock]) -> Api:
    return Api(*lsvc_app)
