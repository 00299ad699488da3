"""The scheduler: the background thread with the real clock, none with a simulated one."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

from events_support import bid, create, event_body, power_user, substation
from fastapi.testclient import TestClient
from service_api import Api

from gzkit.clock import SystemClock
from gzvpp.app import create_app
from gzvpp.events.scheduler import Scheduler, run_due, start_scheduler

T = dt.datetime


def scheduler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "gzvpp-scheduler"]


def test_background_thread_ranks_due_events(api: Api) -> None:
    station = substation()
    member = power_user(api, station)
    api.clock.set(T(2025, 7, 28, 8, 0))
    event_id = create(api, event_body(T(2025, 7, 29, 10), T(2025, 7, 29, 11), station))["id"]
    assert bid(api, event_id, member, "500").status_code == 201
    factory = api.app.state.sessionmaker
    assert start_scheduler(factory, api.clock) is None  # a simulated clock is driven by hand

    api.clock.set(T(2025, 7, 28, 11, 0))
    scheduler = Scheduler(factory, api.clock, interval=0.05)
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline and status != "notified":
            time.sleep(0.05)
            status = api.client.get(f"/api/events/{event_id}", headers=api.grid).json()["status"]
    finally:
        scheduler.stop()
    assert status == "notified"
    assert not scheduler_threads()
    assert run_due(factory, api.clock.now()) == []


def test_app_with_the_real_clock_runs_the_scheduler(tmp_path: Path) -> None:
    app = create_app(database_url=f"sqlite:///{tmp_path / 'real.sqlite'}", clock=SystemClock())
    with TestClient(app):
        assert len(scheduler_threads()) == 1
    assert not scheduler_threads()
