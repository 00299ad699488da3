"""The alarms as staff read them: each kind's rows worded in Chinese, most urgent first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from gzkit.pagination import PaginationParams
from gzvpp.alarms.repository import AlarmRepository
from gzvpp.alarms.schemas import Alarm, AlarmCounts, AlarmKind
from gzvpp.core.model import Mode
from gzvpp.display import local_time, num
from gzvpp.events.realtime import REALTIME_TARGET
from gzvpp.kit.auth import Actor
from gzvpp.models import Role

STAFF = (Role.GRID_OPERATOR, Role.REGULATOR)


def _overdue(due: dt.datetime, now: dt.datetime) -> str:
    return "，已逾期" if due < now else ""


def _non_responder(row: Any, now: dt.datetime) -> Alarm:
    if row.mode is Mode.REALTIME:
        at = row.created_at + REALTIME_TARGET
        if not row.reported:
            missing = "仍无负荷数据"
        elif row.baseline is None:
            missing = "已有负荷数据，实时基线待计量数据到达后判定是否达标"
        else:
            missing = f"仍未达到调度容量 {num(row.kw)} kW"
        message = f"调度通知（{row.created_at:%H:%M}）后 5 分钟{missing}（第八条（二））"
    else:
        at = row.start_at + REALTIME_TARGET
        message = f"响应开始（{row.start_at:%H:%M}）5 分钟后仍无负荷数据"
    return Alarm(
        kind=AlarmKind.NON_RESPONDER,
        at=at,
        event_id=row.event_id,
        participant_id=row.participant_id,
        participant_name=row.name,
        message=message,
    )


def _bidding_shortfall(row: Any, now: dt.datetime) -> Alarm:
    return Alarm(
        kind=AlarmKind.BIDDING_SHORTFALL,
        at=row.bids_close_at,
        event_id=row.id,
        participant_id=None,
        participant_name=None,
        message=(
            f"申报将于 {local_time(row.bids_close_at)} 截止，已申报 {num(row.offered_kw)} kW，"
            f"低于需求 {num(row.demand_kw)} kW"
        ),
    )


def _ranking_due(row: Any, now: dt.datetime) -> Alarm:
    return Alarm(
        kind=AlarmKind.RANKING_DUE,
        at=row.ranking_due_at,
        event_id=row.id,
        participant_id=None,
        participant_name=None,
        message=(
            f"申报已截止，尚未出清；出清期限 {local_time(row.ranking_due_at)}"
            f"{_overdue(row.ranking_due_at, now)}"
        ),
    )


def _plan_due(row: Any, now: dt.datetime) -> Alarm:
    return Alarm(
        kind=AlarmKind.PLAN_DUE,
        at=row.notify_due_at,
        event_id=row.id,
        participant_id=None,
        participant_name=None,
        message=(
            f"已出清，执行计划尚未下发；下发期限 {local_time(row.notify_due_at)}"
            f"{_overdue(row.notify_due_at, now)}"
        ),
    )


def _missing_meter_data(row: Any, now: dt.datetime) -> Alarm:
    return Alarm(
        kind=AlarmKind.MISSING_METER_DATA,
        at=row.start_at,
        event_id=row.id,
        participant_id=None,
        participant_name=None,
        message=(
            f"响应日 {local_time(row.start_at.date())} 有 {row.accounts} 个营销户号缺少计量数据，"
            "评估无法完成（第九条）"
        ),
    )


def _suspended(row: Any, now: dt.datetime) -> Alarm:
    return Alarm(
        kind=AlarmKind.SUSPENDED,
        at=now,
        event_id=None,
        participant_id=row.participant_id,
        participant_name=row.name,
        message=f"本月已 {row.non_executions} 次未执行，暂停本月应邀（R6）",
    )


WORDING: dict[AlarmKind, Callable[[Any, dt.datetime], Alarm]] = {
    AlarmKind.NON_RESPONDER: _non_responder,
    AlarmKind.BIDDING_SHORTFALL: _bidding_shortfall,
    AlarmKind.RANKING_DUE: _ranking_due,
    AlarmKind.PLAN_DUE: _plan_due,
    AlarmKind.MISSING_METER_DATA: _missing_meter_data,
    AlarmKind.SUSPENDED: _suspended,
}


class AlarmService:
    """The one door to the alarms (staff only)."""

    @staticmethod
    def search(
        session: Session,
        actor: Actor,
        now: dt.datetime,
        pagination: PaginationParams,
        kind: AlarmKind | None = None,
    ) -> tuple[list[Alarm], int]:
        """One page of the alarms standing at ``now`` (of ``kind`` only, if given), by kind
        in the order of :class:`AlarmKind`, then by time."""
        actor.require(*STAFF)
        repository = AlarmRepository(session, now)
        alarms = [
            WORDING[k](row, now)
            for k in AlarmKind
            if kind in (None, k)
            for row in repository.rows(k)
        ]
        first = (pagination.page - 1) * pagination.limit
        return alarms[first : first + pagination.limit], len(alarms)

    @staticmethod
    def counts(session: Session, actor: Actor, now: dt.datetime) -> AlarmCounts:
        """How many alarms of each kind stand at ``now`` (one query)."""
        actor.require(*STAFF)
        by_kind = AlarmRepository(session, now).counts()
        return AlarmCounts(total=sum(by_kind.values()), by_kind=by_kind)


alarm_service = AlarmService()
