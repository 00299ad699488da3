"""The monthly run's workflow (第十三条, 第二十五条, L5): the city computes month M on or after
its run day from what the database holds (the engine sees the data known by the run day, so
computing later gives the same list). Each line has a payer: the person's district, or the
military channel for a military cadre (第二十五条). Each payer approves its own list — a
district once its streets have reviewed their exceptions, the military channel its cadres' —
and that list is then locked: its overpayments become recovery cases, the claw-backs of its
bank file are settled, and its bank file can be written at once. A recomputation replaces only
the lists not yet approved; an approved payer's lines are never deleted nor added to. The run is
finished when every payer has approved.

The next month, per payer: month M+1 can be computed once M has been computed and some payer
has approved it; only the payers that approved M get their M+1 list (the engine pays every due
line not yet paid, so a payer whose M is not approved would be paid M again). The others wait:
once they approve M, the city computes M+1 again and their lists appear."""

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
from gzlongevity.core.standards import MILITARY, PAYERS, TIERS, yuan
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
from gzlongevity.runs.schemas import ExceptionLine, PayerProgress, PayerStatus, RunOut

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


def approved_payers(session: Session, run_id: int) -> set[str]:
    """The payers that have approved (and so locked) their list of a run."""
    return set(
        session.scalars(
            select(RunSignoff.district).where(RunSignoff.run_id == run_id, RunSignoff.street == "")
        )
    )


def payer_of(actor: Actor) -> str:
    """The payer an officer approves for: its district, or the military channel; else a 403."""
    if actor.role is Role.MILITARY:
        return MILITARY
    actor.require(Role.DISTRICT, Role.MILITARY)
    assert actor.district is not None
    return actor.district


def _ready(session: Session, month: int) -> set[str]:
    """The payers whose list of ``month`` can be computed: those that approved the previous
    month (every payer for the first run)."""
    earlier = session.scalar(select(func.max(PaymentRun.month)).where(PaymentRun.month < month))
    if earlier is None:
        return set(PAYERS)
    ready = (
        set() if earlier != month - 1 else approved_payers(session, get_run(session, earlier).id)
    )
    if not ready:
        raise Conflict(
            f"须先有付款方完成 {month_text(month - 1)} 的发放审批 / "
            f"approve {month_text(month - 1)} first"
        )
    return ready


