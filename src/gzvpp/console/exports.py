"""导出: the console's lists as an Excel workbook (.xlsx) or CSV, with Chinese headers.

The participants and events lists honour the page's filters and order; an event's ranking and
results, and a participant's own statement (对账单) from the portal, are whole. Services scope
every read to the actor: a participant's export holds only its own rows.

Numbers are numbers: kW and kWh with 3 decimals, money (元) with 2, ratios as percentages; in
the workbook they carry a number format with thousands separators, times are real date-times.
CSV is UTF-8 with a byte-order mark so that Excel opens the Chinese correctly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import quote

import xlsxwriter
from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from gzkit.clock import ClockDep
from gzkit.db import SessionDep
from gzkit.errors import NotFound
from gzkit.pagination import PaginationParams
from gzvpp.console.filters import EventFilters, ParticipantFilters, every_row
from gzvpp.console.labels import label
from gzvpp.console.pages import PageActor, PageRoute, own_participant, require_staff
from gzvpp.events.service import event_service
from gzvpp.kit.auth import Actor
from gzvpp.settlement import repository as settlement_repository
from gzvpp.settlement.service import settlement_service

Kind = Literal["text", "int", "kw", "cny", "price", "ratio", "score", "time"]
# How each kind of figure is written: decimals (both), number format (workbook). "kw" is kW
# and kWh alike (3 decimals), "cny" money in 元 (2), "price" 元/kWh (3).
DECIMALS = {"kw": 3, "cny": 2, "price": 3, "score": 2}
NUMBER_FORMATS = {
    "int": "#,##0",
    "kw": "#,##0.000",
    "cny": "#,##0.00",
    "price": "0.000",
    "score": "0.00",
    "ratio": "0.00%",
    "time": "yyyy-mm-dd hh:mm",
}
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
RESULTS_BATCH = 500

router = APIRouter(prefix="/console/export", route_class=PageRoute, include_in_schema=False)


@dataclass(frozen=True)
class Column:
    """A column: its Chinese header, its cell for a row and the kind of figure it holds."""

    header: str
    value: Callable[[Any], Any]
    kind: Kind = "text"
    width: int = 14


def _yes(flag: bool | None) -> str:
    return "—" if flag is None else ("是" if flag else "否")


def _cell(value: Any, kind: Kind) -> Any:
    """A cell's value: Decimal rounded half-up to its decimals, labels for enums."""
    if value is None:
        return None
    if isinstance(value, StrEnum):
        return label(value)
    if kind in DECIMALS:
        return Decimal(value).quantize(Decimal(1).scaleb(-DECIMALS[kind]), ROUND_HALF_UP)
    return value


