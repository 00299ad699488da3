"""Fixtures for the service tests: a fresh database on SQLite and on PostgreSQL, the app on it
with a simulated clock, and the :class:`service_api.Api` helper.

Each test module gets its own database per backend; tests inside a module share it, so they use
fresh account ids (from :meth:`Api.account_id`) and never assume an empty table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from service_api import Api

from gzkit.clock import SimulatedClock
from gzkit.testing import database_fixture
from gzvpp.app import create_app
from gzvpp.kit.policy import PUBLICITY_ENV

START = dt.datetime(2025, 6, 2, 9, 0)


# A new, empty database per test module: a SQLite file, or a uniquely named PostgreSQL database.
database_url = database_fixture("database_url", "gzvpp_test")


@pytest.fixture(scope="module")
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture(scope="module")
def app(database_url: str, clock: SimulatedClock) -> Iterator[FastAPI]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv(PUBLICITY_ENV, "0")  # the helpers take an application through 公示 at once
        application = create_app(database_url=database_url, clock=clock)
        yield application
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def api(app: FastAPI, clock: SimulatedClock) -> Api:
    return Api(app, clock)
