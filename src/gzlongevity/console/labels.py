"""Chinese labels of the enums and values the console shows, and its filters."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from jinja2 import Environment

from gzlongevity.core.calendar import month_text
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS
from gzlongevity.kit.auth import ROLE_NAMES
from gzlongevity.models import (
    CaseKind,
    CaseStatus,
    ChangeKind,
    ChangeStatus,
    Channel,
    CheckKind,
    NoticeChannel,
    Origin,
    RegisterStatus,
    RunStatus,
    TaskStatus,
)
from gzlongevity.runs.schemas import PayerStatus

# StrEnum members equal their values (Role.STREET == Channel.STREET == "street"), so the
# table is keyed by (type name, value).
LABELS: list[tuple[StrEnum, str]] = [
    (TaskStatus.OPEN, "待通知"),
    (TaskStatus.NOTIFIED, "已通知待确认"),
    (TaskStatus.CONFIRMED, "已确认"),
    (TaskStatus.CLOSED, "已关闭"),
    (Origin.DATA, "数据比对"),
    (Origin.APPLICATION, "本人申请"),
    (RegisterStatus.REGISTERED, "在册"),
    (RegisterStatus.LEFT, "已迁出"),
    (RegisterStatus.DIED, "已身故"),
    (Channel.APP, "穗好办自助"),
    (Channel.COMMITTEE, "村（居）委代办"),
    (Channel.STREET, "街（镇）代办"),
    (RunStatus.COMPUTED, "审批中"),
    (RunStatus.APPROVED, "全部审批完成"),
    (PayerStatus.WAITING, "待上月审批"),
    (PayerStatus.COMPUTED, "待审批"),
    (PayerStatus.APPROVED, "已审批锁定"),
    (CaseKind.OVERPAYMENT, "多领"),
    (CaseKind.FRAUD, "虚报冒领"),
    (CaseStatus.OPEN, "待通知"),
    (CaseStatus.NOTIFIED, "已通知待退回"),
    (CaseStatus.CLAWBACK, "按协议原路扣回"),
    (CaseStatus.ORDERED, "已责令退回"),
    (CaseStatus.CLOSED, "已结案"),
    (CheckKind.HOME_VISIT, "入户调查"),
    (CheckKind.NEIGHBOUR, "邻里访问"),
    (CheckKind.PHONE, "电话询访"),
    (CheckKind.DATA, "数据比对"),
    (ChangeKind.PERSONAL, "个人信息"),
    (ChangeKind.BANK, "银行账户"),
    (ChangeStatus.PENDING, "待复核"),
    (ChangeStatus.APPLIED, "已生效"),
    (ChangeStatus.REJECTED, "已驳回"),
    (NoticeChannel.SMS, "短信"),
    (NoticeChannel.LETTER, "信函"),
]
BY_VALUE = {(type(key).__name__, key.value): text for key, text in [*LABELS, *ROLE_NAMES.items()]}


def label(value: StrEnum | str | None, kind: str = "") -> str:
    """The Chinese label of an enum member (or of ``kind``'s member with that value)."""
    if value is None:
        return "—"
    if isinstance(value, StrEnum):
        return BY_VALUE.get((type(value).__name__, value.value), value.value)
    return BY_VALUE.get((kind, value), value)


def local_time(moment: dt.datetime | dt.date | None) -> str:
    """``2021-09-20 09:00``, a date as ``2021-09-20``, or a dash."""
    if moment is None:
        return "—"
    if isinstance(moment, dt.datetime):
        return f"{moment:%Y-%m-%d %H:%M}"
    return f"{moment:%Y-%m-%d}"


def zh(message: str | None) -> str:
    """The Chinese half of a bilingual message (``中文 / English``)."""
    return "" if message is None else message.split(" / ")[0]


def install(environment: Environment) -> None:
    """Register the filters and globals on the console's Jinja environment."""
    environment.filters.update(
        label=label,
        time=local_time,
        zh=zh,
        month=month_text,
        district=lambda code: GUANGZHOU_DISTRICTS.get(code, code),
    )
