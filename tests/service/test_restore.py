"""A backup restores (issue #11 §5, docs/deployment.md): a platform's PostgreSQL database with
participants, an invitation, bids, its ranking, plan and evaluated results is dumped with
``pg_dump -Fc``, restored with ``pg_restore`` into a new database, and the app on the restored
database answers the same API requests with the same bytes.

``pg_dump`` and ``pg_restore`` must be of the server's major version (Debian keeps each under
``/usr/lib/postgresql/<major>/bin``); .ci/run installs them when they are absent.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import numpy as np
import pytest
from events_support import Member, bid, create, event_body, power_user, store_meter_days, tick
from events_support import substation as new_substation
from fastapi.testclient import TestClient
from service_api import Api
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from gzvpp.app import create_app
from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.meterdata.repository import encode_day, save_days
from gzvpp.models import MeterDay
from gzvpp.openadr.runtime import Settings

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True, scope="module"),
]

T = dt.datetime
D = dt.date(2025, 7, 29)  # a Tuesday: the invitation's day
HISTORY = [D - dt.timedelta(days=k) for k in range(1, 15)]
WINDOW = slice(56, 60)  # 14:00–15:00 in 15-minute intervals


def tools(url: str) -> tuple[Path, Path]:
    """``pg_dump`` and ``pg_restore`` of the server's major version, or skip (fail in CI)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        major = int(connection.scalar(text("SHOW server_version_num")) or 0) // 10000
    engine.dispose()
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    if found := shutil.which("pg_dump"):
        candidates.append(Path(found).parent)
    for directory in candidates:
        dump, restore = directory / "pg_dump", directory / "pg_restore"
        if dump.exists() and restore.exists():
            version = subprocess.run(
                [dump, "--version"], capture_output=True, text=True, check=True
            ).stdout
            if version.split()[2].split(".")[0] == str(major):
                return dump, restore
    missing = f"pg_dump/pg_restore {major} not installed (apt-get install postgresql-client)"
    if os.environ.get("GZVPP_REQUIRE_POSTGRES") == "1":
        pytest.fail(missing)
    pytest.skip(missing)


def libpq(url: str | URL) -> str:
    """The SQLAlchemy URL as the connection string pg_dump and pg_restore take."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    """A new empty database on the module's server."""
    server = make_url(database_url)
    name = f"gzvpp_restore_{uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def platform_state(api: Api) -> list[tuple[str, dict[str, str]]]:
    """Three participants, an invitation with their bids, ranked, notified and evaluated on
    their meter data; the requests whose answers show it."""
    station = new_substation()
    members = [power_user(api, station) for _ in range(3)]
    for member in members:
        store_meter_days(api, member.accounts[0], HISTORY, 900.0)
    api.clock.set(T(2025, 7, 28, 8, 0))
    event_id = create(api, event_body(T(2025, 7, 29, 14), T(2025, 7, 29, 15), station))["id"]
    for member, kw in zip(members, ("600", "500", "400"), strict=True):
        assert bid(api, event_id, member, kw).status_code == 201
    api.clock.set(T(2025, 7, 28, 11, 5))
    assert any(line.startswith(f"{event_id}: ranked") for line in tick(api))
    for k, member in enumerate(members):
        store_response_day(api, member, 900.0 - 150.0 * (k + 1))
    api.clock.set(T(2025, 7, 30, 9, 0))
    evaluated = api.client.post(f"/api/results/events/{event_id}:evaluate", headers=api.grid)
    assert evaluated.json()["outcome"] == "evaluated", evaluated.text

    first = members[0]
    return [
        ("/api/events?limit=100", api.grid),
        (f"/api/events/{event_id}", api.grid),
        (f"/api/events/{event_id}/bids", api.grid),
        (f"/api/events/{event_id}/ranking", api.grid),
        (f"/api/events/{event_id}/awards", api.grid),
        (f"/api/results/events/{event_id}", api.grid),
        (f"/api/results/events/{event_id}/participants/{first.id}", first.headers),
        ("/api/settlement/quarters/2025Q3", api.grid),
        ("/api/participants?limit=100", api.grid),
        (f"/api/participants/{first.id}", first.headers),
        ("/api/notifications?limit=100", first.headers),
    ]


def store_response_day(api: Api, member: Member, window_kw: float) -> None:
    """Day D: 900 kW flat, ``window_kw`` in the event's hour."""
    kw = np.full(INTERVALS_PER_DAY, 900.0)
    kw[WINDOW] = window_kw
    row = {"account_id": member.accounts[0], "day": D, "kw": encode_day(kw)}
    with api.session() as session:
        save_days(session, MeterDay, [{**row, "updated_at": api.clock.now()}], [])


def test_a_pg_dump_restores_to_the_same_answers(
    api: Api, database_url: str, empty_database: str, tmp_path: Path
) -> None:
    pg_dump, pg_restore = tools(database_url)
    requests = platform_state(api)
    before = [api.client.get(path, headers=headers) for path, headers in requests]
    assert all(r.status_code == 200 for r in before), [r.text for r in before]
    results = before[5].json()["items"]
    assert len(results) == 3 and all(r["response_kw"] != "0.000" for r in results), results

    dump = tmp_path / "gzvpp.dump"
    subprocess.run([pg_dump, "-Fc", "-f", dump, libpq(database_url)], check=True)
    subprocess.run(
        [pg_restore, "--no-owner", "--exit-on-error", "-d", libpq(empty_database), dump],
        check=True,
    )

    restored = create_app(
        database_url=empty_database, clock=api.clock, openadr_settings=Settings(mqtt_url=None)
    )
    try:
        client = TestClient(restored)
        assert client.get("/readyz").status_code == 200
        for (path, headers), original in zip(requests, before, strict=True):
            again = client.get(path, headers=headers)
            assert (again.status_code, again.content) == (200, original.content), path
    finally:
        restored.state.engine.dispose()
