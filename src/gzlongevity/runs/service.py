"""The monthly run's workflow (第十三条, L5): the city computes month M on or after its run
day from what the database holds (the engine sees the data known by the run day, so computing
later gives the same list); while no district has approved it may be recomputed; each street
reviews its exceptions, then its district approves; when every district has approved the run
is locked, its overpayments become recovery cases and the claw-backs it carried are settled.
A run needs the previous month's run approved (the engine pays every due line not yet paid,
so a month is never skipped)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gzkit.audit import snapshot
from gzkit.db import bulk_insert
from gzkit.errors import Conflict, Invalid, NotFound
from gzlongevity.batch.replay import Kind
from gzlongevity.core.calendar import FIRST_MONTH, day_of, month_text, parse_month, run_date
from gzlongevity.core.deadlines import pay_deadline
from gzlongevity.core.entitlement import Reason
from gzlongevity.core.standards import GUANGZHOU_DISTRICTS, TIERS, yuan
from gzlongevity.intake.repository import raw_frame
from gzlongevity.kit.audit import record
from gzlongevity.kit.auth import Actor, mask_id
from gzlongevity.models import (
    LineKind,
    OverpaymentReason,
    PaymentRun,
    Person,
    Role,
    RuleVersion,
    RunLine,
    RunOverpayment,
    RunSignoff,
    RunStatus,
)
from gzlongevity.recovery.service import open_cases_for_run, settle_clawbacks
from gzlongevity.runs.ledger import work_out
from gzlongevity.runs.schemas import DistrictProgress, ExceptionLine, RunOut

RUN_DAY = 20  # L5 default: the run for month M sees the data known by M-20
KINDS = {
    Kind.ARREARS: LineKind.ARREARS,
    Kind.CENTENARIAN: LineKind.CENTENARIAN,
    Kind.MONTHLY: LineKind.MONTHLY,
}
REASONS = {Reason.DIED: OverpaymentReason.DIED, Reason.LEFT: OverpaymentReason.LEFT}


def month_of_text(text: str) -> int:
    """The month number of ``YYYY-MM``, or a 422."""
    try:
        return parse_month(text)
    except ValueError:
        raise Invalid(f"{text!r} 不是 YYYY-MM 格式的月份 / not a YYYY-MM month", "month") from None


def get_run(session: Session, month: int) -> PaymentRun:
    """The run of ``month``, or a 404."""
    run = session.scalars(select(PaymentRun).where(PaymentRun.month == month)).one_or_none()
    if run is None:
        raise NotFound(f"{month_text(month)} 尚未核算 / no run for {month_text(month)}")
    return run


def compute(session: Session, actor: Actor, now: dt.datetime, month: int) -> PaymentRun:
    """Compute (or recompute) the run of ``month``. City only.

    Raises
    ------
    Invalid
        Before 2021-09, outside every rule version (L9), or before the run day.
    Conflict
        A district has approved (the run is locked), or the previous month is not approved.
    """
    actor.require(Role.CITY)
    if month < FIRST_MONTH:
        raise Invalid("2021 年 9 月前没有发放 / nothing is paid before 2021-09", "month")
    version = session.scalars(
        select(RuleVersion).where(RuleVersion.from_month <= month, RuleVersion.to_month >= month)
    ).first()
    if version is None:
        raise Invalid(
            f"{month_text(month)} 不在任何有效的政策版本内（第二十六条）/ no rule version in force",
            "month",
        )
    seen_on = day_of(run_date(month, RUN_DAY))
    if now.date() < seen_on:
        raise Invalid(f"核算日为 {seen_on}，尚未到 / the run day {seen_on} has not come", "month")
    earlier = session.scalar(select(func.max(PaymentRun.month)).where(PaymentRun.month < month))
    if earlier is not None:
        previous = get_run(session, earlier)
        if earlier != month - 1 or previous.status is not RunStatus.APPROVED:
            raise Conflict(
                f"须先完成 {month_text(month - 1)} 的发放审批 / "
                f"approve {month_text(month - 1)} first"
            )
    run = session.scalars(select(PaymentRun).where(PaymentRun.month == month)).one_or_none()
    before = None
    if run is not None:
        if session.scalar(
            select(func.count()).where(RunSignoff.run_id == run.id, RunSignoff.street == "")
        ):
            raise Conflict("已有区审批，发放名单已锁定 / approved runs are locked")
        before = snapshot(run)
        for table in (RunLine, RunOverpayment, RunSignoff):
            session.execute(delete(table).where(table.run_id == run.id))
    else:
        run = PaymentRun(
            month=month,
            run_date=seen_on,
            status=RunStatus.COMPUTED,
            computed_at=now,
            computed_by=actor.label,
        )
        session.add(run)
    run.computed_at, run.computed_by, run.status = now, actor.label, RunStatus.COMPUTED
    session.flush()
    _store(session, run, month)
    record(
        session,
        actor.label,
        "run.compute",
        "payment_run",
        month_text(month),
        before,
        snapshot(run),
        at=now,
    )
    return run


LINE_COLUMNS = (
    "run_id",
    "person_id",
    "district",
    "street",
    "kind",
    "for_month",
    "tier",
    "city_fen",
    "extra_fen",
)
OVERPAYMENT_COLUMNS = (
    "run_id",
    "person_id",
    "district",
    "street",
    "for_month",
    "kind",
    "amount_fen",
    "paid_in_run",
    "reason",
)


def _store(session: Session, run: PaymentRun, month: int) -> None:
    """Work the month out and keep its lines (but those of people whose payment a failed
    check stopped, 第十九条) and its overpayments, with the run's totals by district and the
    streets with exceptions to review."""
    worked = work_out(session, month, RUN_DAY)
    register, payments, over = worked.register, worked.result.payments, worked.result.overpayments
    ids = pl.Series("person_id", register.person_ids, dtype=pl.String)
    districts = pl.Series([district for district, _ in register.places] or [""], dtype=pl.String)
    streets = pl.Series([street for _, street in register.places] or [""], dtype=pl.String)
    kinds = pl.Series([KINDS[kind].value for kind in Kind], dtype=pl.String)
    stops = raw_frame(
        session,
        "SELECT id_number, suspended_from FROM persons WHERE suspended_from IS NOT NULL",
        ("person_id", "stop"),
    ).with_columns(pl.col("stop").cast(pl.Int32))
    lines = pl.DataFrame(
        {
            "run_id": pl.repeat(run.id, len(payments.person), dtype=pl.Int64, eager=True),
            "person_id": ids.gather(payments.person),
            "district": districts.gather(payments.place),
            "street": streets.gather(payments.place),
            "kind": kinds.gather(payments.kind),
            "for_month": payments.for_month,
            "tier": np.asarray(TIERS, dtype=np.int32)[payments.tier],
            "city_fen": payments.city_fen,
            "extra_fen": payments.extra_fen,
        }
    ).join(stops, on="person_id", how="left", maintain_order="left")
    held = pl.col("stop").is_not_null() & (pl.col("for_month") >= pl.col("stop"))
    run.held = int(lines.select(held.sum()).item() or 0)
    lines = lines.filter(~held).drop("stop")
    bulk_insert(session, "run_lines", LINE_COLUMNS, lines.rows())
    homes = raw_frame(
        session,
        "SELECT id_number, district, street FROM persons WHERE 1 = 1",
        ("person_id", "district", "street"),
        sorted(set(ids.gather(over.person).to_list())),
        key="id_number",
    )
    found = (
        pl.DataFrame(
            {
                "run_id": pl.repeat(run.id, len(over.person), dtype=pl.Int64, eager=True),
                "person_id": ids.gather(over.person),
                "for_month": over.for_month,
                "kind": kinds.gather(over.kind),
                "amount_fen": over.amount_fen,
                "paid_in_run": over.paid_in_run,
                "reason": pl.Series(
                    [REASONS[Reason(int(r))].value for r in over.reason], dtype=pl.String
                ),
            }
        )
        .join(homes, on="person_id", how="left", maintain_order="left")
        .select(OVERPAYMENT_COLUMNS)
    )
    bulk_insert(session, "run_overpayments", OVERPAYMENT_COLUMNS, found.rows())
    money = pl.col("city_fen") + pl.col("extra_fen")
    run.lines = lines.height
    run.amount_fen = int(lines.select(money.sum()).item() or 0)
    run.district_totals = {
        district: [int(count), int(fen)]
        for district, count, fen in lines.group_by("district").agg(pl.len(), money.sum()).rows()
    }
    places = (
        pl.concat(
            [
                lines.filter(pl.col("kind") != LineKind.MONTHLY.value).select("district", "street"),
                found.select("district", "street"),
            ]
        )
        .unique()
        .sort("district", "street")
    )
    exceptional: dict[str, list[str]] = {}
    for district, street in places.rows():
        exceptional.setdefault(district, []).append(street)
    run.exception_streets = exceptional


def exceptions(session: Session, actor: Actor, month: int) -> list[ExceptionLine]:
    """What a street reviews in a run, in the actor's jurisdiction: arrears and 100+ lines,
    overpayments found, people whose payment a failed check holds, death-date conflicts."""
    actor.forbid(Role.COMMITTEE, Role.EXCHANGE)
    run = get_run(session, month)
    found: list[ExceptionLine] = []
    names = {
        LineKind.ARREARS: "补发",
        LineKind.CENTENARIAN: "百岁老人慰问金",
    }
    lines = session.execute(
        select(RunLine, Person.name, Person.ref)
        .join(Person, Person.id_number == RunLine.person_id)
        .where(
            RunLine.run_id == run.id,
            RunLine.kind.in_([LineKind.ARREARS, LineKind.CENTENARIAN]),
            actor.place_condition(RunLine.district, RunLine.street),
            actor.person_condition(RunLine.person_id),
        )
        .order_by(RunLine.street, RunLine.person_id, RunLine.for_month)
    ).all()
    for line, name, ref in lines:
        found.append(
            ExceptionLine(
                person_id_masked=mask_id(line.person_id),
                person_ref=ref,
                name=name,
                street=line.street,
                what=names[line.kind],
                for_month=month_text(line.for_month),
                amount_cny=yuan(line.city_fen + line.extra_fen),
            )
        )
    over = session.execute(
        select(RunOverpayment, Person.name, Person.ref)
        .join(Person, Person.id_number == RunOverpayment.person_id)
        .where(
            RunOverpayment.run_id == run.id,
            actor.place_condition(RunOverpayment.district, RunOverpayment.street),
            actor.person_condition(RunOverpayment.person_id),
        )
        .order_by(RunOverpayment.street, RunOverpayment.person_id, RunOverpayment.for_month)
    ).all()
    for item, name, ref in over:
        found.append(
            ExceptionLine(
                person_id_masked=mask_id(item.person_id),
                person_ref=ref,
                name=name,
                street=item.street,
                what=f"多领（{'身故' if item.reason is OverpaymentReason.DIED else '迁出'}）",
                for_month=month_text(item.for_month),
                amount_cny=yuan(item.amount_fen),
            )
        )
    flagged = session.scalars(
        select(Person)
        .where(
            actor.sees(),
            (Person.death_conflict.is_(True)) | (Person.suspended_from <= month),
        )
        .order_by(Person.street, Person.id_number)
    ).all()
    for person in flagged:
        found.append(
            ExceptionLine(
                person_id_masked=mask_id(person.id_number),
                person_ref=person.ref,
                name=person.name,
                street=person.street,
                what="死亡日期冲突（取最早）" if person.death_conflict else "核查未通过，暂停发放",
                for_month=None,
                amount_cny=None,
            )
        )
    return found


def review(session: Session, actor: Actor, now: dt.datetime, month: int) -> RunOut:
    """The street has reviewed its exceptions. Street only; once per run."""
    actor.require(Role.STREET)
    run = get_run(session, month)
    if run.status is RunStatus.APPROVED:
        raise Conflict("发放已审批锁定 / the run is locked")
    assert actor.district is not None and actor.street is not None
    _sign(session, run, actor, now, actor.district, actor.street, "run.review")
    return progress(session, run, now.date())


def approve(session: Session, actor: Actor, now: dt.datetime, month: int) -> RunOut:
    """The district approves its list (第十三条). District only; every street of the district
    with exceptions must have reviewed them. When the last district approves, the run is
    locked, its overpayments become recovery cases, and the claw-backs it carried are settled.
    """
    actor.require(Role.DISTRICT)
    assert actor.district is not None
    run = get_run(session, month)
    if run.status is RunStatus.APPROVED:
        raise Conflict("发放已审批锁定 / the run is locked")
    reviewed = set(
        session.scalars(
            select(RunSignoff.street).where(
                RunSignoff.run_id == run.id, RunSignoff.district == actor.district
            )
        )
    )
    missing = sorted(set(run.exception_streets.get(actor.district, [])) - reviewed)
    if missing:
        raise Conflict(f"以下街（镇）尚未复核异常：{'、'.join(missing)} / streets still to review")
    _sign(session, run, actor, now, actor.district, "", "run.approve")
    approved = set(
        session.scalars(
            select(RunSignoff.district).where(RunSignoff.run_id == run.id, RunSignoff.street == "")
        )
    )
    if approved >= set(GUANGZHOU_DISTRICTS):
        before = snapshot(run)
        run.status, run.approved_at = RunStatus.APPROVED, now
        open_cases_for_run(session, run, now)
        settle_clawbacks(session, run, now)
        record(
            session,
            actor.label,
            "run.lock",
            "payment_run",
            month_text(month),
            before,
            snapshot(run),
            at=now,
        )
    return progress(session, run, now.date())


def _sign(
    session: Session,
    run: PaymentRun,
    actor: Actor,
    now: dt.datetime,
    district: str,
    street: str,
    action: str,
) -> None:
    exists = session.scalar(
        select(RunSignoff.id).where(
            RunSignoff.run_id == run.id,
            RunSignoff.district == district,
            RunSignoff.street == street,
        )
    )
    if exists is not None:
        raise Conflict("已经签署过 / already signed")
    signoff = RunSignoff(
        run_id=run.id, district=district, street=street, at=now, officer=actor.label
    )
    session.add(signoff)
    session.flush()
    record(
        session,
        actor.label,
        action,
        "payment_run",
        month_text(run.month),
        None,
        snapshot(signoff),
        at=now,
    )


def progress(session: Session, run: PaymentRun, today: dt.date) -> RunOut:
    """The run and each district's progress; ``late`` once the 25th has passed unfinished."""
    signed = session.execute(
        select(RunSignoff.district, RunSignoff.street).where(RunSignoff.run_id == run.id)
    ).all()
    approved = {district for district, street in signed if street == ""}
    districts = []
    for code, name in GUANGZHOU_DISTRICTS.items():
        reviewed = {street for district, street in signed if district == code}
        count, amount = run.district_totals.get(code, (0, 0))
        districts.append(
            DistrictProgress(
                district=code,
                name=name,
                lines=count,
                amount_cny=yuan(int(amount or 0)),
                streets_to_review=sorted(set(run.exception_streets.get(code, [])) - reviewed),
                approved=code in approved,
            )
        )
    deadline = pay_deadline(run.month)
    return RunOut(
        month=month_text(run.month),
        run_date=run.run_date,
        status=run.status,
        computed_at=run.computed_at,
        approved_at=run.approved_at,
        lines=run.lines,
        amount_cny=yuan(run.amount_fen),
        held=run.held,
        pay_by=deadline,
        late=run.status is not RunStatus.APPROVED and today > deadline,
        districts=districts,
    )
