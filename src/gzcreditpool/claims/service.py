"""Post-loan tracking and claims: each loan's risk classification over time, legal actions with
their documents (第十六条), claims filed by 30 June with every condition shown, the trustee's
computation with the rules engine, 市科技局's approval or return of one claim with a reason (the
bank corrects it and files it again), and the budget line of the next year (第十七条,
第二十三条 (三), 第三条).

The amounts are the rules engine's (:func:`gzcreditpool.ledger.claim_results`, the functions
``gzcreditpool settle`` uses) over every claim ever filed, since each draws on the caps the
earlier ones used.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from gzcreditpool import ledger
from gzcreditpool.claims import computation, repository
from gzcreditpool.claims.schemas import (
    BankCapOut,
    CheckOut,
    ClaimFixIn,
    ClaimIn,
    ClaimOut,
    ClassificationIn,
    ClassificationOut,
    LegalActionOut,
    TrackingOut,
)
from gzcreditpool.core.claims import CLAIM_WINDOW_LAST_MONTH, LEGAL_WAIT_DAYS, Classification
from gzcreditpool.kit.audit import record, record_many
from gzcreditpool.kit.auth import Actor
from gzcreditpool.kit.secrecy import record_export
from gzcreditpool.loans.service import bank_filter, own_bank, visible_loan
from gzcreditpool.models import (
    Claim,
    ClaimStatus,
    LegalAction,
    LegalKind,
    LoanStatus,
    Role,
)
from gzcreditpool.models import Classification as ClassificationRow
from gzcreditpool.recoveries import service as recoveries
from gzkit.audit import snapshot
from gzkit.calendar import Calendar
from gzkit.errors import Conflict, Invalid, NotFound
from gzkit.pagination import PaginationParams, paginate

REASON_TEXT = {
    "loan_not_registered": "贷款未确认入池（第二十三条）",
    "not_in_window": "不在 1 月 1 日至 6 月 30 日申请期内（第二十三条）",
    "classification": "贷款未划为次级及以下（第十六条）",
    "no_legal_action": "未提起诉讼、仲裁或强制执行（第十六条）",
    "legal_too_recent": "判决、裁决生效或强制执行立案未超过 30 天（第十六条）",
    "loan_cap_reached": "该笔贷款补偿已达不良余额的 50%（第十七条）",
    "bank_cap_reached": "该行当年补偿额度已用完（第十七条）",
    "loan_cap": "按该笔贷款 50% 上限部分补偿（第十七条）",
    "bank_cap": "按该行当年补偿额度部分补偿（第十七条）",
}
MAX_DOCUMENT_BYTES = 8 << 20


def classify(
    session: Session, actor: Actor, loan_id: int, body: ClassificationIn, at: dt.datetime
) -> ClassificationRow:
    """The bank records the loan's five-category classification as of a day."""
    own_bank(session, actor, new_business=False)
    loan = visible_loan(session, actor, loan_id)
    if body.as_of > at.date():
        raise Invalid("分类日期不能晚于今天 / classification in the future", ("body", "as_of"))
    row = ClassificationRow(
        loan_id=loan.id, category=body.category, as_of=body.as_of, recorded_at=at
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor.label,
        "loan.classify",
        "classification",
        str(row.id),
        None,
        snapshot(row),
        at=at,
    )
    return row


