"""Bodies and answers of the partner banks' API (第二十条, 第二十二条, 第二十五条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from gzcreditpool.kit.params import RowIdValue
from gzcreditpool.models import BankStatus
from gzkit.request_input import Input

# 第二十条's conditions, each checked with its evidence.
CONDITIONS = {
    "branch": "在广州地区设有分行，并设有服务科技型中小企业的科技支行或专门机构",
    "policies": (
        "科技信贷单独的资金计划、风险容忍、免责考核、专项拨备、风险定价政策，有专门的信用贷款产品"
    ),
    "process": "优化科技型中小企业信贷业务流程，具有科技信贷专门产品和创新机制",
}
ConditionKey = Literal["branch", "policies", "process"]


class ConditionIn(Input):
    key: ConditionKey
    met: bool
    evidence: str = Field(min_length=1, max_length=500)


class CallIn(Input):
    """A call for partner banks (申报指南) and its application period (both days included)."""

    title: str = Field(min_length=1, max_length=200)
    opens_on: dt.date
    closes_on: dt.date


class CallOut(BaseModel):
    id: int
    title: str
    opens_on: dt.date
    closes_on: dt.date
    published_at: dt.datetime


class ApplicationIn(Input):
    """A bank's application under a call (申报指南)."""

    call_id: RowIdValue
    code: str = Field(pattern=r"^[A-Z0-9]{2,20}$", description="银行代码，如 B01")
    name: str = Field(min_length=1, max_length=200)
    conditions: list[ConditionIn] = Field(min_length=3, max_length=3)


class ScoresIn(Input):
    """The expert committee's scores (0–100), 第二十二条 (三)."""

    scores: list[Decimal] = Field(min_length=1, max_length=50)


class PublicityIn(Input):
    until: dt.date = Field(description="公示截止日（含）")


class DecisionIn(Input):
    selected: bool


class RevocationIn(Input):
    multiline = frozenset({"reason"})
    reason: str = Field(min_length=1, max_length=500)


class ConditionOut(BaseModel):
    key: str
    text: str
    met: bool
    evidence: str


class StatusChangeOut(BaseModel):
    status: BankStatus
    at: dt.datetime
    reason: str


class BankOut(BaseModel):
    id: int
    call_id: int
    code: str
    name: str
    status: BankStatus
    conditions: list[ConditionOut]
    expert_score: Decimal | None
    publicity_until: dt.date | None
    history: list[StatusChangeOut]
