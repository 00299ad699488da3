"""Tables people exchange as files: written as xlsx (one sheet per table), read from an
upload as CSV (UTF-8, with or without BOM, or GB18030: :mod:`gzkit.textfiles`) or xlsx.

Reading gives each row with its line in the file (the header is line 1), so a bad value is
reported as "file, line, what"; nothing is interpreted here beyond text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import openpyxl
import xlsxwriter

from gzkit.errors import Invalid
from gzkit.textfiles import TextDecodeError, detect_encoding, read_text

Cell = str | int | Decimal | dt.date | bool | None
Table = tuple[Sequence[str], Sequence[Sequence[Cell]]]
MAX_SHEET_NAME = 31  # Excel's limit


def xlsx_bytes(tables: Mapping[str, Table]) -> bytes:
    """A workbook with one sheet per ``tables`` entry (name → (headers, rows)); money as
    numbers with two decimals, dates as dates."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, (headers, rows) in tables.items():
        sheet = book.add_worksheet(name[:MAX_SHEET_NAME])
        sheet.write_row(0, 0, list(headers), bold)
        sheet.set_column(0, max(len(headers) - 1, 0), 16)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, Decimal):
                    sheet.write_number(r, c, float(value), money)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
                elif isinstance(value, bool):
                    sheet.write_string(r, c, "是" if value else "否")
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def read_upload(
    path: Path, filename: str, columns: Sequence[str]
) -> list[tuple[int, dict[str, str]]]:
    """The rows of an uploaded ``.csv`` or ``.xlsx`` (first sheet) with ``columns`` in its
    header (others ignored), each as (line, column → text), blank lines skipped.

    Raises
    ------
    Invalid
        Not CSV or xlsx, undecodable text, or a column missing; the message names the file.
    """
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(path, filename)
    elif filename.lower().endswith(".csv"):
        try:
            text = read_text(path, detect_encoding(path))
        except TextDecodeError as err:
            raise Invalid(f"{filename} 第 {err.line} 行不是可识别的文本", "file") from None
        rows = list(csv.reader(io.StringIO(text)))
    else:
        raise Invalid(f"{filename}：只接受 .csv 或 .xlsx 文件", "file")
    if not rows:
        raise Invalid(f"{filename}：文件为空", "file")
    header = [h.strip() for h in rows[0]]
    if missing := [c for c in columns if c not in header]:
        raise Invalid(f"{filename}：缺少列 {', '.join(missing)}", "file")
    where = {c: header.index(c) for c in columns}
    found = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        found.append((line, {c: row[k].strip() if k < len(row) else "" for c, k in where.items()}))
    return found


def _xlsx_rows(path: Path, filename: str) -> list[list[str]]:
    # Opened as a stream: given a path, openpyxl insists on an .xlsx suffix, and an upload is
    # stored under a name of its own.
    with path.open("rb") as stream:
        try:
            book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise Invalid(f"{filename}：不是有效的 xlsx 文件", "file") from None
        try:
            sheet = book.worksheets[0]
            return [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
