"""The quarterly settlement (第九条 (四), 第十条): totals reconcile to the fen with the per-award
results, the publicity list, and the xlsx and CSV exports, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from meter_scenario import (
    Enrolled,
    add_event,
    cut,
    days_between,
    enrol_aggregator,
    enrol_user,
    flat_loads,
    load_frame,
    noisy_loads,
    system_frame,
    upload_ok,
    write,
)
from service_api import Api

from gzvpp.core.model import Mode
from gzvpp.core.timeseries import day_number
from gzvpp.models import EventStatus

DAYS = days_between(dt.date(2025, 6, 1), dt.date(2025, 10, 15))


@pytest.fixture(scope="module")
def scenario(api: Api, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Four participants and their events of 2025Q3 (and one of Q4), evaluated by one upload.

    U: two events, hand-checkable (4620.00 day-ahead; 3780.00 real-time); A: an aggregator;
    B: a bidder, and an event in Q4; N: three non-executions in August, so it is suspended.
    """
    folder = tmp_path_factory.mktemp("quarter")
    user, aggregator, bidder, idle = (
        enrol_user(api, name="甲钢铁厂"),
        enrol_aggregator(api, name="乙聚合商"),
        enrol_user(api, name="丙电子厂"),
        enrol_user(api, name="丁水泥厂"),
    )
    api.clock.set(dt.datetime(2025, 10, 20, 9, 0))
    d1, d3, q4 = dt.date(2025, 7, 15), dt.date(2025, 8, 12), dt.date(2025, 10, 14)
    e1 = add_event(api, d1, "14:00", "16:00", [(user, "550", None), (aggregator, "900", None)])
    e2 = add_event(
        api, d1, "10:00", "11:00", [(bidder, "400", "4.2")], mode=Mode.HOURS_AHEAD, fixed_price=None
    )
    e3 = add_event(api, d3, "15:00", "16:00", [(user, "300", None)], mode=Mode.REALTIME)
    idle_events = [
        add_event(api, dt.date(2025, 8, day), "14:00", "15:00", [(idle, "500", None)])
        for day in (5, 6, 7)
    ]
    e4 = add_event(api, q4, "10:00", "11:00", [(bidder, "400", None)])
    cancelled = add_event(
        api, dt.date(2025, 9, 9), "14:00", "16:00", [(user, "550", None)],
        status=EventStatus.CANCELLED,
    )  # fmt: skip

    own = cut(flat_loads(DAYS, 1000), DAYS, d1, e1.window, 400)
    loads = {user.accounts[0]: cut(own, DAYS, d3, e3.window, 600)}
    for i, account in enumerate(aggregator.accounts):
        values = noisy_loads(DAYS, seed=200 + i)
        values[day_number(d1) - int(DAYS[0]), 56:64] *= 0.6  # cuts 40 % in E1's window
        loads[account] = values
    loads[bidder.accounts[0]] = cut(flat_loads(DAYS, 800), DAYS, d1, e2.window, 500)
    loads[idle.accounts[0]] = flat_loads(DAYS, 1000)
    upload_ok(api, write(system_frame(DAYS), folder, ".parquet"), system=True)
    summary = upload_ok(api, write(load_frame(loads, DAYS), folder, ".parquet"))
    evaluated = {r["event_id"] for r in summary["evaluations"] if r["outcome"] == "evaluated"}
    q3 = [e1, e2, e3, *idle_events]
    assert evaluated == {e.id for e in [*q3, e4]}
    assert cancelled.id not in evaluated
    rows = []
    for event in q3:
        response = api.client.get(f"/api/results/events/{event.id}", headers=api.grid)
        rows += response.json()["items"]
    return {
        "user": user,
        "aggregator": aggregator,
        "bidder": bidder,
        "idle": idle,
        "results": rows,
    }


