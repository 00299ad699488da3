"""Many requests at once (issue #9 §1): no request waits forever for a connection, writers on
SQLite queue instead of failing, a duplicate is a clean 409, overload is shed with Retry-After,
and the scheduler keeps connections of its own.

The app here has a pool of 6 connections (4 kept for the background, so 2 requests at work at a
time): a burst of 100 requests is far past the pool, as 100 consoles were past the old 15.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from events_support import Member, bid, create, event_body, power_user, substation
from fastapi import FastAPI
from service_api import Api
from sqlalchemy.exc import IntegrityError

from gzkit import errors
from gzkit.clock import SimulatedClock
from gzkit.db import READ_ONLY
from gzvpp.app import create_app
from gzvpp.events.scheduler import run_due
from gzvpp.kit.admission import AdmissionSettings
from gzvpp.kit.db import BACKGROUND_CONNECTIONS, POOL_SIZE_ENV, request_capacity
from gzvpp.kit.policy import PUBLICITY_ENV

POOL = BACKGROUND_CONNECTIONS + 2


@pytest.fixture(scope="module")
def app(database_url: str, clock: SimulatedClock) -> Iterator[FastAPI]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv(POOL_SIZE_ENV, str(POOL))
        env.setenv(PUBLICITY_ENV, "0")  # the helpers take an application through 公示 at once
        application = create_app(database_url=database_url, clock=clock)
        yield application
    application.state.engine.dispose()


def burst(app: FastAPI, requests: list[tuple[str, str, dict[str, object]]]) -> list[httpx.Response]:
    """Send every request at the same instant through the app's own ASGI interface."""

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(
                *(client.request(method, url, **kw) for method, url, kw in requests)  # type: ignore[arg-type]
            )

    return asyncio.run(run())


@pytest.fixture(scope="module")
def invitation(api: Api, clock: SimulatedClock) -> tuple[str, list[Member]]:
    """A day-ahead invitation at a station of 60 active participants, bidding open."""
    station = substation()
    members = [power_user(api, station) for _ in range(60)]
    day = clock.now().date() + dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(10))
    body = event_body(start, start + dt.timedelta(hours=2), station, demand_kw="30000")
    return create(api, body)["id"], members


def test_the_pool_is_smaller_than_the_burst(app: FastAPI) -> None:
    assert app.state.engine.pool.size() == POOL
    with pytest.MonkeyPatch.context() as env:
        env.setenv(POOL_SIZE_ENV, str(POOL))
        assert request_capacity() == 2


def test_a_burst_of_reads_far_past_the_pool_is_all_served(api: Api, app: FastAPI) -> None:
    responses = burst(app, [("GET", "/api/events", {"headers": api.grid})] * 100)
    assert Counter(r.status_code for r in responses) == {200: 100}


def test_concurrent_bids_into_one_invitation_are_all_taken(
    app: FastAPI, invitation: tuple[str, list[Member]]
) -> None:
    event_id, members = invitation
    responses = burst(
        app,
        [
            ("POST", f"/api/events/{event_id}/bids", {"json": {"kw": "500"}, "headers": m.headers})
            for m in members
        ],
    )
    assert Counter(r.status_code for r in responses) == {201: len(members)}


def test_one_participant_bidding_fifty_times_at_once_keeps_one_bid(
    api: Api, app: FastAPI, invitation: tuple[str, list[Member]]
) -> None:
    event_id, members = invitation
    bidder = members[0]
    responses = burst(
        app,
        [
            (
                "POST",
                f"/api/events/{event_id}/bids",
                {"json": {"kw": str(300 + k)}, "headers": bidder.headers},
            )
            for k in range(50)
        ],
    )
    # Each replaces the one before (200), none fails on the lock or the unique constraint.
    assert {r.status_code for r in responses} <= {200, 201}
    assert all("locked" not in r.text and "UNIQUE" not in r.text for r in responses)
    mine = api.client.get(f"/api/events/{event_id}/bids", headers=bidder.headers).json()["items"]
    assert len(mine) == 1
    assert mine[0]["kw"] in {f"{300 + k}.000" for k in range(50)}
    assert bid(api, event_id, bidder, "500").status_code == 200


def test_the_scheduler_gets_a_connection_while_requests_hold_theirs(
    api: Api, app: FastAPI, invitation: tuple[str, list[Member]]
) -> None:
    # Every request slot busy with a console read in progress.
    engine = app.state.engine.execution_options(**{READ_ONLY: True})
    held = [engine.connect() for _ in range(POOL - BACKGROUND_CONNECTIONS)]
    try:
        for connection in held:
            connection.exec_driver_sql("SELECT 1")
        # Before bidding closes there is nothing to rank, but the run must reach the database.
        assert run_due(app.state.sessionmaker, api.clock.now()) == []
    finally:
        for connection in held:
            connection.close()


def test_overload_is_refused_with_retry_after_and_the_server_recovers(
    database_url: str, api: Api
) -> None:
    tight = create_app(
        database_url=database_url,
        clock=api.clock,
        admission=AdmissionSettings(capacity=1, max_queued=1, queue_timeout=30),
    )
    try:
        responses = burst(tight, [("GET", "/api/events", {"headers": api.grid})] * 20)
        statuses = Counter(r.status_code for r in responses)
        assert set(statuses) == {200, 503} and statuses[200] >= 1
        shed = [r for r in responses if r.status_code == 503]
        assert all(r.headers["retry-after"] == "2" for r in shed)
        assert all("服务繁忙" in r.json()["detail"] for r in shed)
        assert burst(tight, [("GET", "/api/events", {"headers": api.grid})])[0].status_code == 200
    finally:
        tight.state.engine.dispose()


def test_a_constraint_race_is_a_clean_409_without_sql() -> None:
    app = FastAPI()
    errors.install(app)

    @app.get("/race")
    def race() -> None:
        raise IntegrityError(
            "INSERT INTO bids (event_id, participant_id) VALUES (?, ?)",
            ("E1", "P1"),
            Exception("UNIQUE constraint failed: bids.event_id, bids.participant_id"),
        )

    response = burst(app, [("GET", "/race", {})])[0]
    assert response.status_code == 409
    assert "冲突" in response.json()["detail"]
    assert "bids" not in response.text and "INSERT" not in response.text
