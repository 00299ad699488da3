"""Paging of the consoles' lists: 20 rows a page, numbered from 1."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from gzkit.pagination import PaginationParams, page_of

PAGE_SIZE = 20
T = TypeVar("T")


def paging(page: int) -> PaginationParams:
    """The query's page and size for console page ``page``."""
    return PaginationParams(page, PAGE_SIZE)


def page_count(total: int) -> int:
    """How many pages ``total`` rows fill (at least one, shown even when empty)."""
    return max(1, -(-total // PAGE_SIZE))


def listing(rows: Sequence[Any], total: int, page: int) -> dict[str, Any]:
    """One page of a server-paged list as template context: its rows and the pager's figures."""
    return {"rows": rows, "total": total, "page": page, "pages": page_count(total)}


def page_slice(items: Sequence[T], page: int) -> Sequence[T]:
    """Page ``page`` of a list held whole."""
    return page_of(items, paging(page))[0]


def paged_slice(items: Sequence[Any], page: int) -> dict[str, Any]:
    """One page of a list the page already holds whole, as ``listing`` context."""
    return listing(page_slice(items, page), len(items), page)
