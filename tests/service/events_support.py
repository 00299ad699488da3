"""Helpers for the events tests: active participants with tokens, event bodies, meter data and
stored history (awards, evaluation results) the rules look back on.

Each test works at its own substation, so the participants of other tests in the module (same
database) are never in its events' scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import uuid4

import httpx
import numpy as np
from service_api import Api

from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.meterdata.repository import encode_day, save_days
from gzvpp.models import Award, AwardResult, Event, EventStatus, MeterDay, PriceMode, Role


@dataclass(frozen=True)
class Member:
    """An active participant, its accounts and a token of its own."""

    id: str
    accounts: list[str]
    headers: dict[str, str]


def substation() -> str:
    """A substation no other test uses."""
    return f"站{uuid4().hex[:8]}"


def known_substation(api: Api) -> str:
    """A substation no other test uses, made known to the platform (an event's scope may name
    only those of enrolled accounts) by an application that is never activated: nobody there
    is invited."""
    station = substation()
    api.enrol(api.user(substation=station))
    return station


def power_user(api: Api, station: str, **overrides: Any) -> Member:
    """Enrol and activate a power user at ``station`` (800 kW unless overridden)."""
    body = api.enrol(api.user(substation=station, **overrides))
    api.activate(body["id"])
    accounts = [a["account_id"] for a in body["accounts"]]
    return Member(body["id"], accounts, api.token(Role.POWER_USER, body["id"]))


def aggregator(api: Api, station: str, members: int = 3) -> Member:
    """Enrol and activate an aggregator of ``members`` × 1000 kW members at ``station``."""
    body = api.enrol(
        api.aggregator(members=[api.member(substation=station) for _ in range(members)])
    )
    api.activate(body["id"])
    accounts = [a["account_id"] for a in body["accounts"]]
    return Member(body["id"], accounts, api.token(Role.AGGREGATOR, body["id"]))


def event_body(
    start: dt.datetime, end: dt.datetime, station: str, **overrides: Any
) -> dict[str, Any]:
    """A fixed-price (3 CNY/kWh) day-ahead peak-shaving event of 2000 kW at ``station``."""
    return {
        "direction": "peak",
        "mode": "day_ahead",
        "start_at": start.isoformat(),
        "end_at": end.isoformat(),
        "demand_kw": "2000",
        "scope": {"substations": [station]},
        "price_mode": "fixed",
        "fixed_price": "3",
        **overrides,
    }


def create(api: Api, body: dict[str, Any]) -> dict[str, Any]:
    """Create an event as the grid operator; its detail."""
    response = api.client.post("/api/events", json=body, headers=api.grid)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def bid(
    api: Api, event_id: str, member: Member, kw: str, price: str | None = None
) -> httpx.Response:
    """POST a bid with the participant's own token."""
    body: dict[str, Any] = {"kw": kw} if price is None else {"kw": kw, "price": price}
    return api.client.post(f"/api/events/{event_id}/bids", json=body, headers=member.headers)


def tick(api: Api) -> list[str]:
    """Run the scheduler now, as the grid operator."""
    response = api.client.post("/api/admin/tick", headers=api.grid)
    assert response.status_code == 200, response.text
    actions: list[str] = response.json()["actions"]
    return actions


def items(api: Api, path: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every item of a list endpoint (one page of 100)."""
    response = api.client.get(path, params={"limit": 100, **params}, headers=headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


def notifications(api: Api, member: Member, **params: Any) -> list[dict[str, Any]]:
    """The participant's notifications, newest first."""
    return items(api, "/api/notifications", member.headers, **params)


def store_meter_days(api: Api, account: str, days: list[dt.date], kw: float) -> None:
    """A flat load of ``kw`` on each of ``days`` for ``account``."""
    values = encode_day(np.full(INTERVALS_PER_DAY, kw))
    rows = [
        {"account_id": account, "day": day, "kw": values, "updated_at": api.clock.now()}
        for day in days
    ]
    with api.session() as session:
        save_days(session, MeterDay, rows, [])  # adds the months' partitions on PostgreSQL


def past_award(
    api: Api,
    member: Member,
    start: dt.datetime,
    *,
    status: EventStatus = EventStatus.NOTIFIED,
    non_execution: bool = False,
) -> None:
    """A stored one-hour invited event on ``start`` with an award to ``member`` and, with
    ``non_execution``, an evaluation result counting as a non-execution (R6)."""
    event_id = f"T{uuid4().hex[:12]}"
    at = api.clock.now()
    with api.session() as session:
        session.add(
            Event(
                id=event_id,
                direction="peak",
                mode="day_ahead",
                start_at=start,
                end_at=start + dt.timedelta(hours=1),
                demand_kw=Decimal(100),
                price_mode=PriceMode.FIXED,
                fixed_price=Decimal(3),
                price_cap=Decimal(5),
                scope_substations=[],
                scope_feeders=[],
                status=status,
                published_at=at,
                shortfall=False,
                created_by="test",
                created_at=at,
                updated_at=at,
            )
        )
        session.flush()
        award = Award(
            event_id=event_id,
            participant_id=member.id,
            kw=Decimal(100),
            place=1,
            reason="test",
            created_at=at,
        )
        session.add(award)
        session.flush()
        if non_execution:
            session.add(_non_execution(award, event_id, member.id, start, at))


def _non_execution(
    award: Award, event_id: str, participant_id: str, start: dt.datetime, at: dt.datetime
) -> AwardResult:
    zero = Decimal(0)
    return AwardResult(
        award_id=award.id,
        event_id=event_id,
        participant_id=participant_id,
        day=start.date(),
        start_at=start,
        mode="day_ahead",
        direction="peak",
        status="ok",
        baseline_type="workday",
        baseline_days=[],
        awarded_kw=Decimal(100),
        response_kw=zero,
        response_ratio=zero,
        effective=False,
        non_execution=True,
        score=zero,
        price=Decimal(3),
        coefficient=Decimal(1),
        subsidy_cny=zero,
        month_non_executions=0,
        suspended=False,
        rank_score=Decimal(1),
        curves={},
        evaluated_at=at,
    )
