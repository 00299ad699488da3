"""Settlement data belongs to the metering system (第九条), on SQLite and PostgreSQL: a
participant cannot move its own result, its minute telemetry never feeds settlement, and a
correction after publication needs a reason and reopens the result visibly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from meter_scenario import (
    add_event,
    cut,
    days_between,
    enrol_user,
    flat_loads,
    load_frame,
    store_system_load,
    upload,
    upload_ok,
    write,
)
from service_api import Api
from sqlalchemy import select

from gzvpp.kit.auth import TOKEN_COOKIE
from gzvpp.meterdata.repository import decode_day
from gzvpp.models import MeterDay, Telemetry

D = dt.date(2025, 7, 15)  # a Tuesday; the system load runs 10 % high (factor 1.1)
DAYS = days_between(dt.date(2025, 6, 10), D)


def result(api: Api, event_id: str, participant_id: str) -> dict[str, Any]:
    response = api.client.get(
        f"/api/results/events/{event_id}/participants/{participant_id}", headers=api.grid
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def window_csv(tmp_path: Path, account: str, kw: float) -> Path:
    """Readings of 14:00–16:00 on D at ``kw``."""
    path = tmp_path / "window.csv"
    rows = [f"{account},{D} {14 + k // 4:02d}:{15 * (k % 4):02d},{kw}" for k in range(8)]
    path.write_text("account_id,ts,kw\n" + "\n".join(rows) + "\n")
    return path


def stored_day(api: Api, account: str) -> np.ndarray[Any, Any]:
    with api.session() as session:
        blob = session.scalar(
            select(MeterDay.kw).where(MeterDay.account_id == account, MeterDay.day == D)
        )
    assert blob is not None
    return decode_day(blob)


def test_settlement_data_comes_from_the_metering_side_only(api: Api, tmp_path: Path) -> None:
    user = enrol_user(api, name="某铸造厂")
    account = user.accounts[0]
    event = add_event(api, D, "14:00", "16:00", [(user, "550", None)])
    store_system_load(api, DAYS)
    api.clock.set(dt.datetime(2025, 7, 16, 9, 0))
    loads = {account: cut(flat_loads(DAYS, 1000), DAYS, D, event.window, 400)}
    summary = upload_ok(api, write(load_frame(loads, DAYS), tmp_path))
    assert [r["outcome"] for r in summary["evaluations"]] == ["evaluated"]
    published = result(api, event.id, user.id)
    assert (published["response_kw"], published["subsidy_cny"]) == ("700.000", "4620.00")
    assert published["history"] == []
    before = stored_day(api, account)

    # The power user sends 800 kW over its own past window (the attack): refused.
    refused = upload(api, window_csv(tmp_path, account, 100), user.headers)
    assert refused.status_code == 403
    assert "计量自动化系统" in refused.json()["detail"]
    np.testing.assert_array_equal(stored_day(api, account), before)

    # Its minute telemetry (第八条) goes to monitoring; settlement never reads it.
    with api.session() as session:
        for minute in range(120):
            session.add(
                Telemetry(
                    event_id=event.id,
                    participant_id=user.id,
                    resource="meter-1",
                    at=dt.datetime.combine(D, dt.time(14)) + dt.timedelta(minutes=minute),
                    kw=Decimal(0),
                    source="openadr3",
                    received_at=api.clock.now(),
                )
            )
    forced = api.client.post(f"/api/results/events/{event.id}:evaluate", headers=api.grid)
    assert forced.json()["outcome"] == "unchanged"
    assert result(api, event.id, user.id)["subsidy_cny"] == "4620.00"

    # The metering system corrects the window: without a reason the correction is refused.
    fix = window_csv(tmp_path, account, 800)
    missing = upload(api, fix, api.metering)
    assert missing.status_code == 422
    [error] = missing.json()["detail"]
    assert error["loc"] == ["body", "reason"]
    assert event.id in error["msg"] and "更正原因" in error["msg"]
    np.testing.assert_array_equal(stored_day(api, account), before)

    api.clock.set(dt.datetime(2025, 7, 18, 10, 0))
    corrected = upload_ok(api, fix, reason="表计 CT 变比错误，按换表记录更正")
    assert corrected["changed_values"] == 8
    assert corrected["evaluations"] == [
        {"event_id": event.id, "outcome": "evaluated", "detail": None}
    ]
    reopened = result(api, event.id, user.id)
    assert (reopened["response_kw"], reopened["subsidy_cny"]) == ("300.000", "0.00")
    [revision] = reopened["history"]
    assert revision["revised_at"] == "2025-07-18T10:00:00"
    assert revision["actor"].startswith("metering#")
    assert revision["reason"] == "表计 CT 变比错误，按换表记录更正"
    assert revision["source"] == "meter_data.upload window.csv"
    assert (revision["before"]["subsidy_cny"], revision["after"]["subsidy_cny"]) == (
        "4620.00",
        "0.00",
    )
    assert (revision["before"]["actual_avg_kw"], revision["after"]["actual_avg_kw"]) == (
        "400.000",
        "800.000",
    )

    # The quarter's publicity list flags the participant and lists the revision.
    publicity = api.client.get(
        "/api/settlement/quarters/2025Q3/publicity", headers=api.regulator
    ).json()
    [entry] = [e for e in publicity["entries"] if e["participant_id"] == user.id]
    assert entry["corrections"] == 1
    assert [c["event_id"] for c in publicity["corrections"] if c["participant_id"] == user.id] == [
        event.id
    ]
    token = api.grid["Authorization"].removeprefix("Bearer ")
    page = api.client.get(
        "/console/settlement", params={"quarter": "2025Q3"}, cookies={TOKEN_COOKIE: token}
    )
    assert page.status_code == 200
    assert "某铸造厂 <span" in page.text and "已更正 1 次" in page.text


def test_the_metering_identity_has_no_console(api: Api) -> None:
    token = api.metering["Authorization"].removeprefix("Bearer ")
    login = api.client.post(
        "/console/login",
        data={"token": token},
        headers={"Origin": "http://testserver"},  # from the sign-in page itself
        follow_redirects=False,
    )
    assert login.status_code == 401
    page = api.client.get(
        "/console/overview", cookies={TOKEN_COOKIE: token}, follow_redirects=False
    )
    assert page.status_code == 303