def add_legal_action(
    session: Session,
    actor: Actor,
    loan_id: int,
    fields: dict[str, str],
    document: Path,
    document_name: str,
    at: dt.datetime,
) -> LegalAction:
    """The bank records a lawsuit, arbitration or enforcement filing with its document."""
    own_bank(session, actor, new_business=False)
    loan = visible_loan(session, actor, loan_id)
    try:
        kind = LegalKind(fields.get("kind", ""))
    except ValueError:
        raise Invalid(
            "类型须为 lawsuit、arbitration 或 notarised / bad kind", ("body", "kind")
        ) from None
    case_no = fields.get("case_no", "").strip()
    if not case_no or len(case_no) > 100:
        raise Invalid("请填写案号（100 字以内）/ case number needed", ("body", "case_no"))
    try:
        effective_on = dt.date.fromisoformat(fields.get("effective_on", ""))
    except ValueError:
        raise Invalid(
            "生效日期须为 YYYY-MM-DD / effective_on is a date", ("body", "effective_on")
        ) from None
    if effective_on > at.date():
        raise Invalid("生效日期不能晚于今天 / effective in the future", ("body", "effective_on"))
    action = LegalAction(
        loan_id=loan.id,
        kind=kind,
        case_no=case_no,
        effective_on=effective_on,
        document_name=document_name[:200],
        document=document.read_bytes(),
        recorded_at=at,
    )
    session.add(action)
    session.flush()
    after = {k: v for k, v in snapshot(action).items() if k != "document"}
    record(
        session,
        actor.label,
        "loan.legal_action",
        "legal_action",
        str(action.id),
        None,
        after,
        at=at,
    )
    return action


def document(
    session: Session, actor: Actor, loan_id: int, action_id: int, at: dt.datetime
) -> tuple[str, bytes]:
    """A legal action's document (its bank, the trustee, 市科技局); the download is logged."""
    actor.require(Role.BANK, Role.TRUSTEE, Role.BUREAU)
    visible_loan(session, actor, loan_id)
    action = session.get(LegalAction, action_id)
    if action is None or action.loan_id != loan_id or action.document is None:
        raise NotFound("没有此文书 / document not found")
    record_export(session, actor, "legal_action", str(action.id), at)
    return action.document_name or f"document-{action.id}", action.document


def file_claim(session: Session, actor: Actor, body: ClaimIn, at: dt.datetime) -> Claim:
    """The bank claims on a loan today with its non-performing balance; the classification and
    the legal action are taken from the loan's records (the latest classification, the earliest
    legal action taken effect). A loan carried in under an earlier policy is refused: its
    claims are handled under that policy (第三十一条). A loan of this policy is claimed on
    after the policy's validity too (its obligations outlive it, C10)."""
    own_bank(session, actor)
    loan = visible_loan(session, actor, body.loan_id)
    if loan.policy.earlier:
        raise Conflict(
            f"该贷款按原政策办理（{loan.policy.title}，第三十一条），不在本系统补偿"
            " / handled under the earlier policy"
        )
    claim = Claim(loan_id=loan.id, filed_on=at.date(), status=ClaimStatus.FILED)
    _take_records(session, claim, body.npl_balance, at.date())
    session.add(claim)
    session.flush()
    record(session, actor.label, "claim.file", "claim", str(claim.id), None, snapshot(claim), at=at)
    return claim


def _take_records(session: Session, claim: Claim, npl_balance: Decimal, today: dt.date) -> None:
    """The claim's balance, and its loan's latest classification and earliest legal action."""
    categories = [c for c in repository.classifications(session, claim.loan_id) if c.as_of <= today]
    if not categories:
        raise Conflict("请先登记该贷款的风险分类 / classify the loan first")
    actions = repository.legal_actions(session, claim.loan_id)
    claim.classification = categories[-1].category
    claim.legal_effective_on = actions[0].effective_on if actions else None
    claim.npl_balance = npl_balance


def return_claim(
    session: Session, actor: Actor, claim_id: int, reason: str, at: dt.datetime
) -> Claim:
    """市科技局 returns one computed claim with its reason instead of approving it: the
    trustee's computation is set aside and the bank may correct the claim and file it again.

    The claims computed and not yet approved are computed again at once
    (:func:`gzcreditpool.claims.computation.recompute`): the returned claim no longer draws
    on the caps, so a later claim of the bank's year or on the same loan may now be paid more
    (第十七条)."""
    actor.require(Role.BUREAU)
    claim = _claim(session, claim_id)
    if claim.status is not ClaimStatus.REVIEWED:
        raise Conflict("只能退回补正已核算、未批准的申请 / only a computed claim can be returned")
    before = snapshot(claim)
    claim.status, claim.returned_at, claim.return_reason = ClaimStatus.RETURNED, at, reason
    claim.decision = claim.reason = None
    claim.amount, claim.reviewed_at = None, None
    record(
        session, actor.label, "claim.return", "claim", str(claim.id), before, snapshot(claim), at=at
    )
    computation.recompute(session, actor.label, [], at)
    return claim


