"""The checks every pool file shares: ids, dates, money, booleans, whole numbers.

Each returns :class:`~gzcreditpool.files.tables.Check` s in the order a row is read, with the
reason in Chinese naming the value (the column is named beside it).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import polars as pl

from gzcreditpool.files.tables import Check, Table

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
MONEY_PATTERN = r"^\d{1,12}(\.\d{1,2})?$"  # up to 999,999,999,999.99 CNY: fen fit in int64
WHOLE_PATTERN = r"^\d{1,6}$"
BOOLEANS = ("true", "false")


def parsed(column: str) -> str:
    """Name of the parsed twin of ``column`` (a date, or fen for money)."""
    return f"{column}:parsed"


def dates(*columns: str) -> dict[str, pl.Expr]:
    """Parsed twins of date columns: null where not ``YYYY-MM-DD`` or no such day."""
    return {
        parsed(column): pl.when(pl.col(column).str.contains(DATE_PATTERN)).then(
            pl.col(column).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        )
        for column in columns
    }


def fen(*columns: str) -> dict[str, pl.Expr]:
    """Parsed twins of money columns in integer fen: null where not money."""
    return {
        parsed(column): pl.when(pl.col(column).str.contains(MONEY_PATTERN)).then(
            (pl.col(column).cast(pl.Decimal(16, 2), strict=False) * 100).cast(pl.Int64)
        )
        for column in columns
    }


def identifier(column: str) -> list[Check]:
    """Not empty, and not repeated in the file (the later line is the fault)."""
    return [
        required(column),
        Check(
            pl.col(column).is_duplicated() & ~pl.col(column).is_first_distinct(),
            column,
            _repeat(column),
        ),
    ]


def _repeat(column: str) -> Callable[[Table, int], str]:
    def reason(table: Table, row: int) -> str:
        value = table.value(column, row)
        first = table.frame[column].to_list().index(value)
        return f"{value!r} 重复，第 {table.line(first)} 行已有"

    return reason


def required(column: str) -> Check:
    return Check(pl.col(column) == "", column, lambda t, r: "为空")


def known(column: str, ids: pl.Series, where: str) -> Check:
    """The value is one of ``ids`` (e.g. a loan of the loans file)."""
    return Check(
        ~pl.col(column).is_in(ids.implode()),
        column,
        lambda t, r: f"{t.value(column, r)!r} 不在{where}中",
    )


def date(column: str, optional: bool = False) -> Check:
    bad = pl.col(parsed(column)).is_null()
    if optional:
        bad = bad & (pl.col(column) != "")
    return Check(bad, column, lambda t, r: f"{t.value(column, r)!r} 不是日期（应为 YYYY-MM-DD）")


def money(column: str, positive: bool = False) -> list[Check]:
    """Digits with at most two decimals; negative and (if ``positive``) zero named as such."""
    text = pl.col(column)
    checks = [
        Check(
            text.str.starts_with("-") & text.str.slice(1).str.contains(MONEY_PATTERN),
            column,
            lambda t, r: f"{t.value(column, r)} 为负数",
        ),
        Check(
            pl.col(parsed(column)).is_null(),
            column,
            lambda t, r: (
                f"{t.value(column, r)!r} 不是金额（数字，最多两位小数，不超过 999999999999.99）"
            ),
        ),
    ]
    if positive:
        checks.append(Check(pl.col(parsed(column)) == 0, column, lambda t, r: "不能为 0"))
    return checks


def boolean(column: str) -> Check:
    return Check(
        ~pl.col(column).is_in(BOOLEANS),
        column,
        lambda t, r: f"{t.value(column, r)!r} 应为 true 或 false（小写）",
    )


def whole_at_least_one(column: str) -> Check:
    text = pl.col(column)
    return Check(
        ~text.str.contains(WHOLE_PATTERN) | (text.str.contains(r"^0+$")),
        column,
        lambda t, r: f"{t.value(column, r)!r} 不是不小于 1 的整数",
    )


def one_of(column: str, values: Collection[str]) -> Check:
    return Check(
        ~pl.col(column).is_in(list(values)),
        column,
        lambda t, r: f"{t.value(column, r)!r} 不是 {'、'.join(values)} 之一",
    )
