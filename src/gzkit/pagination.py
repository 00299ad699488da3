"""Server-side paging of list endpoints: ``?page=1&limit=20`` in, ``ListResource`` out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

MAX_LIMIT = 100
# A larger page is past any list; unbounded, page × limit overflowed the database's integers
# (a 500 on SQLite, found by fuzzing).
MAX_PAGE = 1_000_000

T = TypeVar("T")
M = TypeVar("M")


@dataclass(frozen=True)
class PaginationParams:
    """The requested page (1-based) and page size."""

    page: int
    limit: int


async def _pagination_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number.")] = 1,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 20,
) -> PaginationParams:
    return PaginationParams(page, limit)


PaginationQuery = Annotated[PaginationParams, Depends(_pagination_params)]


class Pagination(BaseModel):
    """How many items match in all, and the last page number (0 when none match)."""

    total_count: int
    max_page: int


class ListResource(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    pagination: Pagination

    @classmethod
    def build(cls, items: list[T], total_count: int, params: PaginationParams) -> ListResource[T]:
        """The page ``items`` of ``total_count`` matching items."""
        max_page = math.ceil(total_count / params.limit)
        return cls(items=items, pagination=Pagination(total_count=total_count, max_page=max_page))


def paginate(
    session: Session, statement: Select[M], params: PaginationParams
) -> tuple[Sequence[M], int]:
    """Run ``statement`` for one page; return its rows and the count of all matching rows.

    ``statement`` must already be ordered, with a unique last key, so pages never overlap.
    """
    count_statement: Select[int] = select(func.count()).select_from(
        statement.order_by(None).subquery()
    )
    total = session.scalar(count_statement) or 0
    rows = session.scalars(
        statement.limit(params.limit).offset((params.page - 1) * params.limit)
    ).all()
    return rows, total


def page_of(items: Sequence[T], params: PaginationParams) -> tuple[Sequence[T], int]:
    """One page of a list computed whole (a few rows, put together in code rather than by one
    query), and how many items it holds."""
    start = (params.page - 1) * params.limit
    return items[start : start + params.limit], len(items)
