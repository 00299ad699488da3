"""CSV text as people save it (UTF-8, UTF-8 with BOM, GB18030): headers, and small tables
(participants, calendars, loans …) as rows of text with the line each came from."""

from __future__ import annotations

import csv
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Final

from gzkit.inputs import InputError
from gzkit.textfiles import TextDecodeError, iter_lines, normalise_encoding


def require_columns(
    path: Path | str, found: Sequence[str], columns: Sequence[str], row: int | None
) -> None:
    """Raise :class:`InputError` naming the first of ``columns`` missing from ``found``.

    ``row`` is where the column names are (1 for a CSV header, None for Parquet's schema).
    """
    missing = [name for name in columns if name not in found]
    if missing:
        raise InputError(
            path,
            f"缺少列 {missing[0]!r}：应为 {','.join(columns)}，实为 {','.join(found) or '无列'}",
            row=row,
        )


def decode_error(path: Path, error: TextDecodeError) -> InputError:
    """The input error for bytes that are not text in the encoding tried, naming the line."""
    return InputError(path, not_text(error.encoding), row=error.line)


def not_text(encoding: str) -> str:
    """The reason for bytes that are not text in ``encoding``, saying what is read."""
    return f"不是有效的 {encoding} 文本（支持 UTF-8、带 BOM 的 UTF-8、GB18030）"


_OS_FAULTS: Final = {
    FileNotFoundError: "文件不存在",
    IsADirectoryError: "这是一个目录",
    PermissionError: "没有读取权限",
}


def unreadable(what: str, error: BaseException) -> str:
    """The reason for a file that cannot be read as ``what`` (``CSV 文件``, ``Parquet 文件`` …).

    The common operating-system faults are said in Chinese; any other error's own words (a
    library's) follow in brackets, their first line only: a message is one line.
    """
    for kind, words in _OS_FAULTS.items():
        if isinstance(error, kind):
            return f"无法读取：{words}"
    detail = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    first = detail.strip().splitlines()[0] if detail.strip() else type(error).__name__
    return f"不是可读的 {what}（{first}）"


def csv_header(path: Path, columns: Sequence[str], encoding: str | None = None) -> list[str]:
    """The column names on a CSV file's first line, which must include ``columns``.

    Parameters
    ----------
    path : Path
    columns : sequence of str
        The columns the caller needs.
    encoding : str, optional
        ``utf-8``, ``utf-8-sig`` or ``gb18030`` (``gbk`` too); None detects it
        (:func:`gzkit.textfiles.detect_encoding`).

    Raises
    ------
    InputError
        If the file cannot be read or decoded, is empty, or lacks one of ``columns``.
    """
    with closing(_csv_reader(path, encoding)) as rows:
        return _header(path, rows, columns)


def csv_rows(
    path: Path, columns: Sequence[str], encoding: str | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield each data row of a small CSV file as ``(line, {column: text})``.

    Parameters
    ----------
    path : Path
        CSV whose header names at least ``columns``.
    columns : sequence of str
        The columns returned; others are ignored.
    encoding : str, optional
        As for :func:`csv_header`; None detects it.

    Yields
    ------
    line : int
        The row's line number, the header being line 1.
    values : dict of str to str
        The text of each of ``columns``, as written (an empty field is ``""``).

    Raises
    ------
    InputError
        If the file cannot be read or decoded (naming the line and the encoding tried), a
        column is missing, or a row has more or fewer fields than the header. Blank lines are
        skipped.
    """
    with closing(_csv_reader(path, encoding)) as rows:
        header = _header(path, rows, columns)
        where = [header.index(name) for name in columns]
        for line, fields in rows:
            if not fields:
                continue
            if len(fields) != len(header):
                raise InputError(
                    path, f"有 {len(fields)} 个字段，表头有 {len(header)} 个", row=line
                )
            yield line, {name: fields[i] for name, i in zip(columns, where, strict=True)}


def _header(path: Path, rows: Iterator[tuple[int, list[str]]], columns: Sequence[str]) -> list[str]:
    first = next(rows, None)
    if first is None:
        raise InputError(path, f"文件为空：第一行应为表头 {','.join(columns)}")
    require_columns(path, first[1], columns, row=1)
    return first[1]


def _csv_reader(path: Path, encoding: str | None) -> Generator[tuple[int, list[str]]]:
    """The file's CSV records with the line each ends on, decoded, faults as InputError."""
    try:
        chosen = normalise_encoding(encoding) if encoding else None
        reader = csv.reader(iter_lines(path, chosen))
        for fields in reader:
            yield reader.line_num, fields
    except TextDecodeError as exc:
        raise decode_error(path, exc) from None
    except (OSError, ValueError, csv.Error) as exc:
        raise InputError(path, unreadable("CSV 文件", exc)) from exc
