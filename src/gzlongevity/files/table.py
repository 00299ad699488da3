"""CSV tables read as text (UTF-8, UTF-8 with BOM or GBK/GB18030) with each row's line."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from gzkit.csvtables import decode_error, require_columns, unreadable
from gzkit.inputs import InputError
from gzkit.textfiles import TextDecodeError, transcode_to_utf8

LINE = "__line__"
"""The column holding each row's line number (the header is line 1)."""


def read_table(path: Path, columns: Sequence[str]) -> pl.DataFrame:
    """Every row of a CSV file as text, with :data:`LINE`; blank lines are skipped.

    Parameters
    ----------
    path : Path
        A CSV file whose header names at least ``columns``; GBK files saved by Excel are
        read as GB18030 (:mod:`gzkit.textfiles`).
    columns : sequence of str
        The columns kept, in this order; an empty field is ``""``.

    Raises
    ------
    InputError
        If the file cannot be read, a byte is not text, a column is missing, or a row's field
        count differs from the header's.
    """
    with tempfile.TemporaryDirectory(prefix="gzlongevity-") as scratch:
        source = path
        try:
            utf8 = Path(scratch) / "utf8.csv"
            if transcode_to_utf8(path, utf8):
                source = utf8
            frame = pl.read_csv(source, infer_schema=False, encoding="utf8")
        except TextDecodeError as err:
            raise decode_error(path, err) from None
        except OSError as err:
            raise InputError(path, unreadable("CSV 文件", err)) from None
        except pl.exceptions.PolarsError as err:
            raise InputError(path, unreadable("CSV 文件", err)) from None
    require_columns(path, frame.columns, columns, row=1)
    frame = frame.select(columns).with_row_index(LINE, offset=2)
    blank = pl.all_horizontal(
        pl.col(name).fill_null("").str.strip_chars() == "" for name in columns
    )
    return frame.filter(~blank).with_columns(pl.col(name).fill_null("") for name in columns)


def first_problem(
    path: Path,
    lines: np.ndarray,
    checks: Sequence[tuple[np.ndarray, str | None, Callable[[int], str]]],
) -> None:
    """Raise :class:`InputError` for the earliest row failing any check.

    Parameters
    ----------
    lines : int array
        The line of each row.
    checks : sequence of (bool array, column, reason)
        Rows failing each check, the column at fault (None for the row as a whole) and the
        reason for a row (given its position); on a row failing several, the first check's.
    """
    worst: tuple[int, int] | None = None
    for order, (failing, _, _) in enumerate(checks):
        hits = np.flatnonzero(failing)
        if len(hits) and (worst is None or hits[0] < worst[0]):
            worst = (int(hits[0]), order)
    if worst is None:
        return
    row, order = worst
    _, column, reason = checks[order]
    raise InputError(path, reason(row), int(lines[row]), column=column)


def dates(frame: pl.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers of a ``YYYY-MM-DD`` column, and where the text is not a date (empty or not)."""
    parsed = frame.get_column(column).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    bad = parsed.is_null().to_numpy()
    return parsed.cast(pl.Int32).fill_null(0).to_numpy().astype(np.int32), bad
