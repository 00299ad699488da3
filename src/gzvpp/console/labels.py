"""Chinese labels of the console's templates, and the display formats of :mod:`gzvpp.display`
as template filters.

Times are naive Guangzhou local time already (see ``kit.clock``); they are shown as such.
"""

from __future__ import annotations

from enum import StrEnum

from jinja2 import Environment

from gzkit.calendar import DayType
from gzkit.text import chinese_half
from gzvpp import display
from gzvpp.accounts.schemas import Access, TokenStatus
from gzvpp.core.eligibility import UserCategory
from gzvpp.core.model import ParticipantKind
from gzvpp.models import EventStatus, NotificationKind, ParticipantStatus, PriceMode, Role
from gzvpp.terms import (
    ALARM_KINDS,
    CONDITIONS,
    DIRECTIONS,
    JOB_KINDS,
    JOB_STATUSES,
    MODES,
    baseline_type,
)

LABELS: dict[StrEnum, str] = {
    Role.GRID_OPERATOR: "广州供电局",
    Role.REGULATOR: "市工信局",
    Role.AGGREGATOR: "负荷聚合商",
    Role.POWER_USER: "电力用户",
    Role.METERING: "计量系统",
    ParticipantKind.USER: "电力用户",
    ParticipantKind.AGGREGATOR: "负荷聚合商",
    ParticipantStatus.SUBMITTED: "已提交",
    ParticipantStatus.GRID_REVIEW: "电网审核中",
    ParticipantStatus.PUBLICITY: "公示中",
    ParticipantStatus.ACTIVE: "已签约",
    ParticipantStatus.REJECTED: "已驳回",
    UserCategory.LARGE_INDUSTRY: "大工业",
    UserCategory.GENERAL_COMMERCIAL: "一般工商业",
    EventStatus.PUBLISHED: "邀约中",
    EventStatus.RANKED: "已出清",
    EventStatus.NOTIFIED: "已下发计划",
    EventStatus.DISPATCHED: "已调度",
    EventStatus.EVALUATED: "已评估",
    EventStatus.CANCELLED: "已取消",
    **MODES,
    **DIRECTIONS,
    PriceMode.FIXED: "固定价格",
    PriceMode.BIDDING: "竞价",
    **CONDITIONS,
    **ALARM_KINDS,
    DayType.WORKDAY: "工作日",
    DayType.RESTDAY: "休息日",
    DayType.HOLIDAY: "节假日",
    NotificationKind.INVITATION: "邀约",
    NotificationKind.PLAN: "执行计划",
    NotificationKind.DISPATCH: "实时调度",
    NotificationKind.CANCELLATION: "取消",
    NotificationKind.RESULT: "评估结果",
    **JOB_KINDS,
    **JOB_STATUSES,
}
# Enums whose values repeat another's ("active"): a StrEnum member is a dict key equal to its
# value, so these are labelled by class and value only: ``label(t.status.value, "TokenStatus")``.
LABELS_BY_KIND: list[tuple[StrEnum, str]] = [
    (TokenStatus.ACTIVE, "有效"),
    (TokenStatus.EXPIRED, "已过期"),
    (TokenStatus.REVOKED, "已吊销"),
    (Access.FULL, "正常"),
    (Access.READ_ONLY, "只读"),
    (Access.NONE, "不可访问"),
]
# Every enum a template labels, by its value (templates see the JSON API's strings too).
_BY_VALUE = {
    (type(key).__name__, key.value): text for key, text in [*LABELS.items(), *LABELS_BY_KIND]
}


def label(value: StrEnum | str | None, kind: str = "") -> str:
    """The Chinese label of an enum member, or of ``kind``'s member with that value."""
    if value is None:
        return "—"
    if isinstance(value, StrEnum):
        return LABELS.get(value, value.value)
    return _BY_VALUE.get((kind, value), value)


def zh(message: str | None) -> str:
    """The Chinese half of a bilingual service message (``中文 / English``)."""
    return "" if message is None else chinese_half(message)


def install(environment: Environment) -> None:
    """Register the filters on a Jinja environment."""
    environment.filters.update(
        label=label,
        time=display.local_time,
        num=display.num,
        cny=display.cny,
        percent=display.percent,
        rank_score=display.rank_score,
        zh=zh,
        baseline_type=baseline_type,
    )
    environment.globals["score"] = display.score
