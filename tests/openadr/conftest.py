"""Fixtures for the OpenADR tests: the app on SQLite and PostgreSQL (the service tests'
``database_url``), OpenADR settings for loopback, clients and VENs, and a live server."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from gzkit.clock import SimulatedClock
from gzvpp.app import create_app
from gzvpp.kit.policy import PUBLICITY_ENV
from gzvpp.openadr.runtime import install

SERVICE = Path(__file__).resolve().parent.parent / "service"
sys.path.insert(0, str(SERVICE))
_spec = importlib.util.spec_from_file_location("service_conftest", SERVICE / "conftest.py")
assert _spec is not None and _spec.loader is not None
_service_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_service_conftest)

from helpers import LOOPBACK, free_port  # noqa: E402
from service_api import Api  # noqa: E402

database_url = _service_conftest.database_url
START = dt.datetime(2025, 6, 2, 8, 0)


@pytest.fixture(scope="module")
def clock(database_url: str) -> SimulatedClock:
    """A clock per module and database (the scenarios move it)."""
    return SimulatedClock(START)


@pytest.fixture(scope="module")
def app(database_url: str, clock: SimulatedClock) -> Iterator[FastAPI]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv(PUBLICITY_ENV, "0")  # the helpers take an application through 公示 at once
        application = create_app(database_url=database_url, clock=clock)
        install(application, LOOPBACK)
        yield application
    application.state.openadr.stop()
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def api(app: FastAPI, clock: SimulatedClock) -> Api:
    return Api(app, clock)


@pytest.fixture(scope="module")
def server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port (its lifespan runs the relay); the
    base URL."""
    port = free_port()
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)
