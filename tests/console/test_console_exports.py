"""导出: the console's lists as xlsx and CSV, read back (openpyxl, csv) for their headers, row
counts, number formats and who sees which rows."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from conftest import BIDDERS, HAIZHU, Platform, Programme

BOM = b"\xef\xbb\xbf"


def workbook(platform: Platform, url: str, **params: Any) -> tuple[list[str], list[list[Any]], Any]:
    """The header row, the data rows and the sheet of an xlsx download."""
    answer = platform.client.get(url, params=params)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in answer.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [str(h) for h in rows[0]], rows[1:], sheet


def table(platform: Platform, url: str, **params: Any) -> tuple[list[str], list[list[str]]]:
    """The header row and the data rows of a CSV download, which starts with a BOM."""
    answer = platform.client.get(url, params=params)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    return rows[0], rows[1:]


def test_participants_export_honours_the_filters(platform: Platform, programme: Programme) -> None:
    platform.sign_in(platform.grid_token)
    filters = {"substation": HAIZHU, "kind": "user", "status": "", "sort": "name"}
    headers, rows, sheet = workbook(platform, "/console/export/participants.xlsx", **filters)
    assert headers[:3] == ["参与者名称", "参与者编号", "类型"]
    assert "响应能力(kW)" in headers
    assert len(rows) == BIDDERS  # every page, not the first 20; no aggregator
    names = [r[0] for r in rows]
    assert names == sorted(names) and all(r[2] == "电力用户" for r in rows)
    capability = headers.index("响应能力(kW)")
    assert rows[0][capability] == 800
    assert sheet.cell(row=2, column=capability + 1).number_format == "#,##0.000"
    assert sheet.auto_filter.ref and sheet.freeze_panes == "A2"
    csv_headers, csv_rows = table(platform, "/console/export/participants.csv", **filters)
    assert csv_headers == headers and len(csv_rows) == BIDDERS
    assert csv_rows[0][capability] == "800.000"
    # The page links to the same query.
    page = platform.client.get("/console/participants", params=filters).text
    assert "/console/export/participants.xlsx?substation=" in page
    assert "/console/export/participants.csv?substation=" in page


def test_events_export(platform: Platform, programme: Programme) -> None:
    platform.sign_in(platform.grid_token)
    headers, rows, _ = workbook(platform, "/console/export/events.xlsx", status="evaluated")
    assert headers[0] == "事件编号" and "需求容量(kW)" in headers
    assert [r[0] for r in rows] == [programme.event_id]
    assert rows[0][headers.index("状态")] == "已评估"
    _, none = table(platform, "/console/export/events.csv", status="cancelled")
    assert none == []


def test_ranking_export(platform: Platform, programme: Programme) -> None:
    platform.sign_in(platform.grid_token)
    url = f"/console/export/events/{programme.event_id}/ranking"
    headers, rows, _ = workbook(platform, f"{url}.xlsx")
    assert headers == [
        "名次",
        "参与者名称",
        "申报容量(kW)",
        "申报价格(元/kWh)",
        "申报时间",
        "排序得分",
        "结果",
        "名次理由",
    ]
    assert len(rows) == BIDDERS + 1
    assert [r[0] for r in rows] == list(range(1, BIDDERS + 2))
    assert all(r[6] == "中标" and r[7] for r in rows)
    _, csv_rows = table(platform, f"{url}.csv")
    assert len(csv_rows) == BIDDERS + 1 and csv_rows[0][3] == "1.000"


def test_results_export_is_scoped_to_the_participant(
    platform: Platform, programme: Programme
) -> None:
    url = f"/console/export/results/{programme.event_id}"
    platform.sign_in(platform.grid_token)
    headers, rows, sheet = workbook(platform, f"{url}.xlsx")
    assert len(rows) == BIDDERS + 1
    subsidy = headers.index("补贴金额(元)")
    assert sheet.cell(row=2, column=subsidy + 1).number_format == "#,##0.00"
    api = platform.client.get(
        f"/api/results/events/{programme.event_id}", params={"limit": 100}, headers=platform.grid
    ).json()["items"]
    by_name = {r["participant_name"]: Decimal(r["subsidy_cny"]) for r in api}
    for row in rows:
        assert Decimal(str(row[subsidy])) == by_name[row[0]]
    platform.sign_in(programme.user_token)
    _, own = table(platform, f"{url}.csv")
    assert [r[0] for r in own] == ["海珠第00号工厂"]
    assert own[0][subsidy] == f"{by_name['海珠第00号工厂']:.2f}"


def test_a_participant_downloads_its_own_statement(
    platform: Platform, programme: Programme
) -> None:
    platform.sign_in(programme.trader_token)
    portal = platform.client.get("/console/portal").text
    assert "/console/export/statement.xlsx" in portal
    headers, rows, _ = workbook(platform, "/console/export/statement.xlsx")
    assert headers[:4] == ["事件编号", "响应日", "响应方式", "响应方向"]
    assert [(r[0], r[2], r[3]) for r in rows] == [(programme.event_id, "日前邀约", "削峰")]
    _, csv_rows = table(platform, "/console/export/statement.csv")
    assert len(csv_rows) == 1
    platform.sign_in(programme.user_token)
    _, user_rows = table(platform, "/console/export/statement.csv")
    assert len(user_rows) == 1
    # Lists of others stay closed to a participant; the statement is not the staff's.
    for url in ("/console/export/participants.csv", "/console/export/events.xlsx"):
        assert platform.client.get(url).status_code == 403
    platform.sign_in(platform.grid_token)
    assert platform.client.get("/console/export/statement.csv").status_code == 403


@pytest.mark.parametrize("url", ["/console/export/events.pdf", "/console/export/results/DRX.csv"])
def test_an_unknown_format_or_event_is_a_page_not_a_500(platform: Platform, url: str) -> None:
    platform.sign_in(platform.grid_token)
    answer = platform.client.get(url)
    assert answer.status_code == 404 and "text/html" in answer.headers["content-type"]
