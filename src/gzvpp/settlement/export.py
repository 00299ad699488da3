"""The quarterly settlement as a workbook (sheets 汇总 and 明细) and as CSV, Chinese headers.

The workbook is one a finance clerk can file: each sheet opens with a title, the settlement
period and who made it when (制表); money, energy and kW are numbers with thousands separators,
days are real dates, ratios are percentages; the header row has an autofilter and stays in view;
the totals row holds SUM formulas over the rows above (their cached values are the Decimal sums,
so a reader that does not recalculate shows the same figures, to the fen). Participants are
named by 营销户号 (a power user's own account; an aggregator holds its members') and by name;
the platform's participant id comes last, for matching with the platform.

CSV writes each Decimal exactly as stored and starts with a byte-order mark so that spreadsheet
programs read UTF-8.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from gzvpp import display
from gzvpp.core.model import ParticipantKind
from gzvpp.settlement import schemas
from gzvpp.terms import DIRECTIONS, MODES, RESULT_STATUSES, baseline_type

T = TypeVar("T")
Cell = str | int | Decimal | dt.date | dt.datetime | None

COUNT, KW, KWH, CNY = "#,##0", "#,##0.000", "#,##0.000", "#,##0.00"
PRICE, FACTOR, RATIO, SCORE = "#,##0.000", "0.0000", "0.0%", "0.0"
DATE, DATETIME = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
KIND = {ParticipantKind.USER: "电力用户", ParticipantKind.AGGREGATOR: "负荷聚合商"}
MODE = {mode.value: text for mode, text in MODES.items()}
DIRECTION = {direction.value: text for direction, text in DIRECTIONS.items()}
TOTAL_LABEL = "合计"
HEADER_ROW = 4  # title, period, 制表, a blank row, then the headers
WIDEST = 60  # characters: no column is wider (a list of baseline days would be)
NAME_WIDTH = 2 * 16  # a name of 16 Chinese characters shows whole


@dataclass(frozen=True)
class Detail:
    """One award's result and its participant's kind, a line of 明细."""

    result: schemas.AwardResultView
    kind: ParticipantKind


@dataclass(frozen=True)
class Prepared:
    """Who made the workbook and when (the 制表 row), and the participants' 营销户号."""

    by: str
    at: dt.datetime
    accounts: Mapping[str, Sequence[str]]

    def account_text(self, participant_id: str, kind: ParticipantKind) -> str:
        """A power user's 营销户号; for an aggregator, how many members' accounts it holds."""
        held = self.accounts.get(participant_id, ())
        if kind is ParticipantKind.AGGREGATOR:
            return f"代理 {len(held)} 户"
        return "、".join(held)


@dataclass(frozen=True)
class Column(Generic[T]):
    """A column: its header, its cell for a row, its number format (None: text), whether its
    totals cell sums it, and its least width in characters."""

    header: str
    value: Callable[[T, Prepared], Cell]
    number_format: str | None = None
    summed: bool = False
    width: int = 0


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


SUMMARY: tuple[Column[schemas.QuarterParticipant], ...] = (
    Column("营销户号", lambda p, prep: prep.account_text(p.participant_id, p.kind)),
    Column("参与主体名称", lambda p, _: p.name, width=NAME_WIDTH),
    Column("类型", lambda p, _: KIND[p.kind]),
    Column("参与事件数", lambda p, _: p.events, COUNT, True),
    Column("有效响应次数", lambda p, _: p.effective_responses, COUNT, True),
    Column("响应电量(kWh)", lambda p, _: p.response_energy_kwh, KWH, True),
    Column("有效响应电量(kWh)", lambda p, _: p.effective_energy_kwh, KWH, True),
    Column("补贴金额(元)", lambda p, _: p.subsidy_cny, CNY, True),
    Column("未执行次数", lambda p, _: p.non_executions, COUNT, True),
    Column("暂停应邀月份", lambda p, _: "、".join(p.suspended_months)),
    Column("平台编号", lambda p, _: p.participant_id),
)

