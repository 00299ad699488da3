"""The quarterly settlement (第九条 (四), 第十条): totals reconcile to the fen with the per-award
results, the publicity list, and the xlsx and CSV exports, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
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
from gzvpp.kit.auth import TOKEN_COOKIE
from gzvpp.models import EventStatus
from gzvpp.settlement.export import HEADER_ROW

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


def _sheet(book: openpyxl.Workbook, name: str) -> tuple[list[Any], list[tuple[Any, ...]]]:
    """The header and the rows below it (the last is the totals row) of a settlement sheet."""
    rows = list(book[name].iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    return list(rows[0]), rows[1:]


def test_xlsx_export(api: Api, scenario: dict[str, Any], tmp_path: Path) -> None:
    response = api.client.get("/api/settlement/quarters/2025Q3/export.xlsx", headers=api.regulator)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="settlement-2025Q3.xlsx"' in response.headers["content-disposition"]
    path = tmp_path / "q3.xlsx"
    path.write_bytes(response.content)
    book = openpyxl.load_workbook(path)  # formulas as written
    cached = openpyxl.load_workbook(path, data_only=True)  # the values a reader sees
    assert book.sheetnames == ["汇总", "明细"]
    body = report(api, api.grid)
    total = Decimal(body["totals"]["subsidy_cny"])

    sheet = book["汇总"]
    assert "2025Q3" in sheet["A1"].value
    assert "结算期间：2025-07-01 至 2025-09-30" in sheet["A2"].value
    assert f"已评估事件 {body['totals']['events']} 场，参与 {body['totals']['awards']} 人次" in (
        sheet["A2"].value
    )
    assert sheet["A3"].value.startswith("制表：测试 regulator")
    assert f"{api.clock.now():%Y-%m-%d %H:%M}" in sheet["A3"].value
    header, rows = _sheet(book, "汇总")
    values = _sheet(cached, "汇总")[1]
    money, events = header.index("补贴金额(元)"), header.index("参与事件数")
    assert header[:3] == ["营销户号", "参与主体名称", "类型"]
    assert header[-1] == "平台编号"
    assert len(rows) == 4 + 1
    first, last = HEADER_ROW + 2, HEADER_ROW + 1 + 4  # 1-based rows of the participants
    assert rows[-1][0] == "合计"
    letter = openpyxl.utils.get_column_letter(money + 1)
    assert rows[-1][money] == f"=SUM({letter}{first}:{letter}{last})"
    assert values[-1][money] == float(total)
    assert round(sum(Decimal(str(r[money])) for r in rows[:-1]), 2) == total
    # 参与事件数 sums to participant-events (人次), the page's and the period row's figure.
    assert rows[-1][events].startswith("=SUM(")
    assert values[-1][events] == body["totals"]["awards"] == sum(r[events] for r in rows[:-1])
    assert sheet.cell(row=first, column=money + 1).number_format == "#,##0.00"
    assert sheet.cell(row=first, column=events + 1).number_format == "#,##0"
    assert sheet.auto_filter.ref == f"A{HEADER_ROW + 1}:{sheet.cell(last, len(header)).coordinate}"
    assert sheet.freeze_panes == f"A{HEADER_ROW + 2}"
    assert sheet.column_dimensions["B"].width >= 32  # 16 Chinese characters
    names = {r[1]: r for r in rows[:-1]}
    assert names["甲钢铁厂"][money] == 8400.0
    assert names["甲钢铁厂"][0] == scenario["user"].accounts[0]  # 营销户号, not a UUID
    assert names["乙聚合商"][0] == f"代理 {len(scenario['aggregator'].accounts)} 户"
    assert names["乙聚合商"][2] == "负荷聚合商"

    sheet = book["明细"]
    header, rows = _sheet(book, "明细")
    money = header.index("补贴金额(元)")
    assert len(rows) == 7 + 1
    assert rows[-1][0] == "合计" and rows[-1][money].startswith("=SUM(")
    assert _sheet(cached, "明细")[1][-1][money] == float(total)
    assert sorted(r[money] for r in rows[:-1]) == sorted(
        float(r["subsidy_cny"]) for r in scenario["results"]
    )
    column = {name: header.index(name) for name in ("响应日", "开始时间", "响应比例", "得分")}
    mode = header.index("响应方式")
    assert {r[mode] for r in rows[:-1]} == {"日前邀约", "提前4小时邀约", "实时响应"}
    for r in rows[:-1]:
        assert isinstance(r[column["响应日"]], dt.datetime)  # a real date, not text
        assert r[header.index("基线类型")] in ("工作日基线", "休息日基线", "实时基线", "")
        if r[mode] == "实时响应":
            assert r[column["得分"]] == "—（实时响应不评分，表 1）"
    formats = {
        name: sheet.cell(row=HEADER_ROW + 2, column=j + 1).number_format
        for name, j in column.items()
    }
    assert formats == {
        "响应日": "yyyy-mm-dd",
        "开始时间": "yyyy-mm-dd hh:mm",
        "响应比例": "0.0%",
        "得分": "0.0",
    }

    scoped = api.client.get(
        "/api/settlement/quarters/2025Q3/export.xlsx", headers=scenario["user"].headers
    )
    path.write_bytes(scoped.content)
    assert len(_sheet(openpyxl.load_workbook(path), "明细")[1]) == 2 + 1


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


def test_the_console_offers_the_quarters_with_data(api: Api, scenario: dict[str, Any]) -> None:
    # The console page chooses among quarters that have results, newest first; no free text.
    api.client.cookies.set(TOKEN_COOKIE, api.regulator["Authorization"].removeprefix("Bearer "))
    try:
        page = api.client.get("/console/settlement")
        assert page.status_code == 200
        options = re.findall(r'<option value="(\d{4}Q\d)"', page.text)
        assert options == ["2025Q4", "2025Q3"]
        assert '<option value="2025Q4" selected>' in page.text
        written = api.client.get("/console/settlement", params={"quarter": "2025-Q3"})
        assert written.status_code == 200 and "季度结算 2025Q3" in written.text
        # The page's 合计 and the workbook's 参与事件数 count the same thing: 人次.
        body = report(api, api.grid)
        assert f"{body['totals']['awards']} 人次" in written.text
        assert f"{body['totals']['events']} 场" in written.text
        wrong = api.client.get("/console/settlement", params={"quarter": "2025Q5"})
        assert wrong.status_code == 422
        assert wrong.headers["content-type"].startswith("text/html")
        assert "季度“2025Q5”无法识别" in wrong.text
    finally:
        api.client.cookies.clear()


def test_the_console_says_why_a_realtime_response_has_no_score(
    api: Api, scenario: dict[str, Any]
) -> None:
    realtime = next(r for r in scenario["results"] if r["mode"] == "realtime")
    assert realtime["score"] is None
    api.client.cookies.set(TOKEN_COOKIE, api.grid["Authorization"].removeprefix("Bearer "))
    try:
        for path in (
            f"/console/results/{realtime['event_id']}",
            f"/console/results/{realtime['event_id']}/{realtime['participant_id']}",
            f"/console/participants/{realtime['participant_id']}",
        ):
            page = api.client.get(path)
            assert page.status_code == 200, path
            assert "—（实时响应不评分，表 1）" in page.text, path
    finally:
        api.client.cookies.clear()
