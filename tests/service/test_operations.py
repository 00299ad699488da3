"""/healthz, /readyz and /metrics (issue #11 §5): liveness without the database, readiness
with it and the MQTT broker, probes past a full admission queue, metrics with bounded labels
and only to the metrics token."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from events_support import bid, create, event_body, power_user, substation, tick
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from service_api import Api
from starlette.types import Receive, Scope, Send

from gzkit.clock import SimulatedClock
from gzvpp.app import create_app
from gzvpp.kit.admission import AdmissionMiddleware, AdmissionSettings
from gzvpp.kit.policy import PUBLICITY_ENV
from gzvpp.models import Role
from gzvpp.openadr.runtime import Settings
from gzvpp.operations.service import METRICS_TOKEN_ENV

T = dt.datetime
METRICS_TOKEN = "m" * 40
SCRAPE = {"Authorization": f"Bearer {METRICS_TOKEN}"}
NO_MQTT = Settings(mqtt_url=None)
CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/gzvpp"  # nothing listens on 1


@pytest.fixture(scope="module")
def app(database_url: str, clock: SimulatedClock) -> Iterator[FastAPI]:
    """The module's app, with a metrics token and no MQTT broker."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(PUBLICITY_ENV, "0")
        env.setenv(METRICS_TOKEN_ENV, METRICS_TOKEN)
        application = create_app(database_url=database_url, clock=clock, openadr_settings=NO_MQTT)
        yield application
    application.state.engine.dispose()


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(api: Api) -> dict[str, list[Any]]:
    """Every sample of the metrics the app exposes, by metric family name."""
    response = api.client.get("/metrics", headers=SCRAPE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {family.name: family.samples for family in text_string_to_metric_families(response.text)}


def test_healthz_answers_without_the_database_and_readyz_says_why_not() -> None:
    app = create_app(database_url=CLOSED_PORT_URL, migrate=False, openadr_settings=NO_MQTT)
    client = TestClient(app)
    alive = client.get("/healthz")
    assert (alive.status_code, alive.json()) == (200, {"status": "alive"})
    ready = client.get("/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "not_ready"
    assert body["checks"] == {"database": "failed", "mqtt": "not_configured"}
    assert body["reason"] == "无法连接数据库 / cannot reach the database"
    assert ready.headers["cache-control"] == "no-store"
    app.state.engine.dispose()


def test_readyz_on_a_live_database(api: Api) -> None:
    response = api.client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "mqtt": "not_configured"},
    }


def test_readyz_needs_the_mqtt_broker_when_one_is_configured(database_url: str) -> None:
    broker = Settings(mqtt_url="mqtt://127.0.0.1:1")  # configured, never connected
    app = create_app(database_url=database_url, openadr_settings=broker)
    client = TestClient(app)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "mqtt": "failed"}
    assert "MQTT" in response.json()["reason"]

    class Connected:
        connected = True

    app.state.openadr.notifier.publisher = Connected()
    assert client.get("/readyz").json()["checks"]["mqtt"] == "ok"
    app.state.engine.dispose()


def test_probes_and_metrics_pass_a_full_admission_queue() -> None:
    async def inner(scope: Scope, _receive: Receive, send: Send) -> None:
        if scope["path"] == "/slow":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def wait_until(name: str, value: float) -> None:
        for _ in range(500):
            if sample(name) >= value:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{name} never reached {value}")

    async def main() -> None:
        settings = AdmissionSettings(capacity=1, max_queued=1, queue_timeout=30)
        transport = httpx.ASGITransport(app=AdmissionMiddleware(inner, settings))
        at_work = sample("gzvpp_http_requests_in_flight")
        queued = sample("gzvpp_http_requests_queued")
        async with httpx.AsyncClient(transport=transport, base_url="http://gzvpp") as client:
            slow = asyncio.create_task(client.get("/slow"))
            await wait_until("gzvpp_http_requests_in_flight", at_work + 1)
            waiting = asyncio.create_task(client.get("/api/events"))
            await wait_until("gzvpp_http_requests_queued", queued + 1)
            shed = sample("gzvpp_http_requests_shed_total", reason="queue_full")
            assert (await client.get("/api/events")).status_code == 503  # the queue is full
            assert sample("gzvpp_http_requests_shed_total", reason="queue_full") == shed + 1
            for path in ("/healthz", "/readyz", "/metrics"):
                assert (await client.get(path)).status_code == 200, path
            release.set()
            assert [r.status_code for r in await asyncio.gather(slow, waiting)] == [200, 200]
        assert sample("gzvpp_http_requests_in_flight") == at_work
        assert sample("gzvpp_http_requests_queued") == queued

    release = asyncio.Event()
    asyncio.run(main())