DETAIL: tuple[Column[Detail], ...] = (
    Column("事件编号", lambda d, _: d.result.event_id),
    Column("响应日", lambda d, _: d.result.day, DATE),
    Column("开始时间", lambda d, _: d.result.start_at, DATETIME),
    Column("响应方式", lambda d, _: MODE.get(d.result.mode, d.result.mode)),
    Column("响应方向", lambda d, _: DIRECTION.get(d.result.direction, d.result.direction)),
    Column("营销户号", lambda d, prep: prep.account_text(d.result.participant_id, d.kind)),
    Column("参与主体名称", lambda d, _: d.result.participant_name, width=NAME_WIDTH),
    Column("类型", lambda d, _: KIND[d.kind]),
    Column("评估状态", lambda d, _: RESULT_STATUSES.get(d.result.status, d.result.status)),
    Column("基线类型", lambda d, _: baseline_type(d.result.baseline_type)),
    Column("基线日", lambda d, _: "、".join(day.isoformat() for day in d.result.baseline_days)),
    Column("日内调节系数", lambda d, _: d.result.adjustment_factor, FACTOR),
    Column("基线平均负荷(kW)", lambda d, _: d.result.baseline_avg_kw, KW),
    Column("基线最大负荷(kW)", lambda d, _: d.result.baseline_max_kw, KW),
    Column("基线最小负荷(kW)", lambda d, _: d.result.baseline_min_kw, KW),
    Column("实际平均负荷(kW)", lambda d, _: d.result.actual_avg_kw, KW),
    Column("实际最大负荷(kW)", lambda d, _: d.result.actual_max_kw, KW),
    Column("实际最小负荷(kW)", lambda d, _: d.result.actual_min_kw, KW),
    Column("应邀量(kW)", lambda d, _: d.result.awarded_kw, KW),
    Column("响应负荷(kW)", lambda d, _: d.result.response_kw, KW),
    Column("响应比例", lambda d, _: d.result.response_ratio, RATIO),
    Column("有效响应", lambda d, _: _yes(d.result.effective)),
    Column("未执行", lambda d, _: _yes(d.result.non_execution)),
    Column("得分", lambda d, _: _score(d.result), SCORE),
    Column("响应电量(kWh)", lambda d, _: d.result.response_energy_kwh, KWH, True),
    Column("有效响应电量(kWh)", lambda d, _: d.result.effective_energy_kwh, KWH, True),
    Column("补贴标准(元/kWh)", lambda d, _: d.result.price, PRICE),
    Column("响应系数", lambda d, _: d.result.coefficient, "0.0"),
    Column("补贴金额(元)", lambda d, _: d.result.subsidy_cny, CNY, True),
    Column("平台编号", lambda d, _: d.result.participant_id),
)


def _score(result: schemas.AwardResultView) -> Decimal | str:
    """The score, or why there is none (real-time responses are not scored, 表 1)."""
    return result.score if result.score is not None else display.score(None, result.mode)


