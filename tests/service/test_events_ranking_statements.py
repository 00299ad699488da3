"""Ranking and the plan send a bounded number of SQL statements, however many bids there are.

The scheduler's work at bidding close — standings, baselines, the ranking on every bid, an award
and an audit row per accepted bid, a plan per award — is written in bulk, so ranking 40 bids
takes (within a small constant) the statements of ranking 10. Counted statements do not depend
on the machine's load, unlike a time.
"""

from __future__ import annotations

import datetime as dt

from events_support import bid, create, event_body, power_user, store_meter_days, substation
from service_api import Api

from gzkit.db import count_statements
from gzvpp.events.scheduler import run_due

T = dt.datetime
#: Statements that may differ between the two rankings (none expected; a little slack for a
#: query chunked by participants crossing a boundary).
SLACK = 2


def test_ranking_statements_do_not_grow_with_the_bids(api: Api) -> None:
    station = substation()
    members = [power_user(api, station) for _ in range(40)]
    history = [dt.date(2025, 7, 28) - dt.timedelta(days=k) for k in range(2, 12)]
    for member in members:
        store_meter_days(api, member.accounts[0], history, 900.0)
    api.clock.set(T(2025, 7, 28, 8, 0))
    # 500 kW bids against 2000 and 8000 kW: 6 of 10 and 24 of 40 fill the 150 % reserve.
    small = create(
        api, event_body(T(2025, 7, 29, 14), T(2025, 7, 29, 15), station, demand_kw="2000")
    )["id"]
    large = create(
        api, event_body(T(2025, 7, 30, 14), T(2025, 7, 30, 15), station, demand_kw="8000")
    )["id"]
    for member in members[:10]:
        assert bid(api, small, member, "500").status_code == 201
    for member in members:
        assert bid(api, large, member, "500").status_code == 201

    engine = api.app.state.engine
    factory = api.app.state.sessionmaker
    counts: dict[int, int] = {}
    for bids, event_id, close in ((10, small, T(2025, 7, 28, 11)), (40, large, T(2025, 7, 29, 11))):
        with count_statements(engine) as statements:
            actions = run_due(factory, close)
        assert actions[0].startswith(f"{event_id}: ranked {bids} bids (0 excluded), accepted")
        assert actions[1] == f"{event_id}: plan sent to {bids * 6 // 10} participants"
        counts[bids] = statements[0]
    assert counts[40] - counts[10] <= SLACK, counts
