"""Every operation of the pool's API fuzzed by schemathesis in-process, as 市科技局, the trustee
and a partner bank, on SQLite and on PostgreSQL: whatever is sent — wrong types, huge numbers,
strange text, NUL, missing fields — nothing answers 5xx."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import Case

from gzcreditpool.app import create_app
from gzcreditpool.kit.auth import create_user
from gzcreditpool.models import Bank, BankStatus, Call, Role
from gzkit.clock import SimulatedClock
from gzkit.db import session_scope

# The document only: an app on a database never migrated nor opened; each case is sent to the
# app of the ``pool_app`` fixture (SQLite, then PostgreSQL).
UNUSED = Path(tempfile.gettempdir()) / "cpsvc-fuzz-unused.sqlite"
schema = schemathesis.openapi.from_dict(
    create_app(database_url=f"sqlite:///{UNUSED}", migrate=False).openapi()
)
schema.config.update(base_url="http://localhost")
schema.config.generation.update(max_examples=8)
AT = dt.datetime(2024, 3, 4, 9)


@pytest.fixture(scope="module")
def fuzz_tokens(pool_app: tuple[FastAPI, SimulatedClock]) -> dict[str, str]:
    """A partner bank stored directly (the fuzzer needs a bank's token, not the way there) and
    a token per role."""
    app, clock = pool_app
    clock.set(AT)
    with session_scope(app.state.sessionmaker) as session:
        call = Call(title="申报指南", opens_on=AT.date(), closes_on=AT.date(), published_at=AT)
        session.add(call)
        session.flush()
        session.add(
            Bank(
                code="FUZZ", name="模糊测试银行", status=BankStatus.PARTNER, conditions=[],
                applied_at=AT, updated_at=AT, call_id=call.id,
            )
        )  # fmt: skip
        session.flush()
        tokens = {
            role.value: create_user(
                session,
                name=f"fuzz-{role.value}",
                role=role,
                bank_code="FUZZ" if role is Role.BANK else None,
                at=AT,
            )[1]
            for role in (Role.BUREAU, Role.TRUSTEE, Role.BANK)
        }
    return tokens


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
@pytest.mark.parametrize("role", ["bureau", "trustee", "bank"])
def test_cpsvc_no_request_fails_the_server(
    case: Case,
    role: str,
    pool_app: tuple[FastAPI, SimulatedClock],
    fuzz_tokens: dict[str, str],
) -> None:
    app, _ = pool_app
    case.operation.app = case.operation.schema.app = app
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_tokens[role]}"},
        checks=[schemathesis.checks.not_a_server_error],
    )
