"""Rule configuration (L2, 第五条, L9): district standards with valid-from months and rule
versions over ranges of months. A change may only take effect after the last approved run:
approved runs keep the lines they paid, and a run never starts from a month it could change,
so adding a successor never changes a past run's result."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.errors import Conflict, Invalid
from gzlongevity.core.calendar import month_text
from gzlongevity.core.standards import CITY_MONTHLY_FEN, GUANGZHOU_DISTRICTS, TIERS, fen_of, yuan
from gzlongevity.kit.audit import record
from gzlongevity.kit.auth import Actor
from gzlongevity.models import DistrictStandard, PaymentRun, Role, RuleVersion, RunStatus
from gzlongevity.rules.schemas import RulesOut, StandardIn, StandardOut, VersionIn, VersionOut
from gzlongevity.runs.service import month_of_text


def _after_approved(session: Session, month: int) -> None:
    """Refuse a change taking effect in a month whose run is approved."""
    last = session.scalar(
        select(func.max(PaymentRun.month)).where(PaymentRun.status == RunStatus.APPROVED)
    )
    if last is not None and month <= last:
        raise Conflict(
            f"{month_text(month)} 的发放已审批，新规则只能自 {month_text(last + 1)} 起生效 / "
            "takes effect only after the last approved run"
        )


def add_standard(session: Session, actor: Actor, now: dt.datetime, body: StandardIn) -> StandardOut:
    """A district standard from a month on. City only.

    Raises
    ------
    Invalid
        Not a Guangzhou district, or below the city standard (第五条 keeps higher standards).
    Conflict
        From a month already approved, or the same district, tier and month again.
    """
    actor.require(Role.CITY)
    if body.district not in GUANGZHOU_DISTRICTS:
        raise Invalid(
            f"{body.district} 不是广州市的区划代码 / not a Guangzhou district", "district"
        )
    fen = fen_of(body.monthly_cny)
    city = int(CITY_MONTHLY_FEN[TIERS.index(body.tier)])
    if fen < city:
        raise Invalid(f"低于市标准 {yuan(city)} 元 / below the city standard", "monthly_cny")
    month = month_of_text(body.from_month)
    _after_approved(session, month)
    if session.scalar(
        select(DistrictStandard.id).where(
            DistrictStandard.district == body.district,
            DistrictStandard.tier == body.tier,
            DistrictStandard.from_month == month,
        )
    ):
        raise Conflict("该区、档次和起始月已有标准 / already set")
    row = DistrictStandard(
        district=body.district, tier=body.tier, monthly_fen=fen, from_month=month, created_at=now
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor.label,
        "standard.add",
        "district_standard",
        str(row.id),
        None,
        snapshot(row),
        at=now,
    )
    return StandardOut(
        district=row.district, tier=row.tier, monthly_cny=yuan(fen), from_month=body.from_month
    )


def add_version(session: Session, actor: Actor, now: dt.datetime, body: VersionIn) -> VersionOut:
    """A rule version (e.g. the successor measure after 2026-08). City only.

    Raises
    ------
    Invalid
        Ends before it starts.
    Conflict
        Starts in an approved month, or overlaps another version.
    """
    actor.require(Role.CITY)
    start, end = month_of_text(body.from_month), month_of_text(body.to_month)
    if end < start:
        raise Invalid("结束月份早于起始月份 / ends before it starts", "to_month")
    _after_approved(session, start)
    if session.scalar(
        select(RuleVersion.name).where(RuleVersion.from_month <= end, RuleVersion.to_month >= start)
    ):
        raise Conflict("与已有政策版本的月份重叠 / overlaps another version")
    version = RuleVersion(
        name=body.name.strip(),
        from_month=start,
        to_month=end,
        district_share_pct=body.district_share_pct,
        created_at=now,
    )
    session.add(version)
    session.flush()
    record(
        session,
        actor.label,
        "rule_version.add",
        "rule_version",
        str(version.id),
        None,
        snapshot(version),
        at=now,
    )
    return VersionOut(
        name=version.name,
        from_month=body.from_month,
        to_month=body.to_month,
        district_share_pct=version.district_share_pct,
    )


def rules(session: Session) -> RulesOut:
    """Every version and standard, in order."""
    return RulesOut(
        versions=[
            VersionOut(
                name=v.name,
                from_month=month_text(v.from_month),
                to_month=month_text(v.to_month),
                district_share_pct=v.district_share_pct,
            )
            for v in session.scalars(select(RuleVersion).order_by(RuleVersion.from_month))
        ],
        standards=[
            StandardOut(
                district=s.district,
                tier=s.tier,
                monthly_cny=yuan(s.monthly_fen),
                from_month=month_text(s.from_month),
            )
            for s in session.scalars(
                select(DistrictStandard).order_by(
                    DistrictStandard.district, DistrictStandard.tier, DistrictStandard.from_month
                )
            )
        ],
    )
