"""Who may do what with events (R2): each role reaches only what it may."""

from __future__ import annotations

import datetime as dt

from events_support import (
    bid,
    create,
    event_body,
    items,
    known_substation,
    notifications,
    power_user,
    substation,
    tick,
)
from service_api import Api

T = dt.datetime


def test_each_role_reaches_only_what_it_may(api: Api) -> None:
    station = substation()
    mine, other = power_user(api, station), power_user(api, station)
    api.clock.set(T(2025, 7, 21, 8, 0))
    body = event_body(T(2025, 7, 22, 10), T(2025, 7, 22, 11), station)
    event_id = create(api, body)["id"]
    path = f"/api/events/{event_id}"

    assert api.client.get(path).status_code == 401
    for headers in (api.regulator, mine.headers):
        assert api.client.post("/api/events", json=body, headers=headers).status_code == 403
        assert (
            api.client.post(f"{path}/cancel", json={"reason": "x"}, headers=headers).status_code
            == 403
        )
        assert api.client.post("/api/admin/tick", headers=headers).status_code == 403
        assert api.client.get(path, headers=headers).status_code == 200
    assert api.client.get(f"{path}/ranking", headers=api.regulator).status_code == 200
    assert api.client.get(f"{path}/ranking", headers=mine.headers).status_code == 403
    assert api.client.get("/api/events/DR19990101-01", headers=api.grid).status_code == 404

    # Bids: a participant for itself only; the operator on a participant's behalf.
    assert (
        api.client.post(f"{path}/bids", json={"kw": "100"}, headers=api.regulator).status_code
        == 403
    )
    for_other = api.client.post(
        f"{path}/bids", json={"kw": "100", "participant_id": other.id}, headers=mine.headers
    )
    assert for_other.status_code == 404
    unnamed = api.client.post(f"{path}/bids", json={"kw": "100"}, headers=api.grid)
    assert unnamed.status_code == 422
    assert unnamed.json()["detail"][0]["loc"] == ["body", "participant_id"]
    on_behalf = api.client.post(
        f"{path}/bids", json={"kw": "300", "participant_id": other.id}, headers=api.grid
    )
    assert on_behalf.status_code == 201 and on_behalf.json()["participant_id"] == other.id
    assert bid(api, event_id, mine, "400").status_code == 201

    assert {b["participant_id"] for b in items(api, f"{path}/bids", api.grid)} == {
        mine.id,
        other.id,
    }
    assert [b["participant_id"] for b in items(api, f"{path}/bids", mine.headers)] == [mine.id]
    assert [b["participant_id"] for b in items(api, "/api/bids", mine.headers)] == [mine.id]
    other_bids = api.client.get(
        "/api/bids", params={"participant_id": other.id}, headers=mine.headers
    )
    assert other_bids.status_code == 404

    api.clock.set(T(2025, 7, 21, 11, 0))
    tick(api)
    assert [a["participant_id"] for a in items(api, f"{path}/awards", mine.headers)] == [mine.id]
    assert len(items(api, f"{path}/awards", api.regulator)) == 2

    # Notifications: a participant reads and acknowledges its own only.
    own = notifications(api, mine, event_id=event_id)
    assert {n["participant_id"] for n in own} == {mine.id}
    theirs = notifications(api, other, event_id=event_id)[0]["id"]
    assert (
        api.client.post(f"/api/notifications/{theirs}/read", headers=mine.headers).status_code
        == 404
    )
    assert api.client.post(f"/api/notifications/{theirs}/read", headers=api.grid).status_code == 403
    read = api.client.post(f"/api/notifications/{own[0]['id']}/read", headers=mine.headers)
    assert read.status_code == 200 and read.json()["read_at"] == "2025-07-21T11:00:00"
    unread = notifications(api, mine, event_id=event_id, unread=True)
    assert own[0]["id"] not in {n["id"] for n in unread}
    everyone = items(api, "/api/notifications", api.regulator, event_id=event_id)
    assert {n["participant_id"] for n in everyone} == {mine.id, other.id}


def test_event_list_filters(api: Api) -> None:
    api.clock.set(T(2025, 9, 1, 8, 0))
    station = known_substation(api)
    day_ahead = create(api, event_body(T(2025, 9, 2, 10), T(2025, 9, 2, 11), station))["id"]
    valley = create(
        api,
        event_body(
            T(2025, 9, 2, 3), T(2025, 9, 2, 4), station, direction="valley", fixed_price="1.5"
        ),
    )["id"]
    listed = items(api, "/api/events", api.regulator, day_from="2025-09-02", day_to="2025-09-02")
    assert [e["id"] for e in listed] == [day_ahead, valley]  # latest start first
    valleys = items(api, "/api/events", api.grid, direction="valley", day_from="2025-09-02")
    assert [e["id"] for e in valleys] == [valley]
    bad = api.client.get("/api/events", params={"sorting": "name"}, headers=api.grid)
    assert bad.status_code == 422
