"""Row ids as the pool's routes take them: in paths, bodies and forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query
from pydantic import Field

from gzkit.db import MAX_ROW_ID

# A larger number is no row; PostgreSQL would refuse to compare it with an integer column.
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
RowIdValue = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]  # in a request body
RowIdForm = Annotated[int, Form(ge=1, le=MAX_ROW_ID)]  # in a console form
# The bank filter of the staff's lists (a bank's code).
BankCode = Annotated[str | None, Query(min_length=1, max_length=20, description="银行代码")]
