"""Every operation of the pool's API fuzzed by schemathesis in-process, as each role: whatever
is sent — wrong types, huge numbers, strange text, NUL, missing fields — nothing answers 5xx."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case

from gzcreditpool.app import create_app
from gzcreditpool.kit.auth import create_user
from gzcreditpool.models import Role
from gzkit.clock import SimulatedClock
from gzkit.db import session_scope

# The schema is read at collection, so the app (on its own SQLite file) exists from import on.
_FOLDER = tempfile.TemporaryDirectory(prefix="cpsvc-fuzz-")
APP = create_app(
    database_url=f"sqlite:///{Path(_FOLDER.name) / 'fuzz.sqlite'}",
    clock=SimulatedClock(dt.datetime(2024, 3, 4, 9)),
)
with session_scope(APP.state.sessionmaker) as _session:
    _, _BUREAU = create_user(
        _session, name="fuzz-bureau", role=Role.BUREAU, bank_code=None, at=dt.datetime(2024, 3, 4)
    )
    _, _TRUSTEE = create_user(
        _session, name="fuzz-trustee", role=Role.TRUSTEE, bank_code=None, at=dt.datetime(2024, 3, 4)
    )
TOKENS = {"bureau": _BUREAU, "trustee": _TRUSTEE}

schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.generation.update(max_examples=8)


@pytest.mark.parametrize("role", list(TOKENS))
@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_cpsvc_no_request_fails_the_server(case: Case, role: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKENS[role]}"},
        checks=[schemathesis.checks.not_a_server_error],
    )
