"""The quarterly settlement as a workbook (sheets 汇总 and 明细) and as CSV, Chinese headers.

In the workbook money, energy and kW are numbers (formatted ``0.00``, ``0.000``) so they can be
summed; the totals row holds the sums of the Decimals, not a formula. CSV writes each Decimal
exactly as stored and starts with a byte-order mark so that spreadsheet programs read UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

import xlsxwriter

from gzvpp.core.model import ParticipantKind
from gzvpp.settlement import schemas
from gzvpp.terms import DIRECTIONS, MODES, baseline_type

T = TypeVar("T")
Cell = str | int | Decimal | None

KW, KWH, CNY, RATIO = "0.000", "0.000", "0.00", "0.000000"
KIND = {ParticipantKind.USER: "电力用户", ParticipantKind.AGGREGATOR: "负荷聚合商"}
MODE = {mode.value: text for mode, text in MODES.items()}
DIRECTION = {direction.value: text for direction, text in DIRECTIONS.items()}
STATUS = {"ok": "正常", "baseline_unavailable": "基线不可用", "missing_data": "数据缺失"}
TOTAL_LABEL = "合计"


@dataclass(frozen=True)
class Detail:
    """One award's result and its participant's kind, a line of 明细."""

    result: schemas.AwardResultView
    kind: ParticipantKind


@dataclass(frozen=True)
class Column(Generic[T]):
    """A column: its header, its cell for a row, its number format (None: text) and its cell
    in the totals row."""

    header: str
    value: Callable[[T], Cell]
    number_format: str | None = None
    total: Callable[[schemas.QuarterTotals], Cell] | None = None


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


SUMMARY: tuple[Column[schemas.QuarterParticipant], ...] = (
    Column("参与主体编号", lambda p: p.participant_id),
    Column("参与主体名称", lambda p: p.name),
    Column("类型", lambda p: KIND[p.kind]),
    Column("参与事件数", lambda p: p.events, "0", lambda t: t.awards),
    Column("有效响应次数", lambda p: p.effective_responses, "0", lambda t: t.effective_responses),
    Column("响应电量(kWh)", lambda p: p.response_energy_kwh, KWH, lambda t: t.response_energy_kwh),
    Column(
        "有效响应电量(kWh)", lambda p: p.effective_energy_kwh, KWH, lambda t: t.effective_energy_kwh
    ),
    Column("补贴金额(元)", lambda p: p.subsidy_cny, CNY, lambda t: t.subsidy_cny),
    Column("未执行次数", lambda p: p.non_executions, "0", lambda t: t.non_executions),
    Column("暂停应邀月份", lambda p: "、".join(p.suspended_months)),
)

DETAIL: tuple[Column[Detail], ...] = (
    Column("事件编号", lambda d: d.result.event_id),
    Column("响应日", lambda d: d.result.day.isoformat()),
    Column("开始时间", lambda d: f"{d.result.start_at:%Y-%m-%d %H:%M}"),
    Column("响应方式", lambda d: MODE.get(d.result.mode, d.result.mode)),
    Column("响应方向", lambda d: DIRECTION.get(d.result.direction, d.result.direction)),
    Column("参与主体编号", lambda d: d.result.participant_id),
    Column("参与主体名称", lambda d: d.result.participant_name),
    Column("类型", lambda d: KIND[d.kind]),
    Column("评估状态", lambda d: STATUS.get(d.result.status, d.result.status)),
    Column("基线类型", lambda d: baseline_type(d.result.baseline_type)),
    Column("基线日", lambda d: "、".join(day.isoformat() for day in d.result.baseline_days)),
    Column("日内调节系数", lambda d: d.result.adjustment_factor, RATIO),
    Column("基线平均负荷(kW)", lambda d: d.result.baseline_avg_kw, KW),
    Column("基线最大负荷(kW)", lambda d: d.result.baseline_max_kw, KW),
    Column("基线最小负荷(kW)", lambda d: d.result.baseline_min_kw, KW),
    Column("实际平均负荷(kW)", lambda d: d.result.actual_avg_kw, KW),
    Column("实际最大负荷(kW)", lambda d: d.result.actual_max_kw, KW),
    Column("实际最小负荷(kW)", lambda d: d.result.actual_min_kw, KW),
    Column("应邀量(kW)", lambda d: d.result.awarded_kw, KW),
    Column("响应负荷(kW)", lambda d: d.result.response_kw, KW),
    Column("响应比例", lambda d: d.result.response_ratio, RATIO),
    Column("有效响应", lambda d: _yes(d.result.effective)),
    Column("未执行", lambda d: _yes(d.result.non_execution)),
    Column("得分", lambda d: d.result.score, "0.0"),
    Column(
        "响应电量(kWh)",
        lambda d: d.result.response_energy_kwh,
        KWH,
        lambda t: t.response_energy_kwh,
    ),
    Column(
        "有效响应电量(kWh)",
        lambda d: d.result.effective_energy_kwh,
        KWH,
        lambda t: t.effective_energy_kwh,
    ),
    Column("补贴标准(元/kWh)", lambda d: d.result.price, "0.0000"),
    Column("响应系数", lambda d: d.result.coefficient, "0.0"),
    Column("补贴金额(元)", lambda d: d.result.subsidy_cny, CNY, lambda t: t.subsidy_cny),
)


def workbook(report: schemas.QuarterReport, details: Sequence[Detail]) -> bytes:
    """The .xlsx file: 汇总 (one row per participant) and 明细 (one row per award), each with
    a totals row."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    _sheet(book, "汇总", SUMMARY, report.participants, report.totals, header)
    _sheet(book, "明细", DETAIL, details, report.totals, header)
    book.close()
    return out.getvalue()