def compute(session: Session, actor: Actor, now: dt.datetime, month: int) -> PaymentRun:
    """Compute (or recompute) the run of ``month``: the lists of the payers that have not
    approved it and that approved the previous month. City only.

    Raises
    ------
    Invalid
        Before 2021-09, outside every rule version (L9), or before the run day.
    Conflict
        Every payer has approved (the run is locked), or no payer has approved the previous
        month.
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
    ready = _ready(session, month)
    run = session.scalars(select(PaymentRun).where(PaymentRun.month == month)).one_or_none()
    before = None
    locked: set[str] = set()
    if run is not None:
        locked = approved_payers(session, run.id)
        if locked >= set(PAYERS):
            raise Conflict("各付款方均已审批，发放名单已锁定 / every payer has approved: locked")
        before = snapshot(run)
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
    _store(session, run, month, ready - locked, locked)
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
    "payer",
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
    "payer",
    "street",
    "for_month",
    "kind",
    "amount_fen",
    "paid_in_run",
    "reason",
)


def _store(
    session: Session, run: PaymentRun, month: int, payers: set[str], locked: set[str]
) -> None:
    """Work the month out and keep, for ``payers`` only, its lines (but those of people whose
    payment a failed check stopped, 第十九条) and its overpayments, with the totals by payer and
    the streets with exceptions to review. What the ``locked`` (approved) payers' lists hold is
    never touched: the old rows of every other payer are deleted, and only rows of ``payers``
    (which exclude ``locked``) are written."""
    assert not payers & locked
    others = [payer for payer in PAYERS if payer not in locked]
    for table in (RunLine, RunOverpayment):
        session.execute(delete(table).where(table.run_id == run.id, table.payer.in_(others)))
    session.execute(
        delete(RunSignoff).where(RunSignoff.run_id == run.id, RunSignoff.district.in_(others))
    )
    worked = work_out(session, month, RUN_DAY)
    register, payments, over = worked.register, worked.result.payments, worked.result.overpayments
    ids = pl.Series("person_id", register.person_ids, dtype=pl.String)
    districts = pl.Series([district for district, _ in register.places] or [""], dtype=pl.String)
    streets = pl.Series([street for _, street in register.places] or [""], dtype=pl.String)
    kinds = pl.Series([KINDS[kind].value for kind in Kind], dtype=pl.String)
    cadres = list(session.scalars(select(Person.id_number).where(Person.military.is_(True))))
    payer = (
        pl.when(pl.col("person_id").is_in(cadres))
        .then(pl.lit(MILITARY))
        .otherwise(pl.col("district"))
        .alias("payer")
    )
    mine = pl.col("payer").is_in(sorted(payers))
    stops = raw_frame(
        session,
        "SELECT id_number, suspended_from FROM persons WHERE suspended_from IS NOT NULL",
        ("person_id", "stop"),
    ).with_columns(pl.col("stop").cast(pl.Int32))
    lines = (
        pl.DataFrame(
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
        )
        .with_columns(payer)
        .filter(mine)
        .join(stops, on="person_id", how="left", maintain_order="left")
        .with_columns(held=pl.col("stop").is_not_null() & (pl.col("for_month") >= pl.col("stop")))
    )
    held = lines.group_by("payer").agg(pl.col("held").sum())
    lines = lines.filter(~pl.col("held")).drop("stop", "held")
    bulk_insert(session, "run_lines", LINE_COLUMNS, lines.select(LINE_COLUMNS).rows())
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
        .with_columns(payer)
        .filter(mine)
        .select(OVERPAYMENT_COLUMNS)
    )
    bulk_insert(session, "run_overpayments", OVERPAYMENT_COLUMNS, found.rows())
    money = pl.col("city_fen") + pl.col("extra_fen")
    totals = {code: value for code, value in run.payer_totals.items() if code in locked}
    for code, count, fen in lines.group_by("payer").agg(pl.len(), money.sum()).rows():
        totals[code] = [int(count), int(fen), 0]
    for code, count in held.rows():
        totals.setdefault(code, [0, 0, 0])[2] = int(count)
    run.payer_totals = totals
    run.lines = sum(count for count, _, _ in totals.values())
    run.amount_fen = sum(fen for _, fen, _ in totals.values())
    run.held = sum(count for _, _, count in totals.values())
    run.waiting = sorted(set(PAYERS) - payers - locked)
    places = (
        pl.concat(
            [
                lines.filter(pl.col("kind") != LineKind.MONTHLY.value).select(
                    "payer", "district", "street"
                ),
                found.select("payer", "district", "street"),
            ]
        )
        .filter(pl.col("payer") != MILITARY)
        .unique()
        .sort("district", "street")
    )
    exceptional = {
        district: streets
        for district, streets in run.exception_streets.items()
        if district in locked
    }
    for _, district, street in places.rows():
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
    """The street has reviewed its exceptions. Street only; once per run, before its district
    approves."""
    actor.require(Role.STREET)
    run = get_run(session, month)
    assert actor.district is not None and actor.street is not None
    # The run's sign-offs read once, for the checks and the answer: a run has thousands of
    # reviews (2,640 in the demo's year).
    signed = _signoffs(session, run.id)
    if any(district == actor.district and street == "" for district, street, _ in signed):
        raise Conflict("本区发放名单已审批锁定 / the district's list is locked")
    _sign(session, run, actor, now, actor.district, actor.street, "run.review", signed)
    return progress(session, run, now.date(), [*signed, (actor.district, actor.street, now)])


def approve(session: Session, actor: Actor, now: dt.datetime, month: int) -> RunOut:
    """A payer approves its list (第十三条, 第二十五条): a district, once every street of it with
    exceptions has reviewed them, or the military channel. The list is then locked; the
    overpayments it found become recovery cases and the claw-backs of its bank file are settled.
    When the last payer approves, the run is finished.

    Raises
    ------
    Conflict
        Already approved; the payer's list waits for its previous month; streets still to review.
    """
    payer = payer_of(actor)
    run = get_run(session, month)
    approved = approved_payers(session, run.id)
    if payer in approved:
        raise Conflict(f"{PAYERS[payer]}已审批，发放名单已锁定 / already approved")
    if payer in run.waiting:
        raise Conflict(
            f"须先审批 {month_text(month - 1)} 的发放名单，再由市民政局重新核算本月 / "
            "approve the previous month first, then have this month recomputed"
        )
    if payer != MILITARY:
        reviewed = set(
            session.scalars(
                select(RunSignoff.street).where(
                    RunSignoff.run_id == run.id, RunSignoff.district == payer
                )
            )
        )
        missing = sorted(set(run.exception_streets.get(payer, [])) - reviewed)
        if missing:
            raise Conflict(
                f"以下街（镇）尚未复核异常：{'、'.join(missing)} / streets still to review"
            )
    _sign(session, run, actor, now, payer, "", "run.approve")
    count, fen, _ = run.payer_totals.get(payer, (0, 0, 0))
    cases = open_cases_for_run(session, run, now, payer)
    settled = settle_clawbacks(session, run, now, payer)
    record(
        session,
        actor.label,
        "run.lock",
        "payment_run",
        month_text(month),
        None,
        {"payer": payer, "lines": count, "amount_fen": fen, "cases": cases, "clawbacks": settled},
        at=now,
    )
    if approved | {payer} >= set(PAYERS):
        before = snapshot(run)
        run.status, run.approved_at = RunStatus.APPROVED, now
        record(
            session,
            actor.label,
            "run.finish",
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
    signed: list[tuple[str, str, dt.datetime]] | None = None,
) -> None:
    """Record the sign-off of ``district`` and ``street`` ("" for the payer's approval), once;
    ``signed``: the run's sign-offs if already read."""
    if signed is None:
        exists = session.scalar(
            select(RunSignoff.id).where(
                RunSignoff.run_id == run.id,
                RunSignoff.district == district,
                RunSignoff.street == street,
            )
        )
    else:
        exists = next((1 for d, s, _ in signed if (d, s) == (district, street)), None)
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


def _signoffs(session: Session, run_id: int) -> list[tuple[str, str, dt.datetime]]:
    """Every sign-off of a run: district (or payer), street ("" for the approval), when."""
    return [
        (district, street, at)
        for district, street, at in session.execute(
            select(RunSignoff.district, RunSignoff.street, RunSignoff.at).where(
                RunSignoff.run_id == run_id
            )
        )
    ]


def progress(
    session: Session,
    run: PaymentRun,
    today: dt.date,
    signed: list[tuple[str, str, dt.datetime]] | None = None,
) -> RunOut:
    """The run and each payer's progress; a payer is ``late`` once the 25th has passed and it
    has not approved. ``signed``: the run's sign-offs (:func:`_signoffs`) if already known."""
    if signed is None:
        signed = _signoffs(session, run.id)
    approved = {payer: at for payer, street, at in signed if street == ""}
    deadline = pay_deadline(run.month)
    payers = []
    for code, name in PAYERS.items():
        reviewed = {street for district, street, _ in signed if district == code}
        count, amount, held = run.payer_totals.get(code, (0, 0, 0))
        status = (
            PayerStatus.APPROVED
            if code in approved
            else PayerStatus.WAITING
            if code in run.waiting
            else PayerStatus.COMPUTED
        )
        payers.append(
            PayerProgress(
                payer=code,
                name=name,
                status=status,
                lines=count,
                amount_cny=yuan(int(amount or 0)),
                held=held,
                streets_to_review=sorted(set(run.exception_streets.get(code, [])) - reviewed),
                approved_at=approved.get(code),
                late=status is not PayerStatus.APPROVED and today > deadline,
            )
        )
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
        late=any(payer.late for payer in payers),
        payers=payers,
    )