def workbook(report: schemas.QuarterReport, details: Sequence[Detail], prepared: Prepared) -> bytes:
    """The .xlsx file: 汇总 (one row per participant) and 明细 (one row per award), each with
    a title, the period, the 制表 row and a totals row of SUM formulas."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    totals = report.totals
    period = (
        f"结算期间：{report.first_day:%Y-%m-%d} 至 {report.last_day:%Y-%m-%d}；"
        f"已评估事件 {totals.events} 场，参与 {totals.awards:,} 人次"
        f"（“参与事件数”之和为人次，一场事件有多个参与者）"
    )
    title = f"广州市虚拟电厂 {report.quarter} 需求响应补贴结算"
    _sheet(book, "汇总", f"{title}（汇总）", period, SUMMARY, report.participants, prepared)
    _sheet(book, "明细", f"{title}（明细）", period, DETAIL, details, prepared)
    book.close()
    return out.getvalue()


def _sheet(
    book: xlsxwriter.Workbook,
    name: str,
    title: str,
    period: str,
    columns: Sequence[Column[T]],
    rows: Sequence[T],
    prepared: Prepared,
) -> None:
    sheet = book.add_worksheet(name)
    header = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
    )
    formats = {c.number_format: book.add_format(_properties(c.number_format)) for c in columns}
    bold = {c.number_format: book.add_format(_properties(c.number_format, True)) for c in columns}
    sheet.write_string(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
    sheet.write_string(1, 0, period)
    made = f"制表：{prepared.by}　　制表时间：{prepared.at:%Y-%m-%d %H:%M}（广州时间）"
    sheet.write_string(2, 0, made)
    first, last = HEADER_ROW + 1, HEADER_ROW + len(rows)
    widths = [max(c.width, _width(c.header)) for c in columns]
    for j, column in enumerate(columns):
        sheet.write_string(HEADER_ROW, j, column.header, header)
    for i, row in enumerate(rows, start=first):
        for j, column in enumerate(columns):
            value = column.value(row, prepared)
            _write(sheet, i, j, value, formats[column.number_format])
            widths[j] = max(widths[j], _width(value))
    total_row = last + 1
    for j, column in enumerate(columns):
        fmt = bold[column.number_format]
        if j == 0:
            sheet.write_string(total_row, j, TOTAL_LABEL, fmt)
        elif column.summed and rows:
            cells = f"{xl_rowcol_to_cell(first, j)}:{xl_rowcol_to_cell(last, j)}"
            cached = _total(column, rows, prepared)
            sheet.write_formula(total_row, j, f"=SUM({cells})", fmt, float(cached))
        else:
            sheet.write_blank(total_row, j, None, fmt)
    for j, width in enumerate(widths):
        sheet.set_column(j, j, min(WIDEST, width + 2))
    sheet.autofilter(HEADER_ROW, 0, max(last, HEADER_ROW), len(columns) - 1)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.repeat_rows(HEADER_ROW)


def _properties(number_format: str | None, bold: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {"bold": bold}
    if number_format is not None:
        properties["num_format"] = number_format
    return properties


def _width(value: Cell) -> int:
    """How many character widths ``value`` takes as shown: a CJK character counts two."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    text = f"{value:,}" if isinstance(value, int | Decimal) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _total(column: Column[T], rows: Sequence[T], prepared: Prepared) -> Decimal:
    """The exact sum of a summed column (a blank counts zero)."""
    values = (column.value(row, prepared) for row in rows)
    return sum((Decimal(v) for v in values if isinstance(v, int | Decimal)), Decimal(0))


def _write(
    sheet: xlsxwriter.worksheet.Worksheet, row: int, col: int, value: Cell, fmt: object
) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, fmt)
    elif isinstance(value, dt.date):  # a datetime is a date too
        sheet.write_datetime(row, col, value, fmt)
    else:
        # A double keeps 15 significant digits, so the cell shows exactly the stored figure.
        sheet.write_number(row, col, float(value), fmt)


def summary_csv(report: schemas.QuarterReport, prepared: Prepared) -> str:
    """汇总 as CSV."""
    return _csv(SUMMARY, report.participants, prepared)


def detail_csv(details: Sequence[Detail], prepared: Prepared) -> str:
    """明细 as CSV."""
    return _csv(DETAIL, details, prepared)


def _csv(columns: Sequence[Column[T]], rows: Sequence[T], prepared: Prepared) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([_text(c.value(row, prepared)) for c in columns])
    writer.writerow(
        [
            TOTAL_LABEL if j == 0 else str(_total(c, rows, prepared)) if c.summed else ""
            for j, c in enumerate(columns)
        ]
    )
    return out.getvalue()


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return value.isoformat() if isinstance(value, dt.date) else str(value)
