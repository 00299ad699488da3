"""Partner banks: the call's applications with 第二十条's checks and evidence, the experts'
scores, publicity, selection (第二十二条), and losing the status (第二十五条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from gzcreditpool.banks import repository
from gzcreditpool.banks.schemas import (
    CONDITIONS,
    ApplicationIn,
    BankOut,
    CallIn,
    CallOut,
    ConditionOut,
    StatusChangeOut,
)
from gzcreditpool.kit.audit import record
from gzcreditpool.kit.auth import Actor
from gzcreditpool.models import Bank, BankStatus, BankStatusChange, Call, Role
from gzkit.audit import snapshot
from gzkit.errors import Conflict, Invalid, NotFound
from gzkit.pagination import PaginationParams, paginate

STATUS_NAMES = {
    BankStatus.APPLIED: "已申报",
    BankStatus.REVIEWED: "已评审",
    BankStatus.PUBLICITY: "公示中",
    BankStatus.PARTNER: "合作银行",
    BankStatus.NOT_SELECTED: "未入选",
    BankStatus.REVOKED: "已取消资格",
}
MAX_SCORE = Decimal(100)


def get(session: Session, code: str) -> Bank:
    """The bank ``code``; :class:`NotFound` when there is none."""
    bank = repository.by_code(session, code)
    if bank is None:
        raise NotFound(f"没有银行 {code} / bank {code} not found")
    return bank


def _move(
    session: Session, bank: Bank, status: BankStatus, reason: str, actor: Actor, at: dt.datetime
) -> None:
    before = snapshot(bank)
    bank.status, bank.updated_at = status, at
    session.add(BankStatusChange(bank_id=bank.id, status=status, at=at, reason=reason))
    record(
        session,
        actor.label,
        f"bank.{status.value}",
        "bank",
        bank.code,
        before,
        snapshot(bank),
        at=at,
    )


def _expect(bank: Bank, *statuses: BankStatus) -> None:
    if bank.status not in statuses:
        raise Conflict(
            f"银行 {bank.code} 当前状态为“{STATUS_NAMES[bank.status]}”，不能执行此步骤 / "
            f"bank {bank.code} is {bank.status.value}"
        )


def publish_call(session: Session, actor: Actor, body: CallIn, at: dt.datetime) -> Call:
    """市科技局 publishes a call for partner banks (第二十二条 (一))."""
    actor.require(Role.BUREAU)
    if body.closes_on < body.opens_on:
        raise Invalid(
            "截止日不能早于开始日 / the call closes before it opens", ("body", "closes_on")
        )
    call = Call(title=body.title, opens_on=body.opens_on, closes_on=body.closes_on, published_at=at)
    session.add(call)
    session.flush()
    record(session, actor.label, "call.publish", "call", str(call.id), None, snapshot(call), at=at)
    return call


def calls(session: Session, params: PaginationParams) -> tuple[list[CallOut], int]:
    """A page of the calls, latest first, and how many there are."""
    rows, total = paginate(session, repository.calls(), params)
    return [CallOut.model_validate(call, from_attributes=True) for call in rows], total


def open_calls(session: Session, today: dt.date) -> list[CallOut]:
    """The calls taking applications on ``today``."""
    return [
        CallOut.model_validate(call, from_attributes=True)
        for call in repository.open_calls(session, today)
    ]


def apply(session: Session, actor: Actor, body: ApplicationIn, at: dt.datetime) -> Bank:
    """Record a bank's application under an open call, with each of 第二十条's conditions and
    its evidence."""
    actor.require(Role.BUREAU, Role.TRUSTEE)
    call = session.get(Call, body.call_id)
    if call is None:
        raise NotFound(f"没有申报指南 {body.call_id} / call not found")
    if not call.opens_on <= at.date() <= call.closes_on:
        raise Conflict(
            f"不在申报期内（{call.opens_on} 至 {call.closes_on}） / outside the call's period"
        )
    if {c.key for c in body.conditions} != set(CONDITIONS):
        raise Invalid("第二十条的三项条件须各填一次 / each condition once", "conditions")
    if repository.by_code(session, body.code) is not None:
        raise Conflict(f"银行代码 {body.code} 已存在 / bank {body.code} exists")
    bank = Bank(
        call_id=call.id,
        code=body.code,
        name=body.name,
        status=BankStatus.APPLIED,
        conditions=[c.model_dump() for c in body.conditions],
        applied_at=at,
        updated_at=at,
    )
    session.add(bank)
    session.flush()
    session.add(BankStatusChange(bank_id=bank.id, status=bank.status, at=at, reason="提交申报材料"))
    record(session, actor.label, "bank.apply", "bank", bank.code, None, snapshot(bank), at=at)
    return bank


def review(
    session: Session, actor: Actor, code: str, scores: list[Decimal], at: dt.datetime
) -> Bank:
    """The trustee records the expert committee's scores; the bank's score is their mean."""
    actor.require(Role.TRUSTEE)
    bank = get(session, code)
    _expect(bank, BankStatus.APPLIED)
    if any(not Decimal(0) <= s <= MAX_SCORE for s in scores):
        raise Invalid("专家评分须在 0 至 100 之间 / scores are 0–100", "scores")
    bank.expert_scores = [str(s) for s in scores]
    bank.expert_score = (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"))
    _move(session, bank, BankStatus.REVIEWED, f"专家评审均分 {bank.expert_score}", actor, at)
    return bank


def publicise(session: Session, actor: Actor, code: str, until: dt.date, at: dt.datetime) -> Bank:
    """市科技局 puts the bank on the proposed list for publicity until ``until``."""
    actor.require(Role.BUREAU)
    bank = get(session, code)
    _expect(bank, BankStatus.REVIEWED)
    if until <= at.date():
        raise Invalid("公示截止日须晚于今天 / publicity must end after today", "until")
    bank.publicity_until = until
    _move(session, bank, BankStatus.PUBLICITY, f"社会公示至 {until}", actor, at)
    return bank


def decide(session: Session, actor: Actor, code: str, selected: bool, at: dt.datetime) -> Bank:
    """After publicity, select the bank (every 第二十条 condition met) or not."""
    actor.require(Role.BUREAU)
    bank = get(session, code)
    _expect(bank, BankStatus.PUBLICITY)
    assert bank.publicity_until is not None
    if at.date() <= bank.publicity_until:
        raise Conflict(f"公示期至 {bank.publicity_until} 尚未结束 / publicity not over")
    unmet = [c["key"] for c in bank.conditions if not c["met"]]
    if selected and unmet:
        names = "；".join(CONDITIONS[k] for k in unmet)
        raise Conflict(f"不符合第二十条条件：{names} / conditions not met: {', '.join(unmet)}")
    status = BankStatus.PARTNER if selected else BankStatus.NOT_SELECTED
    _move(session, bank, status, "确定为合作银行" if selected else "未入选", actor, at)
    return bank


def revoke(session: Session, actor: Actor, code: str, reason: str, at: dt.datetime) -> Bank:
    """第二十五条: 市科技局 withdraws a partner bank's status; its loans stay in the pool."""
    actor.require(Role.BUREAU)
    bank = get(session, code)
    _expect(bank, BankStatus.PARTNER)
    _move(session, bank, BankStatus.REVOKED, reason, actor, at)
    return bank


def out(session: Session, bank: Bank) -> BankOut:
    """The bank as the API shows it, with its status history."""
    return BankOut(
        id=bank.id,
        call_id=bank.call_id,
        code=bank.code,
        name=bank.name,
        status=bank.status,
        conditions=[ConditionOut(text=CONDITIONS[c["key"]], **c) for c in bank.conditions],
        expert_score=bank.expert_score,
        publicity_until=bank.publicity_until,
        history=[
            StatusChangeOut(status=h.status, at=h.at, reason=h.reason)
            for h in repository.history(session, bank.id)
        ],
    )


def listing(session: Session, params: PaginationParams) -> tuple[list[BankOut], int]:
    """A page of the banks by code, and how many there are."""
    rows, total = paginate(session, repository.banks(), params)
    return [out(session, bank) for bank in rows], total