def report(api: Api, headers: dict[str, str], quarter: str = "2025Q3") -> dict[str, Any]:
    response = api.client.get(f"/api/settlement/quarters/{quarter}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_totals_reconcile_with_the_results(api: Api, scenario: dict[str, Any]) -> None:
    body = report(api, api.grid)
    rows = scenario["results"]
    assert (body["first_day"], body["last_day"]) == ("2025-07-01", "2025-09-30")
    totals = body["totals"]
    assert totals["subsidy_cny"] == str(sum(Decimal(r["subsidy_cny"]) for r in rows))
    assert totals["effective_energy_kwh"] == str(
        sum(Decimal(r["effective_energy_kwh"] or 0) for r in rows)
    )
    assert Decimal(totals["response_energy_kwh"]) == sum(
        Decimal(r["response_energy_kwh"] or 0) for r in rows
    )
    assert (totals["participants"], totals["events"], totals["awards"]) == (4, 6, 7)
    assert totals["effective_responses"] == sum(r["effective"] for r in rows)
    assert totals["non_executions"] == sum(r["non_execution"] for r in rows) == 3

    per: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        per[r["participant_id"]].append(r)
    for line in body["participants"]:
        mine = per[line["participant_id"]]
        assert line["events"] == len(mine)
        assert line["subsidy_cny"] == str(sum(Decimal(r["subsidy_cny"]) for r in mine))
        assert line["effective_responses"] == sum(r["effective"] for r in mine)
    assert sum(Decimal(p["subsidy_cny"]) for p in body["participants"]) == Decimal(
        totals["subsidy_cny"]
    )

    lines = {p["participant_id"]: p for p in body["participants"]}
    user = lines[scenario["user"].id]
    # 4620.00 day-ahead, and real-time: 400 kW against a 1000 kW baseline, capped at 360 kW,
    # 1 h × 3.5 CNY × 3 = 3780.00.
    assert (user["name"], user["kind"], user["events"]) == ("甲钢铁厂", "user", 2)
    assert (user["subsidy_cny"], user["effective_energy_kwh"]) == ("8400.00", "1680.000")
    assert lines[scenario["bidder"].id]["subsidy_cny"] == "2394.00"
    idle = lines[scenario["idle"].id]
    assert (idle["non_executions"], idle["suspended_months"], idle["subsidy_cny"]) == (
        3,
        ["2025-08"],
        "0.00",
    )
    assert [p["name"] for p in body["participants"]] == sorted(
        p["name"] for p in body["participants"]
    )

    q4 = report(api, api.grid, "2025Q4")
    assert [(p["participant_id"], p["events"]) for p in q4["participants"]] == [
        (scenario["bidder"].id, 1)
    ]
    assert report(api, api.grid, "2024Q1")["totals"]["subsidy_cny"] == "0.00"


def test_scoped_and_refused(api: Api, scenario: dict[str, Any]) -> None:
    user: Enrolled = scenario["user"]
    mine = report(api, user.headers)
    assert [p["participant_id"] for p in mine["participants"]] == [user.id]
    assert mine["totals"]["subsidy_cny"] == "8400.00"
    assert len(report(api, api.regulator)["participants"]) == 4
    for bad in ("2025Q5", "2025-3", "25Q1"):
        response = api.client.get(f"/api/settlement/quarters/{bad}", headers=api.grid)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["path", "quarter"]
    assert api.client.get("/api/settlement/quarters/2025Q3").status_code == 401


def test_publicity(api: Api, scenario: dict[str, Any]) -> None:
    response = api.client.get("/api/settlement/quarters/2025Q3/publicity", headers=api.regulator)
    assert response.status_code == 200
    body = response.json()
    full = report(api, api.grid)
    assert body["subsidy_cny"] == full["totals"]["subsidy_cny"]
    assert body["entries"] == [
        {
            **{
                key: p[key]
                for key in (
                    "participant_id",
                    "name",
                    "kind",
                    "effective_responses",
                    "effective_energy_kwh",
                    "subsidy_cny",
                )
            },
            "corrections": 0,
        }
        for p in full["participants"]
    ]
    assert body["corrections"] == []
    route = "/api/settlement/quarters/2025Q3/publicity"
    assert api.client.get(route, headers=api.grid).status_code == 200
    assert api.client.get(route, headers=scenario["user"].headers).status_code == 403


def test_xlsx_export(api: Api, scenario: dict[str, Any], tmp_path: Path) -> None:
    response = api.client.get("/api/settlement/quarters/2025Q3/export.xlsx", headers=api.regulator)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="settlement-2025Q3.xlsx"' in response.headers["content-disposition"]
    path = tmp_path / "q3.xlsx"
    path.write_bytes(response.content)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "明细"]
    body = report(api, api.grid)
    total = Decimal(body["totals"]["subsidy_cny"])

    summary = list(book["汇总"].iter_rows(values_only=True))
    header = summary[0]
    money = header.index("补贴金额(元)")
    assert header[:3] == ("参与主体编号", "参与主体名称", "类型")
    assert len(summary) == 1 + 4 + 1
    assert summary[-1][0] == "合计"
    assert summary[-1][money] == float(total)
    assert round(sum(Decimal(str(r[money])) for r in summary[1:-1]), 2) == total
    assert book["汇总"].cell(row=2, column=money + 1).number_format == "0.00"
    names = {r[1]: r for r in summary[1:-1]}
    assert names["甲钢铁厂"][money] == 8400.0
    assert names["乙聚合商"][2] == "负荷聚合商"

    detail = list(book["明细"].iter_rows(values_only=True))
    money = detail[0].index("补贴金额(元)")
    assert len(detail) == 1 + 7 + 1
    assert detail[-1][0] == "合计" and detail[-1][money] == float(total)
    assert sorted(r[money] for r in detail[1:-1]) == sorted(
        float(r["subsidy_cny"]) for r in scenario["results"]
    )
    assert {r[detail[0].index("响应方式")] for r in detail[1:-1]} == {
        "日前邀约",
        "提前4小时邀约",
        "实时响应",
    }

    scoped = api.client.get(
        "/api/settlement/quarters/2025Q3/export.xlsx", headers=scenario["user"].headers
    )
    path.write_bytes(scoped.content)
    own = list(openpyxl.load_workbook(path)["明细"].iter_rows(values_only=True))
    assert len(own) == 1 + 2 + 1


def test_csv_export(api: Api, scenario: dict[str, Any]) -> None:
    body = report(api, api.grid)
    response = api.client.get("/api/settlement/quarters/2025Q3/export.csv", headers=api.grid)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    money = rows[0].index("补贴金额(元)")
    assert len(rows) == 1 + 4 + 1
    assert rows[-1][0] == "合计"
    assert rows[-1][money] == body["totals"]["subsidy_cny"]
    assert sum(Decimal(r[money]) for r in rows[1:-1]) == Decimal(body["totals"]["subsidy_cny"])

    response = api.client.get(
        "/api/settlement/quarters/2025Q3/export.csv", params={"detail": "true"}, headers=api.grid
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    money = rows[0].index("补贴金额(元)")
    assert len(rows) == 1 + 7 + 1
    assert sorted(r[money] for r in rows[1:-1]) == sorted(
        r["subsidy_cny"] for r in scenario["results"]
    )
    assert rows[-1][money] == body["totals"]["subsidy_cny"]
