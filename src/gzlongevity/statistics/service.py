"""The figures of a month (第六条; L2, L3, L7, L8): beneficiaries by tier and district, money
by the city's and the district's share (the city standard split by the rule version's
configured district share; the district extra and the 100+ payment are the district's, 第五条),
arrears, overpayments found, and recovery as it stood at the month's end: what the cases
opened by then ask back, what had come back by then (第二十条), and their rate — so a month's
figures do not change when asked later."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from gzlongevity.core.calendar import month_text
from gzlongevity.core.deadlines import month_end, month_of
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS, yuan
from gzlongevity.kit.auth import Actor
from gzlongevity.models import (
    LineKind,
    PaymentRun,
    RecoveryCase,
    RecoveryPayment,
    Role,
    RuleVersion,
    RunLine,
    RunOverpayment,
)
from gzlongevity.runs.service import get_run
from gzlongevity.statistics.schemas import DistrictFigures, MonthFigures

CENT = Decimal("0.01")


def _share(city_fen: int, percent: int) -> tuple[Decimal, Decimal]:
    """The city standard's money split into (city, district) shares, half-up to the fen."""
    district = (Decimal(city_fen) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return yuan(city_fen - int(district)), yuan(int(district))


def month_figures(session: Session, actor: Actor, month: int) -> MonthFigures:
    """The figures of ``month``'s run in the actor's jurisdiction."""
    actor.forbid(Role.COMMITTEE, Role.EXCHANGE)
    run = get_run(session, month)
    version = session.scalars(
        select(RuleVersion).where(RuleVersion.from_month <= month, RuleVersion.to_month >= month)
    ).first()
    percent = version.district_share_pct if version else 0
    scope = (RunLine.run_id == run.id, actor.place_condition(RunLine.district, RunLine.street))
    centenarian = RunLine.kind == LineKind.CENTENARIAN
    money = session.execute(
        select(
            RunLine.district,
            func.sum(case((centenarian, 0), else_=RunLine.city_fen)),
            func.sum(RunLine.extra_fen),
            func.sum(case((centenarian, RunLine.city_fen), else_=0)),
            func.sum(case((centenarian, 1), else_=0)),
            func.sum(
                case(
                    (RunLine.kind == LineKind.ARREARS, RunLine.city_fen + RunLine.extra_fen),
                    else_=0,
                )
            ),
        )
        .where(*scope, actor.person_condition(RunLine.person_id))
        .group_by(RunLine.district)
    ).all()
    tiers = session.execute(
        select(RunLine.district, RunLine.tier, func.count(func.distinct(RunLine.person_id)))
        .where(*scope, actor.person_condition(RunLine.person_id), RunLine.kind == LineKind.MONTHLY)
        .group_by(RunLine.district, RunLine.tier)
    ).all()
    people = dict(
        session.execute(
            select(RunLine.district, func.count(func.distinct(RunLine.person_id)))
            .where(*scope, actor.person_condition(RunLine.person_id))
            .group_by(RunLine.district)
        ).all()
    )
    districts = []
    for code, city, extra, hundred_fen, _, arrears in money:
        city_part, district_part = _share(int(city), percent)
        by_tier = {str(tier): count for d, tier, count in tiers if d == code}
        districts.append(
            DistrictFigures(
                district=code,
                name=GUANGZHOU_DISTRICTS.get(code, code),
                beneficiaries=people.get(code, 0),
                by_tier=by_tier,
                amount_cny=yuan(int(city) + int(extra) + int(hundred_fen)),
                city_share_cny=city_part,
                district_share_cny=district_part + yuan(int(extra)) + yuan(int(hundred_fen)),
                district_extra_cny=yuan(int(extra)),
                centenarian_cny=yuan(int(hundred_fen)),
                arrears_cny=yuan(int(arrears)),
            )
        )
    districts.sort(key=lambda item: item.district)
    overpaid = session.scalar(
        select(func.coalesce(func.sum(RunOverpayment.amount_fen), 0)).where(
            RunOverpayment.run_id == run.id,
            actor.place_condition(RunOverpayment.district, RunOverpayment.street),
            actor.person_condition(RunOverpayment.person_id),
        )
    )
    end = month_end(month)
    cases = (
        actor.place_condition(RecoveryCase.district, RecoveryCase.street),
        actor.person_condition(RecoveryCase.person_id),
    )
    opened = (
        session.scalar(
            select(func.coalesce(func.sum(RecoveryCase.amount_fen), 0)).where(
                *cases, RecoveryCase.opened_on <= end
            )
        )
        or 0
    )
    recovered = (
        session.scalar(
            select(func.coalesce(func.sum(RecoveryPayment.amount_fen), 0))
            .join(RecoveryCase, RecoveryCase.id == RecoveryPayment.case_id)
            .where(*cases, RecoveryPayment.on <= end)
        )
        or 0
    )
    all_tiers: dict[str, int] = {}
    for item in districts:
        for tier, count in item.by_tier.items():
            all_tiers[tier] = all_tiers.get(tier, 0) + count
    return MonthFigures(
        month=month_text(month),
        status=run.status.value,
        beneficiaries=sum(item.beneficiaries for item in districts),
        by_tier=dict(sorted(all_tiers.items())),
        amount_cny=sum((item.amount_cny for item in districts), Decimal("0.00")),
        city_share_cny=sum((item.city_share_cny for item in districts), Decimal("0.00")),
        district_share_cny=sum((item.district_share_cny for item in districts), Decimal("0.00")),
        district_extra_cny=sum((item.district_extra_cny for item in districts), Decimal("0.00")),
        centenarian_count=sum(int(row[4]) for row in money),
        centenarian_cny=sum((item.centenarian_cny for item in districts), Decimal("0.00")),
        arrears_cny=sum((item.arrears_cny for item in districts), Decimal("0.00")),
        overpaid_cny=yuan(int(overpaid or 0)),
        recovered_cny=yuan(int(recovered)),
        owed_cny=yuan(int(opened)),
        recovery_rate=(Decimal(int(recovered)) / Decimal(int(opened))).quantize(Decimal("0.0001"))
        if opened
        else None,
        districts=districts,
    )


def monthly_series(session: Session, actor: Actor) -> dict[str, object]:
    """Every run's money by tier and by district, beneficiaries, arrears, overpayments and
    recoveries, in the actor's jurisdiction, for the dashboard's charts (CNY as numbers)."""
    actor.forbid(Role.COMMITTEE, Role.EXCHANGE)
    runs = dict(
        session.execute(select(PaymentRun.id, PaymentRun.month).order_by(PaymentRun.month)).all()
    )
    months = sorted(runs.values())
    scope = (
        actor.place_condition(RunLine.district, RunLine.street),
        actor.person_condition(RunLine.person_id),
    )
    amount = RunLine.city_fen + RunLine.extra_fen

    def per_month(rows: Sequence[Any]) -> dict[str, list[float]]:
        series: dict[str, list[float]] = {}
        for run_id, key, value in rows:
            series.setdefault(str(key), [0.0] * len(months))[months.index(runs[run_id])] = float(
                yuan(int(value))
            )
        return dict(sorted(series.items()))

    by_tier = per_month(
        session.execute(
            select(RunLine.run_id, RunLine.tier, func.sum(amount))
            .where(*scope, RunLine.kind != LineKind.CENTENARIAN)
            .group_by(RunLine.run_id, RunLine.tier)
        ).all()
    )
    by_district = per_month(
        session.execute(
            select(RunLine.run_id, RunLine.district, func.sum(amount))
            .where(*scope)
            .group_by(RunLine.run_id, RunLine.district)
        ).all()
    )
    people = dict(
        session.execute(
            select(RunLine.run_id, func.count(func.distinct(RunLine.person_id)))
            .where(*scope, RunLine.kind == LineKind.MONTHLY)
            .group_by(RunLine.run_id)
        ).all()
    )
    arrears = dict(
        session.execute(
            select(RunLine.run_id, func.sum(amount))
            .where(*scope, RunLine.kind == LineKind.ARREARS)
            .group_by(RunLine.run_id)
        ).all()
    )
    overpaid = dict(
        session.execute(
            select(RunOverpayment.run_id, func.sum(RunOverpayment.amount_fen))
            .where(
                actor.place_condition(RunOverpayment.district, RunOverpayment.street),
                actor.person_condition(RunOverpayment.person_id),
            )
            .group_by(RunOverpayment.run_id)
        ).all()
    )
    ids = {month: run_id for run_id, month in runs.items()}
    # Recovery (第二十条): what cases ask back, by the run that found them, and what came back,
    # by the month it came back (a claw-back, or each repayment).
    cases = (
        actor.place_condition(RecoveryCase.district, RecoveryCase.street),
        actor.person_condition(RecoveryCase.person_id),
    )
    owed = dict.fromkeys(months, 0)
    back = dict.fromkeys(months, 0)
    for found_in, amount_fen in session.execute(
        select(RecoveryCase.found_in_run, RecoveryCase.amount_fen).where(*cases)
    ):
        if found_in in owed:
            owed[found_in] += amount_fen
    for on, amount_fen in session.execute(
        select(RecoveryPayment.on, RecoveryPayment.amount_fen)
        .join(RecoveryCase, RecoveryCase.id == RecoveryPayment.case_id)
        .where(*cases)
    ):
        if month_of(on) in back:
            back[month_of(on)] += amount_fen
    return {
        "months": [month_text(month) for month in months],
        "by_tier": by_tier,
        "by_district": {
            GUANGZHOU_DISTRICTS.get(code, code): values for code, values in by_district.items()
        },
        "beneficiaries": [people.get(ids[month], 0) for month in months],
        "arrears": [float(yuan(int(arrears.get(ids[month]) or 0))) for month in months],
        "overpaid": [float(yuan(int(overpaid.get(ids[month]) or 0))) for month in months],
        "recovery_owed": [float(yuan(owed[month])) for month in months],
        "recovered": [float(yuan(back[month])) for month in months],
    }
