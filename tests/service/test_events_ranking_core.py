"""A sizeable invitation ranked by the scheduler gives the pure core ranking's result.

The scheduler stores the ranking in bulk (one UPDATE of the bids, one INSERT of the awards);
this checks, for 80 bids that need every criterion of 第八条 C — price ties, real-time
capability, rank scores lowered by a past non-execution, arrival order — that what it stores
(places, acceptance, awards) is exactly what :func:`gzvpp.core.ranking.rank_bids` decides from
the same bids as the test placed them.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from events_support import Member, bid, create, event_body, past_award, power_user, substation
from service_api import Api

from gzvpp.core.ranking import Bid as CoreBid
from gzvpp.core.ranking import rank_bids
from gzvpp.events.scheduler import run_due

T = dt.datetime
BIDDERS = 80
DEMAND = Decimal(12000)


def all_pages(api: Api, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list endpoint, as the grid operator, page by page."""
    found: list[dict[str, Any]] = []
    while True:
        response = api.client.get(
            path, params={"limit": 100, "page": len(found) // 100 + 1, **params}, headers=api.grid
        )
        assert response.status_code == 200, response.text
        body = response.json()
        found.extend(body["items"])
        if len(found) >= body["pagination"]["total_count"]:
            return found


def test_stored_ranking_is_the_core_ranking(api: Api) -> None:
    rng = random.Random(12)
    station = substation()
    api.clock.set(T(2025, 8, 1, 8, 0))
    members: list[tuple[Member, bool, Decimal]] = []
    for i in range(BIDDERS):
        realtime = i % 5 == 0
        extra = (
            {"realtime_capable": True, "minute_monitoring": True, "realtime_capability_kw": "300"}
            if realtime
            else {}
        )
        member = power_user(api, station, **extra)
        scored = i % 3 == 0
        if scored:  # a non-execution last month: rank score 0 instead of the first-time 1
            past_award(api, member, T(2025, 7, 10, 14), non_execution=True)
        members.append((member, realtime, Decimal(0) if scored else Decimal(1)))

    body = event_body(
        T(2025, 8, 5, 14), T(2025, 8, 5, 16), station, price_mode="bidding", demand_kw=str(DEMAND)
    )
    del body["fixed_price"]
    api.clock.set(T(2025, 8, 4, 8, 0))
    event_id = create(api, body)["id"]

    expected: list[CoreBid] = []
    order = list(members)
    rng.shuffle(order)
    for n, (member, realtime, score) in enumerate(order):
        # Arrivals 7 s apart: criterion d always decides before the bid id would.
        api.clock.set(T(2025, 8, 4, 9, 0) + dt.timedelta(seconds=7 * n))
        kw = Decimal(rng.randrange(100, 801, 50))
        price = rng.choice([Decimal("2.5"), Decimal("3"), Decimal("3.5")])  # many ties on a
        response = bid(api, event_id, member, str(kw), str(price))
        assert response.status_code == 201, response.text
        expected.append(
            CoreBid(
                bid_id=str(response.json()["id"]),
                participant_id=member.id,
                kw=kw,
                price=price,
                realtime_capable=realtime,
                rank_score=score,
                received_at=api.clock.now(),
            )
        )
    core = rank_bids(expected, DEMAND, bidding=True)
    accepted = [r for r in core.ranked if r.accepted]
    assert 0 < len(accepted) < BIDDERS  # the reserve cuts the list: acceptance is tested too

    api.clock.set(T(2025, 8, 4, 11, 0))
    factory = api.app.state.sessionmaker
    actions = run_due(factory, api.clock.now())
    assert actions[0].startswith(f"{event_id}: ranked {BIDDERS} bids (0 excluded)"), actions

    stored = all_pages(api, "/api/bids", event_id=event_id)
    assert sorted((b["place"], b["participant_id"], b["accepted"]) for b in stored) == [
        (r.place, r.bid.participant_id, r.accepted) for r in core.ranked
    ]
    awards = all_pages(api, "/api/awards", event_id=event_id)
    assert sorted((a["place"], a["participant_id"], Decimal(a["kw"])) for a in awards) == [
        (r.place, r.bid.participant_id, r.bid.kw) for r in accepted
    ]
    detail = api.client.get(f"/api/events/{event_id}", headers=api.grid).json()
    assert Decimal(detail["accepted_kw"]) == core.accepted_kw
    assert detail["shortfall"] is core.shortfall
