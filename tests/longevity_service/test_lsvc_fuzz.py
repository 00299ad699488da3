"""Hostile input: every operation of the API, fuzzed by schemathesis in-process with generated
valid and invalid requests (NUL characters, NaN, huge numbers, odd dates …) as the city and as
a street: no answer is a server error, on SQLite and PostgreSQL."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from lsvc_api import Api, bearer
from schemathesis import Case

from gzkit.clock import SimulatedClock
from gzlongevity.app import create_app

# The document only: an app on a database never migrated nor opened.
UNUSED = Path(tempfile.gettempdir()) / "lsvc-fuzz-unused.sqlite"
schema = schemathesis.openapi.from_dict(
    create_app(database_url=f"sqlite:///{UNUSED}", migrate=False).openapi()
)
schema.config.update(base_url="http://localhost")
schema.config.generation.update(max_examples=4)


@pytest.fixture(scope="module")
def fuzz_tokens(api: Api) -> dict[str, str]:
    return {"city": api.city, "street": api.street}


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
@pytest.mark.parametrize("role", ["city", "street"])
def test_no_request_is_a_server_error(
    case: Case, role: str, lsvc_app: tuple[FastAPI, SimulatedClock], fuzz_tokens: dict[str, str]
) -> None:
    app, _ = lsvc_app
    case.operation.app = case.operation.schema.app = app
    case.call_and_validate(
        headers=bearer(fuzz_tokens[role]), checks=[schemathesis.checks.not_a_server_error]
    )
