"""Several server processes on one PostgreSQL database (issue #11 §2).

Real ``gzvpp serve`` processes on free ports: bids taken by two processes at once rank as one
process ranks them; the scheduler's process killed with ``kill -9`` is replaced on time. In
process: two closings of one invitation racing rank it once; the election passes on when its
holder's connection dies. (OpenADR notifications: tests/openadr/test_openadr_workers.py.)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from events_support import Member, power_user, substation, tick
from prometheus_client.parser import text_string_to_metric_families
from service_api import Api
from sqlalchemy import func, select, text
from workers_support import (
    INTERVAL_S,
    METRICS_TOKEN,
    D,
    Server,
    at,
    bids_of,
    close_soon,
    invitation,
    ranking,
    rankings_of,
    scheduler_pids,
    serve,
    status,
    wait_for,
    workers_server,  # noqa: F401  (the fixture `workers`)
)

from gzkit.advisory import Leadership
from gzkit.db import session_scope
from gzvpp import serving
from gzvpp.events.repository import EventRepository
from gzvpp.events.service import event_service
from gzvpp.kit.db import pool_size, request_capacity
from gzvpp.kit.locks import NAMESPACE, Lock
from gzvpp.models import Award, Event, EventStatus

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True, scope="module"),
]


def test_two_closings_racing_rank_an_invitation_once(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = substation()
    members = [power_user(api, station) for _ in range(3)]
    event_id = invitation(api, D, station)
    for member, body in zip(members, bids_of(members), strict=True):
        response = api.client.post(
            f"/api/events/{event_id}/bids", json=body, headers=member.headers
        )
        assert response.status_code == 201, response.text
    # Each closing waits, once it has read the event, for the other to have read it too (or
    # for 2 s: the row lock keeps the second from reading until the first has committed).
    both_read = threading.Barrier(2, timeout=2)
    read = EventRepository.get

    def get_then_wait(self: EventRepository, event_id: str, *, for_update: bool = False) -> Any:
        found = read(self, event_id, for_update=for_update)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        return found

    monkeypatch.setattr(EventRepository, "get", get_then_wait)
    close = at(D - dt.timedelta(days=1), 11)
    done: list[list[str]] = []
    failures: list[BaseException] = []

    def close_bidding() -> None:
        try:
            with session_scope(api.app.state.sessionmaker) as session:
                done.append(event_service.close_bidding(session, close, event_id))
        except BaseException as err:  # asserted below
            failures.append(err)

    threads = [threading.Thread(target=close_bidding) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(len(lines) for lines in done) == [0, 2]  # ranked and plan sent; nothing
    assert rankings_of(api, event_id) == 1
    with api.session() as session:
        awards = session.scalar(select(func.count()).where(Award.event_id == event_id))
    assert awards == 3


def test_the_election_passes_on_when_the_holders_connection_dies(api: Api) -> None:
    engine = api.app.state.engine
    first, second = (
        Leadership(engine, Lock.SCHEDULER, "gzvpp"),
        Leadership(engine, Lock.SCHEDULER, "gzvpp"),
    )
    try:
        assert first.holds()
        assert not second.holds()
        assert first.holds()  # still held: the connection is alive
        with api.session() as session:
            session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND granted AND classid = :namespace AND objid = :lock"
                ),
                {"namespace": NAMESPACE, "lock": int(Lock.SCHEDULER)},
            )
        wait_for(second.holds, 10, "the second to be elected")
        assert not first.holds()
    finally:
        first.release()
        second.release()


def test_a_second_serve_joins_the_running_clock_or_is_refused(api: Api, database_url: str) -> None:
    start = dt.datetime(2025, 6, 2, 10, 0)
    first = serving.share_clock(database_url, start)
    assert first is not None and first.name == "设定时钟"
    running = Leadership(api.app.state.engine, Lock.SCHEDULER, "gzvpp")  # a service at work
    try:
        assert running.holds()
        time.sleep(0.05)
        assert serving.share_clock(database_url, start) == first  # the same anchor
        with pytest.raises(ValueError, match="本库已有服务进程在运行"):
            serving.share_clock(database_url, start + dt.timedelta(hours=1))
        with pytest.raises(ValueError, match="本库已有服务进程在运行"):
            serving.share_clock(database_url, None)  # the real time
    finally:
        running.release()
    again = serving.share_clock(database_url, start)  # nobody running: the clock starts afresh
    assert again is not None and again.anchored_at > first.anchored_at


def test_bids_through_two_processes_rank_as_through_one(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    station = substation()
    members = [power_user(api, station) for _ in range(12)]
    several = invitation(api, D, station)  # bids through two server processes
    single = invitation(api, D + dt.timedelta(days=1), station)  # bids through this process
    bodies = bids_of(members)
    with (
        serve(database_url, tmp_path, "first") as first,
        serve(database_url, tmp_path, "second") as second,
    ):
        # Every participant sends its bid to both processes at once: one bid each is kept.
        def send(job: tuple[Member, dict[str, str], str]) -> int:
            member, body, base = job
            response = httpx.post(
                f"{base}/api/events/{several}/bids", json=body, headers=member.headers, timeout=30
            )
            return response.status_code

        jobs = [
            (member, body, server.base)
            for member, body in zip(members, bodies, strict=True)
            for server in (first, second)
        ]
        with ThreadPoolExecutor(len(jobs)) as pool:
            statuses = list(pool.map(send, jobs))
        assert Counter(statuses) == {201: len(members), 200: len(members)}, statuses
        close_soon(api, several)
        wait_for(lambda: status(api, several) is EventStatus.NOTIFIED, 30, "the scheduler to rank")
        taken = ranking(httpx, first.base, several, api.grid)
    for member, body in zip(members, bodies, strict=True):
        response = api.client.post(f"/api/events/{single}/bids", json=body, headers=member.headers)
        assert response.status_code == 201, response.text
    api.clock.set(at(D, 11))
    assert any(line.startswith(f"{single}: ranked") for line in tick(api))
    assert rankings_of(api, several) == 1
    assert len(taken) == len(members)
    assert taken == ranking(api.client, "", single, api.grid)


def test_kill_9_of_the_schedulers_process_another_ranks_on_time(api: Api, workers: Server) -> None:
    station = substation()
    members = [power_user(api, station) for _ in range(2)]
    event_id = invitation(api, D + dt.timedelta(days=2), station)
    for member, body in zip(members, bids_of(members), strict=True):
        response = httpx.post(
            f"{workers.base}/api/events/{event_id}/bids", json=body, headers=member.headers
        )
        assert response.status_code == 201, response.text
    [killed] = wait_for(lambda: scheduler_pids(api), 30, "a process to be elected")
    os.kill(killed, signal.SIGKILL)
    close = close_soon(api, event_id)
    wait_for(lambda: status(api, event_id) is EventStatus.NOTIFIED, 30, "another to rank")
    with api.session() as session:
        ranked_at = session.scalars(select(Event.ranked_at).where(Event.id == event_id)).one()
    assert ranked_at is not None
    assert ranked_at - close <= dt.timedelta(seconds=2 * INTERVAL_S)
    assert rankings_of(api, event_id) == 1
    assert killed not in scheduler_pids(api)


def test_any_process_answers_the_metrics_of_all(workers: Server) -> None:
    """Multiprocess metrics: whichever process answers sums every live process's gauges, and
    those of a killed process are gone (the capacity would count it too)."""
    headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}

    def metrics() -> dict[str, float]:
        # A new connection each time, so that the scrapes reach either process.
        response = httpx.get(f"{workers.base}/metrics", headers=headers)
        assert response.status_code == 200, response.text
        return {
            sample.name: sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
            if not sample.labels
        }

    def both_up() -> dict[str, float] | None:
        # After the kill -9 above, until uvicorn has started a new process, one is counted.
        found = metrics()
        up = found.get("gzvpp_http_request_capacity") == 2 * request_capacity()
        return found if up and found.get("gzvpp_scheduler_leader") == 1 else None

    wait_for(both_up, 60, "both processes and a leader in the metrics")
    for _ in range(6):
        found = metrics()
        assert found["gzvpp_scheduler_leader"] == 1  # one process elected, not one per process
        assert found["gzvpp_http_request_capacity"] == 2 * request_capacity()
        assert found["gzvpp_db_pool_size"] == 2 * pool_size()
        assert found["gzvpp_scheduler_last_run_timestamp_seconds"] > 0
    assert httpx.get(f"{workers.base}/metrics").status_code == 401
