"""The one error type for bad input files, in one Chinese form for every system:
``<文件> 第 N 行 <列> 列：<原因>`` (``loans.csv 第 5 行 amount 列：'12x' 不是金额``)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

# How each kind of position reads: a CSV line (the header is line 1), a Parquet data row
# (1-based), an item of a JSON list of events.
_POSITIONS: Final = {"line": "第 {} 行", "row": "第 {} 条记录", "event": "第 {} 个事件"}


def position(row: int, unit: str = "line") -> str:
    """Where ``row`` is in a file, in words: ``第 3 行`` (a CSV line), ``第 3 条记录`` (a Parquet
    row), ``第 3 个事件`` (an item of a JSON list of events)."""
    return _POSITIONS[unit].format(row)


class InputError(Exception):
    """Bad input: stops the run before anything is written.

    ``str(error)`` is the message a person reads, the same in gzvpp, gzlongevity and
    gzcreditpool: ``<path> 第 N 行 <column> 列：<reason>``, leaving out what is not known
    (``<path>：<reason>`` for a file that cannot be read at all).

    Parameters
    ----------
    path : path or str
        The file at fault, as the person named it.
    reason : str
        What is wrong, in Chinese words an analyst can act on.
    row : int, optional
        Where in the file: for CSV the line number counting the header as line 1, for Parquet
        the 1-based data row, for JSON the 1-based position of the item named by ``unit``.
    unit : str
        What ``row`` counts: ``line``, ``row`` or ``event``.
    column : str, optional
        The column (or field) at fault, where the fault is in one.
    """

    def __init__(
        self,
        path: Path | str,
        reason: str,
        row: int | None = None,
        unit: str = "line",
        column: str | None = None,
    ) -> None:
        if unit not in _POSITIONS:
            raise ValueError(f"unit {unit!r} is not one of {', '.join(_POSITIONS)}")
        self.path = str(path)
        self.reason = reason
        self.row = row
        self.unit = unit
        self.column = column
        super().__init__(self.path, reason, row, unit, column)

    def __str__(self) -> str:
        return f"{self.where(self.path)}：{self.reason}"

    def where(self, name: str) -> str:
        """``name`` followed by the position and column, e.g. ``loans.csv 第 5 行 amount 列``;
        the name is given so that a caller can show the file as a person sent it (an upload
        read from a temporary copy)."""
        parts = [name]
        if self.row is not None:
            parts.append(position(self.row, self.unit))
        if self.column is not None:
            parts.append(f"{self.column} 列")
        return " ".join(parts)

    def __reduce__(
        self,
    ) -> tuple[type[InputError], tuple[str, str, int | None, str, str | None]]:
        # Pickled whole, so that an error raised on a Dask worker reaches the client as it is.
        return (InputError, (self.path, self.reason, self.row, self.unit, self.column))