def resubmit(
    session: Session, actor: Actor, claim_id: int, body: ClaimFixIn, at: dt.datetime
) -> Claim:
    """The bank files a returned claim again, corrected: its balance as given, the loan's
    classification and legal action as recorded now; the day of filing stays the first one
    **[reading: a correction does not make the claim a new one, 第二十三条 (三)]**. The trustee
    computes it again."""
    own_bank(session, actor)
    claim = _claim(session, claim_id)
    visible_loan(session, actor, claim.loan_id)
    if claim.status is not ClaimStatus.RETURNED:
        raise Conflict("只能重新提交已退回补正的申请 / only a returned claim can be filed again")
    before = snapshot(claim)
    _take_records(session, claim, body.npl_balance, at.date())
    claim.status = ClaimStatus.FILED
    record(
        session,
        actor.label,
        "claim.resubmit",
        "claim",
        str(claim.id),
        before,
        snapshot(claim),
        at=at,
    )
    # Back in its place (its first filing day), it draws on the caps before later claims.
    computation.recompute(session, actor.label, [], at)
    return claim


def _claim(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound("没有此补偿申请 / claim not found")
    return claim


def review(session: Session, actor: Actor, ids: list[int] | None, at: dt.datetime) -> list[Claim]:
    """The trustee computes the filed claims (``ids``, default all) with the rules engine."""
    actor.require(Role.TRUSTEE)
    waiting = [
        c
        for c in repository.every_claim(session)
        if c.status is ClaimStatus.FILED and (ids is None or c.id in ids)
    ]
    if waiting:
        computation.recompute(session, actor.label, waiting, at)
    return waiting


def approve(
    session: Session, actor: Actor, ids: list[int] | None, at: dt.datetime, calendar: Calendar
) -> list[Claim]:
    """市科技局 approves the reviewed claims (``ids``, default all) as the trustee computed;
    recoveries already recorded on their loans owe their refunds from now on."""
    actor.require(Role.BUREAU)
    reviewed = [
        c
        for c in session.scalars(repository.claims(status=ClaimStatus.REVIEWED))
        if ids is None or c.id in ids
    ]
    changes = []
    for claim in reviewed:
        before = snapshot(claim)
        claim.status, claim.approved_at = ClaimStatus.APPROVED, at
        changes.append((str(claim.id), before, snapshot(claim)))
    record_many(session, actor.label, "claim.approve", "claim", changes, at=at)
    session.flush()
    paid = {c.loan_id for c in reviewed if c.amount is not None and c.amount > 0}
    recoveries.reassess(session, paid, actor.label, at, calendar)
    return reviewed


def caps(session: Session, actor: Actor, year: int) -> list[BankCapOut]:
    """Each bank's cap for the claims of ``year`` and how much of it the year's computed and
    approved claims take (the trustee's computation; a bank sees its own line only)."""
    limits = ledger.bank_caps(computation.book(session), year)
    if actor.role is Role.BANK:
        limits = {bank: cap for bank, cap in limits.items() if bank == actor.bank_id}
    used: dict[int, Decimal] = {}
    for claim in session.scalars(repository.claims()):
        if claim.filed_on.year == year and claim.amount is not None:
            used[claim.loan.bank_id] = used.get(claim.loan.bank_id, Decimal(0)) + claim.amount
    codes = {bank.id: bank.code for bank in repository.banks(session)}
    return [
        BankCapOut(
            bank_code=codes[bank],
            year=year,
            cap=cap,
            used=used.get(bank, Decimal("0.00")),
            left=max(cap - used.get(bank, Decimal(0)), Decimal("0.00")),
        )
        for bank, cap in limits.items()
    ]


def checks(session: Session, claim: Claim) -> list[CheckOut]:
    """Every condition of 第十六条 and 第二十三条 (三) as the claim was filed."""
    loan = claim.loan
    waited = (claim.filed_on - claim.legal_effective_on).days if claim.legal_effective_on else None
    npl = Classification[claim.classification] >= Classification.次级
    return [
        CheckOut(
            condition="贷款已确认入池",
            found=_LOAN_TEXT[loan.status],
            met=loan.status is LoanStatus.CONFIRMED,
        ),
        CheckOut(
            condition="于当年 1 月 1 日至 6 月 30 日申请",
            found=f"{claim.filed_on} 申请",
            met=claim.filed_on.month <= CLAIM_WINDOW_LAST_MONTH,
        ),
        CheckOut(condition="风险分类为次级、可疑或损失", found=claim.classification, met=npl),
        CheckOut(
            condition="已提起诉讼、仲裁或强制执行",
            found=f"{claim.legal_effective_on} 生效" if claim.legal_effective_on else "无",
            met=claim.legal_effective_on is not None,
        ),
        CheckOut(
            condition=f"生效或立案超过 {LEGAL_WAIT_DAYS} 天",
            found=f"{waited} 天" if waited is not None else "—",
            met=waited is not None and waited > LEGAL_WAIT_DAYS,
        ),
    ]


_LOAN_TEXT = {
    LoanStatus.REPORTED: "已报送，待审核",
    LoanStatus.FORWARDED: "已审核，待确认",
    LoanStatus.CONFIRMED: "已确认入池",
    LoanStatus.REFUSED: "不予入池",
}


def out(session: Session, claim: Claim) -> ClaimOut:
    paid = claim.status is ClaimStatus.APPROVED and claim.decision != "refused"
    return ClaimOut(
        id=claim.id,
        loan_id=claim.loan_id,
        enterprise_id=claim.loan.enterprise_id,
        bank_code=claim.loan.bank.code,
        filed_on=claim.filed_on,
        classification=claim.classification,
        legal_effective_on=claim.legal_effective_on,
        npl_balance=claim.npl_balance,
        status=claim.status,
        checks=checks(session, claim),
        decision=claim.decision,
        reason=claim.reason,
        reason_text=REASON_TEXT.get(claim.reason or ""),
        amount=claim.amount,
        due_on=dt.date(claim.filed_on.year, 12, 31) if paid else None,
        budget_year=claim.filed_on.year + 1,
        returned_at=claim.returned_at,
        return_reason=claim.return_reason,
    )


def get(session: Session, actor: Actor, claim_id: int) -> ClaimOut:
    claim = _claim(session, claim_id)
    visible_loan(session, actor, claim.loan_id)
    return out(session, claim)


def listing(
    session: Session,
    actor: Actor,
    status: ClaimStatus | None,
    params: PaginationParams,
    bank: str | None = None,
) -> tuple[list[ClaimOut], int]:
    """A page of claims (a bank's own only; the staff's of the bank ``bank`` names, when
    given) in order of filing, and how many match."""
    bank_id = bank_filter(session, actor, bank)
    rows, total = paginate(session, repository.claims(bank_id=bank_id, status=status), params)
    return [out(session, claim) for claim in rows], total


def tracking(session: Session, actor: Actor, loan_id: int) -> TrackingOut:
    """A loan's classifications, legal actions and claims."""
    loan = visible_loan(session, actor, loan_id)
    return TrackingOut(
        loan_id=loan.id,
        classifications=[
            ClassificationOut(category=c.category, as_of=c.as_of, recorded_at=c.recorded_at)
            for c in repository.classifications(session, loan.id)
        ],
        legal_actions=[
            LegalActionOut(
                id=a.id,
                kind=a.kind,
                case_no=a.case_no,
                effective_on=a.effective_on,
                document_name=a.document_name,
            )
            for a in repository.legal_actions(session, loan.id)
        ],
        claims=[out(session, c) for c in session.scalars(repository.claims(loan_id=loan.id))],
    )
