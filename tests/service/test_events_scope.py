"""An event's scope names only places the platform knows (issue #10 §2), on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

from events_support import create, event_body, power_user, substation
from service_api import Api

START = dt.datetime(2025, 7, 2, 10, 0)


def test_unknown_substations_and_feeders_are_refused_by_name(api: Api) -> None:
    api.clock.set(dt.datetime(2025, 6, 30, 8, 0))
    known = substation()
    power_user(api, known, feeder="F77")
    end = START + dt.timedelta(hours=1)
    body = event_body(START, end, known)
    body["scope"] = {"substations": [known, "不存在站", "另一不存在站"]}
    refused = api.client.post("/api/events", json=body, headers=api.grid)
    assert refused.status_code == 422, refused.text
    (error,) = refused.json()["detail"]
    assert error["loc"] == ["body", "scope", "substations"]
    chinese, english = error["msg"].split(" / ")
    assert chinese == "范围中的变电站不存在于已登记户号：不存在站、另一不存在站"
    assert "unknown substations" in english and "不存在站" in english
    body["scope"] = {"substations": [known], "feeders": ["F77", "F99"]}
    refused = api.client.post("/api/events", json=body, headers=api.grid)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "scope", "feeders"]
    assert "F99" in refused.json()["detail"][0]["msg"]
    assert "F77" not in refused.json()["detail"][0]["msg"]
    body["scope"] = {"substations": [known], "feeders": ["F77"]}
    created = create(api, body)
    assert created["scope"] == {"substations": [known], "feeders": ["F77"]}
