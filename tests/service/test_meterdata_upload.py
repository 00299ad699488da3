"""Meter data uploads (files and JSON), merging, audit and scoping, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from meter_scenario import (
    days_between,
    enrol_aggregator,
    enrol_user,
    load_frame,
    noisy_loads,
    system_frame,
    upload,
    upload_ok,
    write,
)
from service_api import Api
from sqlalchemy import func, select

from gzvpp.meterdata.repository import decode_day
from gzvpp.models import AuditLog, MeterDay, SystemLoadDay

FIRST, LAST = dt.date(2025, 3, 3), dt.date(2025, 3, 5)
DAYS = days_between(FIRST, LAST)


def audit_count(api: Api, action: str = "meter_data.upload") -> int:
    with api.session() as session:
        return session.scalar(select(func.count()).where(AuditLog.action == action)) or 0


def stored(api: Api, account_id: str) -> dict[dt.date, np.ndarray[Any, Any]]:
    with api.session() as session:
        rows = session.execute(
            select(MeterDay.day, MeterDay.kw).where(MeterDay.account_id == account_id)
        )
        return {day: decode_day(blob) for day, blob in rows}


def read_back(
    api: Api, account_id: str, headers: dict[str, str], start: str, end: str
) -> list[dict[str, Any]]:
    response = api.client.get(
        "/api/meterdata/loads",
        params={"account_id": account_id, "from": start, "to": end},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    points: list[dict[str, Any]] = response.json()["points"]
    return points


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_upload_file_stores_days_and_reads_back(api: Api, tmp_path: Path, suffix: str) -> None:
    user = enrol_user(api)
    aggregator = enrol_aggregator(api)
    loads = {
        a: noisy_loads(DAYS, seed=i) for i, a in enumerate((*user.accounts, *aggregator.accounts))
    }
    before = audit_count(api)
    summary = upload_ok(api, write(load_frame(loads, DAYS), tmp_path, suffix))
    assert summary == {
        "source": summary["source"],
        "series": 4,
        "days": 3,
        "values": 4 * 3 * 96,
        "new_values": 4 * 3 * 96,
        "changed_values": 0,
        "unchanged_values": 0,
        "negative_values": 0,
        "evaluations": [],
        "job": {"id": summary["job"]["id"], "status": "done"},  # in-process: done before answering
    }
    assert summary["source"].endswith(suffix)
    assert audit_count(api) == before + 1
    for account, values in loads.items():
        days = stored(api, account)
        assert sorted(days) == [FIRST, dt.date(2025, 3, 4), LAST]
        np.testing.assert_array_equal(np.stack([days[d] for d in sorted(days)]), values)

    points = read_back(api, user.accounts[0], api.grid, "2025-03-04T23:30:00", "2025-03-05T00:30")
    assert [p["ts"] for p in points] == [
        "2025-03-04T23:30:00",
        "2025-03-04T23:45:00",
        "2025-03-05T00:00:00",
        "2025-03-05T00:15:00",
    ]
    account_loads = loads[user.accounts[0]]
    assert [p["kw"] for p in points] == [*account_loads[1, 94:], *account_loads[2, :2]]
    # Before the data starts there is no reading.
    assert read_back(api, user.accounts[0], api.grid, "2025-03-02T23:45", "2025-03-03T00:15") == [
        {"ts": "2025-03-02T23:45:00", "kw": None},
        {"ts": "2025-03-03T00:00:00", "kw": float(account_loads[0, 0])},
    ]


@pytest.mark.parametrize(
    ("where", "text", "reason"),
    [
        ("第 3 行 kw 列：", "{account},2025-03-03 00:15,abc", "'abc' 不是数字"),
        ("第 3 行 ts 列：", "{account},2025-03-03 00:10,5", "不在 15 分钟整刻上"),
        ("第 3 行：", "{account},2025-03-03 00:00,5", "重复"),
        ("第 3 行 ts 列：", "{account},yesterday,5", "不是时间"),
        ("第 3 行 account_id 列：", ",2025-03-03 00:15,5", "为空"),
    ],
)
def test_bad_row_is_refused_naming_the_line(
    api: Api, tmp_path: Path, where: str, text: str, reason: str
) -> None:
    user = enrol_user(api)
    account = user.accounts[0]
    path = tmp_path / "meter.csv"
    path.write_text(
        "account_id,ts,kw\n"
        f"{account},2025-03-03 00:00,100\n"
        f"{text.format(account=account)}\n"
        f"{account},2025-03-03 00:30,100\n"
    )
    before = audit_count(api)
    response = upload(api, path, api.grid)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "file"]
    assert error["msg"].startswith(f"meter.csv {where}")
    assert reason in error["msg"]
    assert stored(api, account) == {}
    assert audit_count(api) == before


def test_missing_column_and_unsupported_type(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "meter.csv"
    path.write_text("account_id,time,kw\n1,2025-03-03 00:00,1\n")
    response = upload(api, path, api.grid)
    assert response.status_code == 422
    assert "meter.csv 第 1 行：缺少列 'ts'" in response.json()["detail"][0]["msg"]

    other = tmp_path / "meter.xlsx"
    other.write_bytes(b"not a table")
    response = upload(api, other, api.grid)
    assert response.status_code == 422
    assert "meter.xlsx：不支持的文件类型 '.xlsx'" in response.json()["detail"][0]["msg"]


def test_same_upload_twice_changes_nothing(api: Api, tmp_path: Path) -> None:
    user = enrol_user(api)
    path = write(load_frame({user.accounts[0]: noisy_loads(DAYS, seed=7)}, DAYS), tmp_path)
    upload_ok(api, path)
    with api.session() as session:
        stamps = set(
            session.scalars(
                select(MeterDay.updated_at).where(MeterDay.account_id == user.accounts[0])
            )
        )
    before = audit_count(api)
    api.clock.advance(dt.timedelta(minutes=5))

    again = upload_ok(api, path)
    assert (again["new_values"], again["changed_values"], again["unchanged_values"]) == (0, 0, 288)
    assert audit_count(api) == before
    with api.session() as session:
        assert (
            set(
                session.scalars(
                    select(MeterDay.updated_at).where(MeterDay.account_id == user.accounts[0])
                )
            )
            == stamps
        )


def test_corrected_value_replaces_the_old_and_is_audited(api: Api, tmp_path: Path) -> None:
    user = enrol_user(api)
    account = user.accounts[0]
    values = noisy_loads(DAYS, seed=11)
    upload_ok(api, write(load_frame({account: values}, DAYS), tmp_path))

    # A partial correction: two intervals of the second day, one with the same value.
    path = tmp_path / "fix.csv"
    path.write_text(
        "account_id,ts,kw\n"
        f"{account},2025-03-04 10:00,1234.5\n"
        f"{account},2025-03-04 10:15,{float(values[1, 41])!r}\n"
    )
    summary = upload_ok(api, path)
    assert (summary["new_values"], summary["changed_values"], summary["unchanged_values"]) == (
        0,
        1,
        1,
    )
    day = stored(api, account)[dt.date(2025, 3, 4)]
    assert day[40] == 1234.5
    np.testing.assert_array_equal(np.delete(day, 40), np.delete(values[1], 40))

    with api.session() as session:
        last = session.scalars(
            select(AuditLog)
            .where(AuditLog.action == "meter_data.upload")
            .order_by(AuditLog.id.desc())
            .limit(1)
        ).one()
    assert last.entity == "meter_days"
    assert last.entity_id == "2025-03-04..2025-03-04"
    assert last.before == {
        "changed": [{"account_id": account, "ts": "2025-03-04T10:00:00", "kw": values[1, 40]}]
    }
    assert last.after is not None
    assert last.after["changed"] == [
        {"account_id": account, "ts": "2025-03-04T10:00:00", "kw": 1234.5}
    ]
    assert (last.after["source"], last.after["changed_values"]) == ("fix.csv", 1)


def test_unknown_accounts_are_refused_with_the_list(api: Api, tmp_path: Path) -> None:
    user = enrol_user(api)
    strangers = sorted([api.account_id(), api.account_id()])
    loads = {a: noisy_loads(DAYS, seed=1) for a in (user.accounts[0], *strangers)}
    response = upload(api, write(load_frame(loads, DAYS), tmp_path), api.grid)
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert f"not held by any participant: {strangers[0]}, {strangers[1]};" in message
    assert stored(api, user.accounts[0]) == {}


def test_system_load_upload(api: Api, tmp_path: Path) -> None:
    days = days_between(dt.date(2025, 2, 3), dt.date(2025, 2, 4))
    path = write(system_frame(days), tmp_path, ".parquet")
    summary = upload_ok(api, path, system=True)
    assert (summary["series"], summary["values"], summary["new_values"]) == (1, 192, 192)
    with api.session() as session:
        rows = dict(
            session.execute(
                select(SystemLoadDay.day, SystemLoadDay.mw).where(
                    SystemLoadDay.day.between(dt.date(2025, 2, 3), dt.date(2025, 2, 4))
                )
            ).all()
        )
    assert len(rows) == 2
    assert set(decode_day(rows[dt.date(2025, 2, 3)]).tolist()) == {20_000.0}
    assert upload_ok(api, path, system=True)["unchanged_values"] == 192

    user = enrol_user(api)
    assert upload(api, path, user.headers, system=True).status_code == 403
    assert upload(api, path, api.regulator, system=True).status_code == 403
    bad = tmp_path / "system.csv"
    bad.write_text("ts,mw\n2025-02-03 00:00,1\n2025-02-03 00:15,\n")
    response = upload(api, bad, api.grid, system=True)
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "system.csv 第 3 行 mw 列：为空"


def test_participants_may_not_send_settlement_data(api: Api, tmp_path: Path) -> None:
    """第九条: 负荷数据来源于用户计量自动化系统 — a participant's own upload is refused, even of
    its own accounts, as file or JSON, before the body is read; the metering identity sends."""
    owner = enrol_aggregator(api)
    user = enrol_user(api)
    mine = {a: noisy_loads(DAYS, seed=3) for a in owner.accounts}
    path = write(load_frame(mine, DAYS), tmp_path)
    for headers in (owner.headers, user.headers, api.regulator):
        refused = upload(api, path, headers)
        assert refused.status_code == 403
        assert "计量自动化系统" in refused.json()["detail"]
        assert "metering" in refused.json()["detail"]
        json_refused = api.client.post(
            "/api/meterdata/loads",
            json={"readings": [{"account_id": owner.accounts[0], "ts": "2025-03-03", "kw": 1}]},
            headers=headers,
        )
        assert json_refused.status_code == 403
    assert all(stored(api, a) == {} for a in owner.accounts)

    summary = upload(api, path, api.metering)
    assert summary.status_code == 200, summary.text
    assert summary.json()["new_values"] == 3 * 288
    # The metering identity is for meter data alone.
    assert api.client.get("/api/participants", headers=api.metering).status_code == 403
    assert (
        api.client.get("/api/settlement/quarters/2025Q1", headers=api.metering).status_code == 403
    )


def test_participant_reads_only_its_own_accounts(api: Api, tmp_path: Path) -> None:
    owner = enrol_aggregator(api)
    other = enrol_user(api)
    mine = {a: noisy_loads(DAYS, seed=3) for a in owner.accounts}
    upload_ok(api, write(load_frame(mine, DAYS), tmp_path))

    params = {"account_id": other.accounts[0], "from": "2025-03-03", "to": "2025-03-04"}
    assert (
        api.client.get("/api/meterdata/loads", params=params, headers=owner.headers).status_code
        == 404
    )
    assert (
        api.client.get("/api/meterdata/loads", params=params, headers=api.regulator).status_code
        == 200
    )
    own = {"account_id": owner.accounts[1], "from": "2025-03-03", "to": "2025-03-04"}
    response = api.client.get("/api/meterdata/loads", params=own, headers=owner.headers)
    assert response.status_code == 200
    assert [p["kw"] for p in response.json()["points"]] == mine[owner.accounts[1]][0].tolist()
    assert response.json()["from"] == "2025-03-03T00:00:00"
    missing = {"account_id": api.account_id(), "from": "2025-03-03", "to": "2025-03-04"}
    assert (
        api.client.get("/api/meterdata/loads", params=missing, headers=api.grid).status_code == 404
    )


def test_read_range_is_checked(api: Api) -> None:
    user = enrol_user(api)
    base = {"account_id": user.accounts[0]}
    reversed_range = {**base, "from": "2025-03-04", "to": "2025-03-03"}
    too_long = {**base, "from": "2024-01-01", "to": "2025-03-03"}
    for params in (reversed_range, too_long):
        response = api.client.get("/api/meterdata/loads", params=params, headers=api.grid)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "to"]


def test_json_readings(api: Api) -> None:
    user = enrol_user(api)
    account = user.accounts[0]
    readings = [
        {"account_id": account, "ts": "2025-03-10T08:00:00", "kw": 500},
        {"account_id": account, "ts": "2025-03-10T08:15:00+08:00", "kw": "501.5"},
        # 00:30 UTC is 08:30 in Guangzhou.
        {"account_id": account, "ts": "2025-03-10T00:30:00Z", "kw": 502.25},
    ]
    response = api.client.post(
        "/api/meterdata/loads", json={"readings": readings}, headers=api.metering
    )
    assert response.status_code == 200, response.text
    assert response.json()["new_values"] == 3
    day = stored(api, account)[dt.date(2025, 3, 10)]
    assert day[32:35].tolist() == [500.0, 501.5, 502.25]
    assert np.isnan(np.delete(day, [32, 33, 34])).all()

    again = api.client.post("/api/meterdata/loads", json={"readings": readings}, headers=api.grid)
    assert again.json()["unchanged_values"] == 3


@pytest.mark.parametrize(
    ("bad", "loc", "text"),
    [
        ({"ts": "2025-03-10T08:05:00"}, ["body", "readings", 1, "ts"], "not on the 15-minute grid"),
        ({"ts": "2025-03-10T08:00:00"}, ["body", "readings", 1, "ts"], "also readings[0]"),
        ({"kw": "many"}, ["body", "readings", 1, "kw"], "valid number"),
        ({"kw": None}, ["body", "readings", 1, "kw"], ""),
        ({"extra": 1}, ["body", "readings", 1, "extra"], ""),
    ],
)
def test_json_readings_are_checked(
    api: Api, bad: dict[str, Any], loc: list[Any], text: str
) -> None:
    user = enrol_user(api)
    first = {"account_id": user.accounts[0], "ts": "2025-03-10T08:00:00", "kw": 1}
    second = {**first, "ts": "2025-03-10T08:15:00", **bad}
    response = api.client.post(
        "/api/meterdata/loads", json={"readings": [first, second]}, headers=api.grid
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == loc
    assert text in error["msg"]
    assert stored(api, user.accounts[0]) == {}


def test_upload_needs_a_token(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "meter.csv"
    path.write_text("account_id,ts,kw\n1,2025-03-03 00:00,1\n")
    assert upload(api, path, {}).status_code == 401
