"""Path parameters shared by the pool's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from gzkit.db import MAX_ROW_ID

# A larger number is no row; PostgreSQL would refuse to compare it with an integer column.
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
