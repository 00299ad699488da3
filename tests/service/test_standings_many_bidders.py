"""Standings and names of more participants than SQLite binds in one statement (32,766).

An invitation may draw more bidders than that; the ranking reads their standings (rank score,
month's non-executions) and, for the ranking's view, their names. Each list of ids is sent a
few hundred per query, so that none fails with "too many SQL variables", and a participant
far down the list is read as it would be alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from events_support import past_award, power_user, substation
from service_api import Api

from gzvpp.events.repository import EventRepository
from gzvpp.settlement.standing import Standing, standings

T = dt.datetime
MANY = 33_000


def test_standings_and_names_of_more_ids_than_sqlite_binds(api: Api) -> None:
    member = power_user(api, substation())
    api.clock.set(T(2025, 7, 20, 8, 0))
    past_award(api, member, T(2025, 7, 10, 14), non_execution=True)
    # Ids of participants never enrolled read as a first-timer's standing, and the real one
    # comes last, in the last query.
    ids = [f"X{i:06d}" for i in range(MANY)] + [member.id]
    with api.session() as session:
        found = standings(session, ids, api.clock.now())
        names = EventRepository(session).participants(set(ids))
    assert len(found) == MANY + 1
    assert found[member.id] == Standing(Decimal(0), 1, False)
    assert found["X032999"] == Standing(Decimal(1), 0, False)
    assert list(names) == [member.id]