def test_metrics_label_routes_by_template_whatever_the_paths(api: Api) -> None:
    station = substation()
    member = power_user(api, station)
    api.clock.set(T(2025, 7, 28, 8, 0))
    event_id = create(api, event_body(T(2025, 7, 29, 10), T(2025, 7, 29, 11), station))["id"]
    assert api.client.get(f"/api/events/{event_id}", headers=member.headers).status_code == 200
    scrape(api)  # the scrape itself has a series from now on
    before = series(scrape(api)["gzvpp_http_request_duration_seconds"])
    for n in range(1000):
        api.client.get(f"/no-such-page-{n}/{n * 7919}")
    for method in ("BREW", "PROPFIND"):
        api.client.request(method, f"/api/events/{event_id}")
    after = series(scrape(api)["gzvpp_http_request_duration_seconds"])

    assert ("GET", "/api/events/{event_id}") in after
    # 1,002 new addresses add at most two series: GET on no route, and an unknown method
    assert after - before <= {("GET", "unmatched"), ("other", "/api/events/{event_id}")}
    assert ("GET", "unmatched") in after
    assert not [route for _, route in after if "no-such-page" in route or event_id in route]


def series(samples: list[Any]) -> set[tuple[str, str]]:
    """The (method, route) label pairs of a histogram's samples."""
    return {(s.labels["method"], s.labels["route"]) for s in samples if "route" in s.labels}


def test_metrics_only_to_the_metrics_token(
    api: Api, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = substation()
    member = power_user(api, station)
    participant = api.token(Role.POWER_USER, member.id)
    assert api.client.get("/metrics").status_code == 401
    for headers in (participant, member.headers, api.grid):
        refused = api.client.get("/metrics", headers=headers)
        assert refused.status_code == 403
        assert refused.json()["detail"].startswith("此令牌不能读取监控指标")
    assert api.client.get("/metrics", headers=SCRAPE).status_code == 200

    monkeypatch.delenv(METRICS_TOKEN_ENV)
    closed = create_app(database_url=database_url, openadr_settings=NO_MQTT)
    response = TestClient(closed).get("/metrics", headers=SCRAPE)
    assert response.status_code == 403
    assert METRICS_TOKEN_ENV in response.json()["detail"]
    closed.state.engine.dispose()


def test_a_short_metrics_token_stops_the_start(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(METRICS_TOKEN_ENV, "short")
    with pytest.raises(ValueError, match=METRICS_TOKEN_ENV):
        create_app(database_url=database_url, openadr_settings=NO_MQTT)


def test_scheduler_lag_evaluation_time_and_pool_are_measured(api: Api) -> None:
    station = substation()
    member = power_user(api, station)
    api.clock.set(T(2025, 8, 4, 8, 0))
    event_id = create(api, event_body(T(2025, 8, 5, 10), T(2025, 8, 5, 11), station))["id"]
    assert bid(api, event_id, member, "500").status_code == 201
    tick(api)  # whatever earlier tests of the module left due is ranked now

    lag = scrape(api)["gzvpp_scheduler_lag_seconds"]
    api.clock.set(T(2025, 8, 4, 11, 0, 42))  # bidding closed at 11:00
    assert any(line.startswith(f"{event_id}: ranked") for line in tick(api))
    after = scrape(api)
    assert value(after["gzvpp_scheduler_lag_seconds"], "_count") == value(lag, "_count") + 1
    assert value(after["gzvpp_scheduler_lag_seconds"], "_sum") == value(lag, "_sum") + 42
    assert value(after["gzvpp_scheduler_last_run_timestamp_seconds"], "") > 0

    evaluated = sample("gzvpp_evaluation_duration_seconds_count", outcome="evaluated")
    api.clock.set(T(2025, 8, 5, 12, 0))
    response = api.client.post(f"/api/results/events/{event_id}:evaluate", headers=api.grid)
    assert response.json()["outcome"] == "evaluated", response.text
    assert sample("gzvpp_evaluation_duration_seconds_count", outcome="evaluated") == evaluated + 1

    checked_out = sample("gzvpp_db_pool_checked_out")
    with api.app.state.engine.connect():
        assert sample("gzvpp_db_pool_checked_out") == checked_out + 1
    assert sample("gzvpp_db_pool_checked_out") == checked_out


def value(samples: list[Any], suffix: str) -> float:
    [found] = [s.value for s in samples if s.name.endswith(suffix) and not s.labels]
    return float(found)
