"""Small CSV tables (participants, calendars, loans …): rows as text with the line each came from.

Files are decoded by :mod:`gzkit.textfiles`, so UTF-8 (with or without a BOM) and GB18030 (what
Excel saves on a Chinese Windows) both read.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

from gzkit.inputs import InputError
from gzkit.textfiles import TextDecodeError, iter_lines


def require_columns(
    path: Path, found: Sequence[str], columns: Sequence[str], row: int | None
) -> None:
    """Raise :class:`InputError` naming the first of ``columns`` missing from ``found``.

    ``row`` is where the column names are (1 for a CSV header, None for Parquet's schema).
    """
    missing = [name for name in columns if name not in found]
    if missing:
        raise InputError(
            path,
            f"missing column {missing[0]!r}: expected {','.join(columns)}, "
            f"found {','.join(found) or 'no columns'}",
            row=row,
        )


def csv_rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield each data row of a small CSV file as ``(line, {column: text})``.

    Parameters
    ----------
    path : Path
        CSV in UTF-8 (a byte-order mark is allowed) or GB18030 whose header names at least
        ``columns``.
    columns : sequence of str
        The columns returned; others are ignored.

    Yields
    ------
    line : int
        The row's line number, the header being line 1.
    values : dict of str to str
        The text of each of ``columns``, as written (an empty field is ``""``).

    Raises
    ------
    InputError
        If the file cannot be read or decoded (naming the line), a column is missing, or a row
        has more or fewer fields than the header. Blank lines are skipped.
    """
    try:
        reader = csv.reader(iter_lines(path))
        header = next(reader, None)
        if header is None:
            raise InputError(path, f"the file is empty; expected the header {','.join(columns)}")
        require_columns(path, header, columns, row=1)
        where = [header.index(name) for name in columns]
        for fields in reader:
            if not fields:
                continue
            if len(fields) != len(header):
                raise InputError(
                    path,
                    f"{len(fields)} fields where the header has {len(header)}",
                    row=reader.line_num,
                )
            yield (
                reader.line_num,
                {name: fields[i] for name, i in zip(columns, where, strict=True)},
            )
    except TextDecodeError as exc:
        raise InputError(path, f"not valid {exc.encoding} text", row=exc.line) from exc
    except (OSError, csv.Error) as exc:
        raise InputError(path, f"not a readable CSV file: {exc}") from exc
