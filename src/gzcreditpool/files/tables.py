"""Large CSV tables read fast and checked column by column, bad rows named by line.

A file is read once by polars as text (UTF-8 as it is; UTF-8 with BOM and GB18030 through
:mod:`gzkit.textfiles`) and checked with vectorised :class:`Check` s. Only when a check fails
is the file read again row by row (:func:`gzkit.csvtables.csv_rows`, which skips blank lines
and knows the line of every row), so the error names the exact line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from gzkit.csvtables import csv_header, csv_rows, decode_error, unreadable
from gzkit.inputs import InputError
from gzkit.textfiles import TextDecodeError, detect_encoding, transcode_to_utf8


@dataclass(frozen=True)
class Table:
    """A CSV file's ``columns`` as text (an empty field is ``""``), plus parsed columns."""

    path: Path
    columns: tuple[str, ...]
    frame: pl.DataFrame

    def line(self, row: int) -> int:
        """The line of data row ``row`` (0-based), the header being line 1."""
        return line_of(self.path, self.columns, row)

    def value(self, column: str, row: int) -> str:
        return str(self.frame[column][row])


@dataclass(frozen=True)
class Check:
    """One rule on a table: which rows break it, in which column, and how to say why.

    ``bad`` is a boolean polars expression (null counts as not bad); ``reason`` words the
    fault of one row in Chinese, the column being named beside it (:class:`InputError`).
    """

    bad: pl.Expr
    column: str
    reason: Callable[[Table, int], str]


def line_of(path: Path, columns: Sequence[str], row: int) -> int:
    """The line of data row ``row`` (0-based, blank lines skipped), the header being line 1."""
    for index, (line, _) in enumerate(csv_rows(path, columns)):
        if index == row:
            return line
    raise IndexError(row)


def read_table(
    path: Path,
    columns: Sequence[str],
    checks: Sequence[Check],
    parsed: Mapping[str, pl.Expr] | None = None,
) -> Table:
    """Read ``path``, add the ``parsed`` columns, apply ``checks``; the first bad row (then
    its first failing check) is an error.

    Parsing once (dates, fen) and checking the parsed columns keeps a million rows fast.

    Raises
    ------
    InputError
        Naming the file, the line, the column and the reason; for a missing column, line 1.
    """
    try:
        encoding = detect_encoding(path)
    except OSError as exc:
        raise InputError(path, unreadable("CSV 文件", exc)) from None
    csv_header(path, columns, encoding)
    extra = dict(parsed or {})
    try:
        frame = _fast_frame(path, columns, encoding)
        table = Table(path, tuple(columns), frame.with_columns(**extra))
    except TextDecodeError as exc:
        raise decode_error(path, exc) from None
    except (pl.exceptions.PolarsError, OSError):
        table = _exact_table(path, columns, extra)
    fault = _first_fault(table, checks)
    if fault is not None:
        # Polars reads a blank line as a row of empty fields and cannot say where a row began:
        # read again row by row, then the row numbers are those of csv_rows.
        table = _exact_table(path, columns, extra)
        fault = _first_fault(table, checks)
        if fault is not None:
            row, check = fault
            raise InputError(path, check.reason(table, row), table.line(row), column=check.column)
    return table


def _fast_frame(path: Path, columns: Sequence[str], encoding: str) -> pl.DataFrame:
    with tempfile.TemporaryDirectory(prefix="gzcreditpool-") as folder:
        utf8 = Path(folder) / "utf8.csv"
        source = utf8 if transcode_to_utf8(path, utf8, encoding) else path
        frame = pl.read_csv(source, columns=list(columns), infer_schema=False, raise_if_empty=False)
    return frame.select(pl.col(name).fill_null("") for name in columns)


def _exact_table(path: Path, columns: Sequence[str], parsed: Mapping[str, pl.Expr]) -> Table:
    values: dict[str, list[str]] = {name: [] for name in columns}
    for _, row in csv_rows(path, columns):
        for name in columns:
            values[name].append(row[name])
    frame = pl.DataFrame(values, schema=dict.fromkeys(columns, pl.String))
    return Table(path, tuple(columns), frame.with_columns(**parsed))


def _first_fault(table: Table, checks: Sequence[Check]) -> tuple[int, Check] | None:
    if table.frame.height == 0 or not checks:
        return None
    flags = table.frame.select(
        check.bad.fill_null(False).alias(str(i)) for i, check in enumerate(checks)
    )
    any_bad = flags.select(pl.any_horizontal(pl.all()).arg_true().first()).item()
    if any_bad is None:
        return None
    row = int(any_bad)
    broken = next(i for i, flag in enumerate(flags.row(row)) if flag)
    return row, checks[broken]