def _sheet(
    book: xlsxwriter.Workbook,
    name: str,
    columns: Sequence[Column[T]],
    rows: Sequence[T],
    totals: schemas.QuarterTotals,
    header_format: object,
) -> None:
    sheet = book.add_worksheet(name)
    formats = {c.number_format: _format(book, c.number_format) for c in columns}
    bold = {c.number_format: _format(book, c.number_format, bold=True) for c in columns}
    for j, column in enumerate(columns):
        sheet.write_string(0, j, column.header, header_format)
        sheet.set_column(j, j, max(10, 2 * len(column.header)))
    for i, row in enumerate(rows, start=1):
        for j, column in enumerate(columns):
            _write(sheet, i, j, column.value(row), formats[column.number_format])
    last = len(rows) + 1
    for j, column in enumerate(columns):
        value = TOTAL_LABEL if j == 0 else column.total(totals) if column.total else None
        _write(sheet, last, j, value, bold[column.number_format])
    sheet.freeze_panes(1, 0)


def _format(book: xlsxwriter.Workbook, number_format: str | None, bold: bool = False) -> object:
    properties: dict[str, object] = {"bold": bold}
    if number_format is not None:
        properties["num_format"] = number_format
    return book.add_format(properties)


def _write(
    sheet: xlsxwriter.worksheet.Worksheet, row: int, col: int, value: Cell, fmt: object
) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, fmt)
    else:
        # A double keeps 15 significant digits, so the cell shows exactly the stored figure.
        sheet.write_number(row, col, float(value), fmt)


def summary_csv(report: schemas.QuarterReport) -> str:
    """汇总 as CSV."""
    return _csv(SUMMARY, report.participants, report.totals)


def detail_csv(details: Sequence[Detail], totals: schemas.QuarterTotals) -> str:
    """明细 as CSV."""
    return _csv(DETAIL, details, totals)


def _csv(columns: Sequence[Column[T]], rows: Sequence[T], totals: schemas.QuarterTotals) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow(["" if (v := c.value(row)) is None else str(v) for c in columns])
    writer.writerow(
        [
            TOTAL_LABEL if j == 0 else str(c.total(totals)) if c.total else ""
            for j, c in enumerate(columns)
        ]
    )
    return out.getvalue()