def _csv_text(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "time" and isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if kind == "ratio":
        return f"{Decimal(value) * 100:.2f}%"
    return str(value)


def csv_bytes(columns: Sequence[Column], rows: Sequence[Any]) -> bytes:
    """The rows as CSV under the Chinese headers, UTF-8 with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([_csv_text(_cell(c.value(row), c.kind), c.kind) for c in columns])
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheet_name: str, columns: Sequence[Column], rows: Sequence[Any]) -> bytes:
    """The rows as a one-sheet workbook: bold frozen headers, an autofilter, numbers formatted
    with thousands separators, date-times as date-times."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(sheet_name)
    header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    formats = {kind: book.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
    for col, column in enumerate(columns):
        sheet.write_string(0, col, column.header, header)
        sheet.set_column(col, col, column.width)
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            value = _cell(column.value(row), column.kind)
            if value is None:
                sheet.write_blank(r, col, None)
            elif column.kind == "time":
                sheet.write_datetime(r, col, value, formats["time"])
            elif column.kind == "text":
                sheet.write_string(r, col, str(value))
            else:
                sheet.write_number(r, col, float(value), formats[column.kind])
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    book.close()
    return buffer.getvalue()


def download(
    name: str, fmt: str, columns: Sequence[Column], rows: Sequence[Any], sheet: str
) -> Response:
    """The file as an attachment named ``name.fmt`` (a Chinese name, RFC 6266 encoded)."""
    _known(fmt)
    body = xlsx_bytes(sheet, columns, rows) if fmt == "xlsx" else csv_bytes(columns, rows)
    filename = f"{name}.{fmt}"
    return Response(
        body,
        media_type=MIME[fmt],
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )


def _known(fmt: str) -> None:
    """An export in another format than xlsx or CSV is a page not found."""
    if fmt not in MIME:
        raise NotFound(f"no export format {fmt}")


PARTICIPANTS = (
    Column("参与者名称", lambda p: p.name, width=28),
    Column("参与者编号", lambda p: p.id, width=38),
    Column("类型", lambda p: p.kind),
    Column("状态", lambda p: p.status),
    Column("用电类别", lambda p: p.category),
    Column("响应能力(kW)", lambda p: p.capability_kw, "kw"),
    Column("具备实时响应", lambda p: _yes(p.realtime_capable and p.minute_monitoring)),
    Column("提交时间", lambda p: p.submitted_at, "time", 18),
)
EVENTS = (
    Column("事件编号", lambda e: e.id, width=16),
    Column("响应方式", lambda e: e.mode),
    Column("响应方向", lambda e: e.direction),
    Column("开始时间", lambda e: e.start_at, "time", 18),
    Column("结束时间", lambda e: e.end_at, "time", 18),
    Column("需求容量(kW)", lambda e: e.demand_kw, "kw"),
    Column("价格方式", lambda e: e.price_mode),
    Column("状态", lambda e: e.status),
    Column("中标容量(kW)", lambda e: e.accepted_kw, "kw"),
    Column("缺口", lambda e: _yes(e.shortfall)),
)
RANKING = (
    Column("名次", lambda r: r.place, "int", 8),
    Column("参与者名称", lambda r: r.participant_name, width=28),
    Column("申报容量(kW)", lambda r: r.kw, "kw"),
    Column("申报价格(元/kWh)", lambda r: r.price, "price"),
    Column("申报时间", lambda r: r.received_at, "time", 18),
    Column("排序得分", lambda r: r.rank_score, "score"),
    Column("结果", lambda r: "中标" if r.accepted else "未中标", width=8),
    Column("名次理由", lambda r: r.reason, width=60),
)
RESULT_FIGURES = (
    Column("中标容量(kW)", lambda r: r.awarded_kw, "kw"),
    Column("响应容量(kW)", lambda r: r.response_kw, "kw"),
    Column("响应率", lambda r: r.response_ratio, "ratio"),
    Column("有效响应", lambda r: _yes(r.effective), width=8),
    Column("未执行", lambda r: _yes(r.non_execution), width=8),
    Column("响应得分", lambda r: r.score, "score"),
    Column("有效响应电量(kWh)", lambda r: r.effective_energy_kwh, "kw", 18),
    Column("补贴价格(元/kWh)", lambda r: r.price, "price"),
    Column("补贴系数", lambda r: r.coefficient, "score"),
    Column("补贴金额(元)", lambda r: r.subsidy_cny, "cny"),
)
RESULTS = (Column("参与者名称", lambda r: r.participant_name, width=28), *RESULT_FIGURES)
STATEMENT = (
    Column("事件编号", lambda r: r.event_id, width=16),
    Column("响应日", lambda r: r.start_at, "time", 18),
    Column("响应方式", lambda r: label(r.mode, "Mode")),
    Column("响应方向", lambda r: label(r.direction, "Direction")),
    *RESULT_FIGURES,
)


@router.get("/participants.{fmt}")
def participants(
    fmt: str,
    actor: PageActor,
    session: SessionDep,
    filters: Annotated[ParticipantFilters, Query()],
) -> Response:
    """The 参与者 list as filtered and sorted on its page, every page of it."""
    return _filtered_list(fmt, actor, session, filters, "参与者", PARTICIPANTS)


@router.get("/events.{fmt}")
def events(
    fmt: str, actor: PageActor, session: SessionDep, filters: Annotated[EventFilters, Query()]
) -> Response:
    """The 事件 list as filtered and sorted on its page, every page of it."""
    return _filtered_list(fmt, actor, session, filters, "事件", EVENTS)


def _filtered_list(
    fmt: str,
    actor: Actor,
    session: Session,
    filters: ParticipantFilters | EventFilters,
    name: str,
    columns: Sequence[Column],
) -> Response:
    _known(fmt)
    require_staff(actor)
    return download(name, fmt, columns, every_row(filters, session, actor), name)


@router.get("/events/{event_id}/ranking.{fmt}")
def ranking(
    event_id: str, fmt: str, actor: PageActor, session: SessionDep, clock: ClockDep
) -> Response:
    """An event's ranking (provisional while bids are open), every bid with its reason."""
    _known(fmt)
    require_staff(actor)
    answer = event_service.ranking(session, actor, clock.now(), event_id)
    return download(f"{event_id}-排序", fmt, RANKING, answer.entries, "排序")


@router.get("/results/{event_id}.{fmt}")
def results(event_id: str, fmt: str, actor: PageActor, session: SessionDep) -> Response:
    """An event's results in plan order; a participant's holds only its own row."""
    _known(fmt)
    rows: list[Any] = []
    page = 1
    while True:
        batch, total = settlement_service.event_results(
            session, actor, event_id, PaginationParams(page, RESULTS_BATCH)
        )
        rows.extend(batch)
        if not batch or len(rows) >= total:
            break
        page += 1
    return download(f"{event_id}-评估结果", fmt, RESULTS, rows, "评估结果")


@router.get("/statement.{fmt}")
def statement(fmt: str, actor: PageActor, session: SessionDep) -> Response:
    """A participant's own statement: every evaluated award, in event order."""
    _known(fmt)
    participant_id = own_participant(actor)
    rows = settlement_repository.results_in_event_order(session, [participant_id])
    return download("我的对账单", fmt, STATEMENT, rows, "对账单")
