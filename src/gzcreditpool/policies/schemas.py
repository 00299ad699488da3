"""Bodies and answers of the rule versions (C10; 第三十一条, 第三十二条)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from gzkit.request_input import Input


class PolicyVersionIn(Input):
    """An earlier policy 市科技局 carries loans in under (第三十一条)."""

    code: str = Field(min_length=1, max_length=16, pattern=r"^[0-9A-Za-z_-]+$")
    title: str = Field(min_length=1, max_length=100, description="文号，如 穗科规字〔2019〕4号")
    starts_on: dt.date
    ends_on: dt.date


class PolicyVersionOut(BaseModel):
    """A rule version; ``earlier``: a policy before this one, whose loans' claims are handled
    under it (第三十一条)."""

    code: str
    title: str
    starts_on: dt.date
    ends_on: dt.date
    earlier: bool
    loans: int
