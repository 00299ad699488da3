"""The platform's Chinese terms, one per concept, as listed in ``docs/glossary.md``.

The console, the settlement workbook and the report take their words from here so that a reader
meets one name for one thing (提前4小时邀约, never 小时级邀约).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from gzvpp.alarms.schemas import AlarmKind
from gzvpp.core.assessment import Status
from gzvpp.core.eligibility import Condition
from gzvpp.core.model import Direction, Mode
from gzvpp.models.job import JobKind, JobStatus

# Keyed by enum member, typed by the base class so that label tables can merge them.
MODES: Mapping[StrEnum, str] = MappingProxyType(
    {Mode.DAY_AHEAD: "日前邀约", Mode.HOURS_AHEAD: "提前4小时邀约", Mode.REALTIME: "实时响应"}
)
DIRECTIONS: Mapping[StrEnum, str] = MappingProxyType({d: d.chinese for d in Direction})
# R4: the baseline chosen by the response day's type, or the real-time one (any day type).
BASELINE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "workday": "工作日基线",
        "restday": "休息日基线",
        "holiday": "节假日基线",
        "realtime": "实时基线",
    }
)
# R4, R5: whether a response could be evaluated (keyed by Status, read by its value too).
RESULT_STATUSES: Mapping[str, str] = MappingProxyType(
    {Status.OK: "正常", Status.BASELINE_UNAVAILABLE: "基线不可用", Status.MISSING_DATA: "数据缺失"}
)
# 第四条: the application conditions (R1), as the review names them.
CONDITIONS: Mapping[StrEnum, str] = MappingProxyType(
    {
        Condition.ACCOUNT: "营销户号",
        Condition.GENERAL_TAXPAYER: "一般纳税人",
        Condition.POLICY: "符合产业与环保政策",
        Condition.CAPABILITY: "响应能力",
        Condition.PEAK_SHARE: "响应能力占最大负荷比例",
        Condition.DURATION: "响应时长",
        Condition.REALTIME_MONITORING: "分钟级监控（实时响应）",
        Condition.REGISTERED_IN_GUANGZHOU: "在广州注册",
        Condition.REGISTERED_CAPITAL: "注册资本",
        Condition.MEMBER_POLICY: "代理用户符合政策",
        Condition.MEMBER_LIST: "代理用户明细表",
        Condition.DELEGATION_AGREEMENT: "委托协议",
        Condition.MEMBER_ACCOUNTS: "代理用户户号",
    }
)
# 告警: the kinds of alarm in the console's list and header.
ALARM_KINDS: Mapping[StrEnum, str] = MappingProxyType(
    {
        AlarmKind.NON_RESPONDER: "未响应",
        AlarmKind.BIDDING_SHORTFALL: "申报不足",
        AlarmKind.RANKING_DUE: "待出清",
        AlarmKind.PLAN_DUE: "待下发计划",
        AlarmKind.MISSING_METER_DATA: "缺计量数据",
        AlarmKind.SUSPENDED: "暂停应邀",
    }
)
# 后台任务: a background job's kind and status.
JOB_KINDS: Mapping[StrEnum, str] = MappingProxyType({JobKind.EVALUATION: "上传后评估"})
JOB_STATUSES: Mapping[StrEnum, str] = MappingProxyType(
    {
        JobStatus.QUEUED: "排队中",
        JobStatus.RUNNING: "运行中",
        JobStatus.DONE: "已完成",
        JobStatus.FAILED: "失败",
    }
)
# Words the glossary replaced: none of them may appear where a person reads.
FORBIDDEN_SYNONYMS: Mapping[str, str] = MappingProxyType(
    {
        "小时级邀约": "提前4小时邀约",
        "提前 4 小时邀约": "提前4小时邀约",
        "基线（调整后）": "基线（日内调节后）",
        "基线（未调整）": "基线（日内调节前）",
        "基线（调节前）": "基线（日内调节前）",
        "日内调整系数": "日内调节系数",
        "realtime基线": "实时基线",
    }
)


def baseline_type(value: str | None) -> str:
    """The Chinese name of an R4 baseline type (``workday`` → 工作日基线), a dash for none."""
    if value is None:
        return "—"
    return BASELINE_TYPES.get(value, value)
