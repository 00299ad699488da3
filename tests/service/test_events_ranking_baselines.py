"""The baselines of the awards and plans at bidding close: the invitation's where nothing they
were computed from changed since it was published, computed again where something did.

D = Tue 2025-07-08, published Mon 07-07 08:00; D-2 is a Sunday, so the workday candidates
counted back are 07-04, 07-03, 07-02, 07-01, 06-30, 06-27 …
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import sqlalchemy
from events_support import (
    Member,
    bid,
    create,
    event_body,
    items,
    notifications,
    past_award,
    power_user,
    store_meter_days,
    substation,
    tick,
)
from service_api import Api

from gzvpp.core.grid import INTERVALS_PER_DAY

T = dt.datetime
WORKDAYS = [dt.date(2025, 7, d) for d in (4, 3, 2, 1)] + [dt.date(2025, 6, 30)]


def told(api: Api, member: Member, event_id: str, kind: str) -> dict[str, Any]:
    found = notifications(api, member, event_id=event_id, kind=kind)
    assert len(found) == 1, found
    baseline: dict[str, Any] = found[0]["payload"]["baseline"]
    return baseline


def upload_day(api: Api, folder: Path, account: str, day: dt.date, kw: float) -> None:
    """A flat day of ``kw`` for ``account``, uploaded by the metering system (audited)."""
    path = folder / f"{account}-{day}.csv"
    stamps = [T.combine(day, dt.time()) + dt.timedelta(minutes=15 * k) for k in range(96)]
    assert len(stamps) == INTERVALS_PER_DAY
    path.write_text(
        "account_id,ts,kw\n" + "".join(f"{account},{t:%Y-%m-%d %H:%M},{kw}\n" for t in stamps)
    )
    with path.open("rb") as stream:
        response = api.client.post(
            "/api/meterdata/loads:upload", files={"file": (path.name, stream)}, headers=api.metering
        )
    assert response.status_code == 200, response.text


def test_awards_keep_the_invitation_baseline_unless_its_inputs_changed(
    api: Api, tmp_path: Path
) -> None:
    station = substation()
    steady, uploaded, responded = (power_user(api, station) for _ in range(3))
    for member in (steady, uploaded):
        store_meter_days(api, member.accounts[0], [*WORKDAYS[1:], dt.date(2025, 6, 27)], 1000.0)
    store_meter_days(api, responded.accounts[0], WORKDAYS, 1000.0)
    store_meter_days(api, responded.accounts[0], [dt.date(2025, 6, 26)], 1500.0)
    api.clock.set(T(2025, 7, 7, 8, 0))
    event_id = create(
        api, event_body(T(2025, 7, 8, 10), T(2025, 7, 8, 11), station, demand_kw="1000")
    )["id"]
    flat = {"type": "workday", "kw": [1000.0] * 4, "available": True}
    for member in (steady, uploaded, responded):
        assert told(api, member, event_id, "invitation") == flat

    api.clock.set(T(2025, 7, 7, 9, 0))
    # After the invitation: 07-04 arrives for ``uploaded`` (it takes 06-27's place), and a
    # response on 07-03 is recorded for ``responded`` (06-26 takes its place; it has no 06-27).
    upload_day(api, tmp_path, uploaded.accounts[0], WORKDAYS[0], 2000.0)
    past_award(api, responded, T(2025, 7, 3, 10))
    for member in (steady, uploaded, responded):
        assert bid(api, event_id, member, "500").status_code == 201

    api.clock.set(T(2025, 7, 7, 11, 0))
    done = [a for a in tick(api) if a.startswith(event_id)]
    assert "plan sent to 3" in done[1], done
    expected = {
        steady.id: [1000.0] * 4,
        uploaded.id: [1200.0] * 4,  # (2000 + 4 × 1000) / 5
        responded.id: [1100.0] * 4,  # (4 × 1000 + 1500) / 5
    }
    awards = items(api, f"/api/events/{event_id}/awards", api.grid)
    assert {a["participant_id"]: a["baseline"] for a in awards} == expected
    for member in (steady, uploaded, responded):
        plan = told(api, member, event_id, "plan")
        assert plan == {"type": "workday", "kw": expected[member.id], "available": True}


def test_unchanged_inputs_keep_every_invitation_baseline(api: Api) -> None:
    station = substation()
    members = [power_user(api, station) for _ in range(4)]
    # A week later than the test above, after its upload (an upload since publication of a
    # day the baselines read would have every baseline computed again).
    week = dt.timedelta(days=7)
    for n, member in enumerate(members[:3]):
        store_meter_days(api, member.accounts[0], [d + week for d in WORKDAYS], 1000.0 + 100 * n)
    api.clock.set(T(2025, 7, 14, 8, 0))
    event_id = create(
        api, event_body(T(2025, 7, 15, 10), T(2025, 7, 15, 11), station, demand_kw="2000")
    )["id"]
    invited = {m.id: told(api, m, event_id, "invitation") for m in members}
    api.clock.set(T(2025, 7, 14, 9, 0))
    for member in members:
        assert bid(api, event_id, member, "500").status_code == 201
    api.clock.set(T(2025, 7, 14, 11, 0))
    sent: list[str] = []

    def note(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    sqlalchemy.event.listen(api.app.state.engine, "before_cursor_execute", note)
    try:
        tick(api)
    finally:
        sqlalchemy.event.remove(api.app.state.engine, "before_cursor_execute", note)
    # The ranking ran (PostgreSQL takes the awards by COPY).
    assert any(s.startswith(("INSERT INTO awards", "COPY awards")) for s in sent)
    assert not [statement for statement in sent if "meter_days" in statement]  # none read again
    awards = items(api, f"/api/events/{event_id}/awards", api.grid)
    assert len(awards) == 4
    for award in awards:
        told_kw = invited[award["participant_id"]]["kw"]
        assert (award["baseline_type"], award["baseline"]) == ("workday", told_kw)
    assert [invited[m.id]["kw"] for m in members] == [
        [1000.0] * 4,
        [1100.0] * 4,
        [1200.0] * 4,
        None,
    ]
