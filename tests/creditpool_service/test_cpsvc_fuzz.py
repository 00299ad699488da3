"""Every operation of the pool's API fuzzed by schemathesis in-process, as 市科技局, the trustee
and a partner bank: whatever is sent — wrong types, huge numbers, strange text, NUL, missing
fields — nothing answers 5xx."""

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
from gzcreditpool.models import Bank, BankStatus, Call, Role
from gzkit.clock import SimulatedClock
from gzkit.db import session_scope

# The schema is read at collection, so the app (on its own SQLite file) exists from import on.
_FOLDER = tempfile.TemporaryDirectory(prefix="cpsvc-fuzz-")
APP = create_app(
    database_url=f"sqlite:///{Path(_FOLDER.name) / 'fuzz.sqlite'}",
    clock=SimulatedClock(dt.datetime(2024, 3, 4, 9)),
)
_AT = dt.datetime(2024, 3, 4)
with session_scope(APP.state.sessionmaker) as _session:
    # A partner bank, stored directly: the fuzzer needs a bank's token, not the way there.
    _call = Call(title="申报指南", opens_on=_AT.date(), closes_on=_AT.date(), published_at=_AT)
    _session.add(_call)
    _session.flush()
    _session.add(
        Bank(
            code="FUZZ", name="模糊测试银行", status=BankStatus.PARTNER, conditions=[],
            applied_at=_AT, updated_at=_AT, call_id=_call.id,
        )
    )  # fmt: skip
    _session.flush()
    _, _BANK = create_user(_session, name="fuzz-bank", role=Role.BANK, bank_code="FUZZ", at=_AT)
    _, _BUREAU = create_user(
        _session, name="fuzz-bureau", role=Role.BUREAU, bank_code=None, at=dt.datetime(2024, 3, 4)
    )
    _, _TRUSTEE = create_user(
        _session, name="fuzz-trustee", role=Role.TRUSTEE, bank_code=None, at=dt.datetime(2024, 3, 4)
    )
TOKENS = {"bureau": _BUREAU, "trustee": _TRUSTEE, "bank": _BANK}

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
