"""Listing participants: server-side filters, sorting and paging over 10,000 participants."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

import pytest
from service_api import Api
from sqlalchemy import insert

from gzvpp.models import Account, Participant

N = 10_000
STATUSES = ["submitted", "grid_review", "publicity", "active", "rejected"]
BASE = dt.datetime(2025, 1, 1, 8, 0)


def _spec(i: int) -> dict[str, Any]:
    kind = "aggregator" if i % 10 == 0 else "user"
    status = STATUSES[i % 5]
    return {
        "id": f"p{i:05d}",
        "kind": kind,
        "name": f"参与者{i:05d}",
        "general_taxpayer": True,
        "capability_kw": Decimal(200 + (i * 37) % 5000),
        "response_duration_min": 60 if kind == "user" else None,
        "realtime_capable": i % 4 == 0,
        "minute_monitoring": i % 8 == 0,
        "realtime_capability_kw": Decimal(100) if i % 4 == 0 else None,
        "policy_compliant": True if kind == "user" else None,
        "category": None
        if kind == "aggregator"
        else ("general_commercial", "large_industry")[i % 3 > 0],
        "max_load_kw": Decimal(30000) if kind == "user" else None,
        "registered_in_guangzhou": True if kind == "aggregator" else None,
        "registered_capital_cny": Decimal(6_000_000) if kind == "aggregator" else None,
        "member_list_on_file": True if kind == "aggregator" else None,
        "delegation_agreement_on_file": True if kind == "aggregator" else None,
        "status": status,
        "submitted_at": BASE + dt.timedelta(minutes=i),
        "publicity_started_at": (
            BASE + dt.timedelta(days=30, minutes=(i * 7) % N)
            if status in ("publicity", "active")
            else None
        ),
        "updated_at": BASE,
    }


def _substations(i: int) -> list[str]:
    """A user's one account, or an aggregator's two, at these substations."""
    first = f"站{i % 20:02d}"
    return [first, f"站{(i + 7) % 20:02d}"] if i % 10 == 0 else [first]


SPECS = [_spec(i) for i in range(N)]


@pytest.fixture(scope="module")
def population(api: Api) -> list[dict[str, Any]]:
    """10,000 participants written straight into the tables (the API is too slow to seed)."""
    accounts = [
        {
            "account_id": f"9{i:05d}{n}",
            "participant_id": spec["id"],
            "capability_kw": spec["capability_kw"],
            "substation": substation,
            "feeder": "F1",
            "created_at": BASE,
        }
        for i, spec in enumerate(SPECS)
        for n, substation in enumerate(_substations(i))
    ]
    with api.session() as session:
        session.execute(insert(Participant), SPECS)
        session.execute(insert(Account), accounts)
    return SPECS


def listing(api: Api, path: str = "/api/participants", **params: Any) -> dict[str, Any]:
    response = api.client.get(path, params=params, headers=api.grid)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("params", "matches"),
    [
        ({}, lambda i, s: True),
        ({"kind": "aggregator"}, lambda i, s: s["kind"] == "aggregator"),
        ({"status": ["publicity", "active"]}, lambda i, s: s["status"] in ("publicity", "active")),
        ({"category": "general_commercial"}, lambda i, s: s["category"] == "general_commercial"),
        ({"realtime": True}, lambda i, s: s["realtime_capable"] and s["minute_monitoring"]),
        ({"realtime": False}, lambda i, s: not (s["realtime_capable"] and s["minute_monitoring"])),
        ({"substation": "站03"}, lambda i, s: "站03" in _substations(i)),
        (
            {
                "kind": "user",
                "status": "active",
                "category": "large_industry",
                "substation": "站08",
            },
            lambda i, s: (
                s["kind"] == "user"
                and s["status"] == "active"
                and s["category"] == "large_industry"
                and "站08" in _substations(i)
            ),
        ),
        ({"q": "参与者0012"}, lambda i, s: s["name"].startswith("参与者0012")),
        ({"q": "9000420"}, lambda i, s: i == 42),
        ({"q": "p00077"}, lambda i, s: i == 77),
        ({"q": "%"}, lambda i, s: False),
    ],
)
def test_filters(
    population: list[dict[str, Any]], api: Api, params: dict[str, Any], matches: Any
) -> None:
    expected = sorted(
        (s for i, s in enumerate(population) if matches(i, s)),
        key=lambda s: s["submitted_at"],
        reverse=True,
    )
    body = listing(api, **params, limit=100)
    assert body["pagination"]["total_count"] == len(expected)
    assert [p["id"] for p in body["items"]] == [s["id"] for s in expected[:100]]


def test_sorting_and_paging(population: list[dict[str, Any]], api: Api) -> None:
    expected = sorted(population, key=lambda s: (-s["capability_kw"], s["id"]))
    pages = [
        listing(api, sorting="-capability_kw", page=page, limit=100)["items"]
        for page in (1, 2, 100)
    ]
    assert [p["id"] for p in pages[0] + pages[1]] == [s["id"] for s in expected[:200]]
    assert [p["id"] for p in pages[2]] == [s["id"] for s in expected[9900:]]
    assert [Decimal(p["capability_kw"]) for p in pages[0]] == [
        s["capability_kw"] for s in expected[:100]
    ]
    beyond = listing(api, page=101, limit=100)
    assert beyond["items"] == []
    assert beyond["pagination"] == {"total_count": N, "max_page": 100}

    by_kind_then_name = listing(api, sorting=["kind", "-name"], limit=3)["items"]
    assert [p["name"] for p in by_kind_then_name] == ["参与者09990", "参与者09980", "参与者09970"]


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"limit": 101}, ["query", "limit"]),
        ({"page": 0}, ["query", "page"]),
        ({"sorting": "-colour"}, ["query", "sorting"]),
        ({"status": "pending"}, ["query", "status", 0]),
        ({"kind": "household"}, ["query", "kind"]),
        ({"realtime": "maybe"}, ["query", "realtime"]),
    ],
)
def test_bad_list_parameters_name_the_field(
    api: Api, params: dict[str, Any], loc: list[Any]
) -> None:
    response = api.client.get("/api/participants", params=params, headers=api.grid)
    assert response.status_code == 422
    assert loc in [e["loc"] for e in response.json()["detail"]]


def test_publicity_list(population: list[dict[str, Any]], api: Api) -> None:
    shown = [s for s in population if s["status"] in ("publicity", "active")]
    expected = sorted(shown, key=lambda s: (s["publicity_started_at"], s["id"]), reverse=True)
    response = api.client.get(
        "/api/participants/publicity", params={"limit": 50}, headers=api.regulator
    )
    assert response.status_code == 200
    body = response.json()
    assert body["pagination"]["total_count"] == len(shown)
    # Ties on publicity_started_at are broken by ascending id.
    assert [p["publicity_started_at"] for p in body["items"]] == [
        s["publicity_started_at"].isoformat() for s in expected[:50]
    ]
    assert {p["status"] for p in body["items"]} <= {"publicity", "active"}


def test_lists_stay_fast(population: list[dict[str, Any]], api: Api) -> None:
    queries = [
        {},
        {"status": "active", "sorting": "-capability_kw"},
        {"substation": "站05", "sorting": "name", "page": 5},
        {"kind": "user", "category": "large_industry", "realtime": True, "page": 20},
        {"q": "参与者", "sorting": "-submitted_at", "page": 99},
    ]
    for params in queries:
        started = time.perf_counter()
        listing(api, **params, limit=100)
        elapsed = time.perf_counter() - started
        assert elapsed < 1.0, f"{params} took {elapsed:.3f} s"
