"""Loans: banks report them (by the API or an upload) within 7 working days of disbursement,
the trustee checks them against the rules and forwards them, 市科技局 confirms them in bulk and
a 确认书 goes to each bank (C3, C4; 第二十三条 (一)(二)).

The decision is the rules engine's (:func:`gzcreditpool.ledger.loan_reasons`, the function
``gzcreditpool settle`` uses), made when the trustee forwards.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from gzcreditpool import ledger
from gzcreditpool.claims import computation
from gzcreditpool.claims import repository as claims_repository
from gzcreditpool.core import policy
from gzcreditpool.enterprises import service as enterprises
from gzcreditpool.kit.audit import record, record_many
from gzcreditpool.kit.auth import Actor
from gzcreditpool.kit.secrecy import mask, record_export, reveal
from gzcreditpool.loans import repository
from gzcreditpool.loans.schemas import (
    CarriedLoanIn,
    ConfirmationOut,
    DeadlineOut,
    LoanIn,
    LoanOut,
)
from gzcreditpool.models import (
    Bank,
    BankStatus,
    ClaimStatus,
    Confirmation,
    Enterprise,
    Loan,
    LoanStatus,
    Role,
)
from gzcreditpool.policies import repository as policies
from gzkit.audit import snapshot
from gzkit.calendar import Calendar
from gzkit.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from gzkit.pagination import PaginationParams, paginate
from gzkit.sheets import Cell, read_upload, xlsx_bytes

REASON_TEXT = {
    "not_eligible": "企业不符合科技型中小企业条件（第八条）",
    "late_report": "超过放款后 7 个工作日报送（第二十三条）",
    "term": "贷款期限超过 3 年（第十四条）",
    "credit_part": "信用部分未超过贷款额的 50%（第十五条）",
    "financing_guarantee": "由融资担保公司担保或再担保（第十五条）",
    "enterprise_year_cap": "企业当年入池贷款将超过 3000 万元（第十四条）",
}
STATUS_TEXT = {
    LoanStatus.REPORTED: "已报送",
    LoanStatus.FORWARDED: "已审核报送",
    LoanStatus.CONFIRMED: "已确认入池",
    LoanStatus.REFUSED: "不予入池",
}
UPLOAD_COLUMNS = (
    "contract_no",
    "enterprise_uscc",
    "disbursed_on",
    "amount",
    "term_months",
    "credit_part",
    "financing_guarantee",
)
BOOLEANS = {"true": True, "false": False, "是": True, "否": False}


def own_bank(session: Session, actor: Actor, *, new_business: bool = True) -> Bank:
    """The actor's bank. Reporting loans and claiming (``new_business``) need a partner bank;
    a bank that lost its status (第二十五条) still tracks, recovers, refunds and writes off
    the loans it has in the pool.

    Raises
    ------
    Forbidden
        For anyone but a bank's user, or a bank not (or no longer) allowed the step.
    """
    actor.require(Role.BANK)
    assert actor.bank_id is not None
    bank = session.get(Bank, actor.bank_id)
    assert bank is not None
    allowed = (BankStatus.PARTNER,) if new_business else (BankStatus.PARTNER, BankStatus.REVOKED)
    if bank.status not in allowed:
        raise Forbidden(f"{bank.name}不是合作银行，不能办理此业务 / not a partner bank")
    return bank


def visible_loan(session: Session, actor: Actor, loan_id: int) -> Loan:
    """The loan ``loan_id``; :class:`NotFound` when there is none or it is another bank's."""
    loan = session.get(Loan, loan_id)
    if loan is None:
        raise NotFound("没有此贷款 / loan not found")
    actor.require_bank(loan.bank_id, "贷款")
    return loan


def bank_filter(session: Session, actor: Actor, code: str | None) -> int | None:
    """The bank a list shows: a bank's user only its own (another bank's code finds nothing);
    the staff the bank ``code`` names, or every bank without it.

    Raises
    ------
    NotFound
        A bank's user naming another bank.
    Invalid
        No bank has ``code``.
    """
    if actor.role is Role.BANK:
        assert actor.bank_id is not None
        if code is not None and repository.bank_id(session, code) != actor.bank_id:
            raise NotFound(f"没有此银行 {code} / bank not found")
        return actor.bank_id
    if code is None:
        return None
    found = repository.bank_id(session, code)
    if found is None:
        raise Invalid(f"没有代码为 {code} 的银行 / no bank {code}", ("query", "bank"))
    return found


def deadline(calendar: Calendar, disbursed_on: dt.date, today: dt.date) -> DeadlineOut:
    """The report deadline (C4) and the working days left from ``today``."""
    last = ledger.deadline(calendar, disbursed_on, ("query", "disbursed_on"))
    left = ledger.working_days_between(calendar, today, last)
    return DeadlineOut(disbursed_on=disbursed_on, deadline=last, working_days_left=left)


def report(
    session: Session, actor: Actor, body: LoanIn, at: dt.datetime, calendar: Calendar
) -> Loan:
    """A bank reports a loan today; the enterprise's eligibility (C2) is checked on the day of
    disbursement and kept with the loan."""
    bank = own_bank(session, actor)
    try:
        return _add_many(session, actor, bank, [body], at, calendar)[0]
    except RowError as err:
        raise err.error from None


class RowError(Exception):
    """The ``index``-th loan of a batch was refused with ``error``."""

    def __init__(self, index: int, error: DomainError) -> None:
        super().__init__(error.message)
        self.index, self.error = index, error


def _add_many(
    session: Session,
    actor: Actor,
    bank: Bank,
    bodies: list[LoanIn],
    at: dt.datetime,
    calendar: Calendar,
) -> list[Loan]:
    """Report ``bodies`` (checked first, then stored together and audited).

    Raises
    ------
    RowError
        Naming the first refused loan: disbursed after today, a credit part over the amount,
        a contract already reported (or twice in the batch), an unknown enterprise, disbursed
        outside this policy's validity (第三十二条; the loan carries the version it falls in).
    """
    today = at.date()
    taken = repository.contracts_taken(session, bank.id, [b.contract_no for b in bodies])
    firms = enterprises.by_codes(session, {b.enterprise_uscc for b in bodies})
    windows = policies.current_windows(session)
    codes = []
    for index, body in enumerate(bodies):
        window = policy.version_of(windows, body.disbursed_on)
        error = _refusal(body, today, taken, firms)
        if error is None and window is None:
            error = Invalid(
                f"放款日 {body.disbursed_on} 不在本办法有效期"
                f"（{'、'.join(w.text() for w in windows)}）内，不能入池（第三十二条）"
                " / disbursed outside the policy's validity",
                ("body", "disbursed_on"),
            )
        if error is not None:
            raise RowError(index, error)
        assert window is not None
        taken.add(body.contract_no)
        codes.append(window.code)
    deadlines = ledger.deadlines(calendar, [body.disbursed_on for body in bodies])
    loans = []
    for body, deadline_on, code in zip(bodies, deadlines, codes, strict=True):
        enterprise = firms[body.enterprise_uscc]
        problems = enterprises.problems(enterprise, body.disbursed_on)
        loans.append(
            _loan(
                body,
                bank_id=bank.id,
                enterprise_id=enterprise.id,
                reported_on=today,
                report_deadline=deadline_on,
                enterprise_eligible=not problems,
                eligibility_note="；".join(problems) or "符合第八条",
                status=LoanStatus.REPORTED,
                policy_code=code,
            )
        )
    session.add_all(loans)
    session.flush()
    changes = [(str(loan.id), None, snapshot(loan)) for loan in loans]
    record_many(session, actor.label, "loan.report", "loan", changes, at=at)
    return loans


def _loan(body: LoanIn, **pool: Any) -> Loan:
    """A loan with the facts ``body`` reports (C3) and what the pool records of it."""
    return Loan(
        contract_no=body.contract_no,
        disbursed_on=body.disbursed_on,
        amount=body.amount,
        term_months=body.term_months,
        credit_part=body.credit_part,
        financing_guarantee=body.financing_guarantee,
        **pool,
    )


def _refusal(
    body: LoanIn, today: dt.date, taken: set[str], firms: dict[str, Enterprise]
) -> DomainError | None:
    """Why a loan cannot be taken in whatever the rules: disbursed after today, a credit part
    over the amount, a contract its bank already has (``taken``), an enterprise not among
    ``firms``; None when it can."""
    if body.disbursed_on > today:
        return Invalid("放款日不能晚于今天 / disbursed in the future", ("body", "disbursed_on"))
    if body.credit_part > body.amount:
        return Invalid(
            "信用部分不能大于贷款金额 / credit part over the amount", ("body", "credit_part")
        )
    if body.contract_no in taken:
        return Conflict(f"合同 {body.contract_no} 已报送 / contract already reported")
    if body.enterprise_uscc not in firms:
        return NotFound(
            f"没有统一社会信用代码为 {body.enterprise_uscc} 的企业 / enterprise not found"
        )
    return None


def carry_in(
    session: Session, actor: Actor, code: str, body: CarriedLoanIn, at: dt.datetime
) -> Loan:
    """市科技局 carries in a loan confirmed under the earlier policy ``code`` before this one
    took effect (第三十一条, C10 **[reading]**): it enters the book confirmed, under its own
    version, outside this policy's yearly caps, and its claims are handled under that policy.

    Raises
    ------
    NotFound
        No version ``code``, or no such enterprise.
    Conflict
        ``code`` is not an earlier policy, or the bank already has the contract.
    Invalid
        No bank ``bank_code``; confirmed before the disbursement or outside the version's
        window; disbursed after today; a credit part over the amount.
    """
    actor.require(Role.BUREAU)
    version = policies.one(session, code)
    if version is None:
        raise NotFound(f"没有政策版本 {code} / policy version not found")
    if not version.earlier:
        raise Conflict(
            f"{version.title}的贷款由银行报送，只有原政策的贷款可转入（第三十一条）"
            " / only an earlier policy's loans are carried in"
        )
    bank_id = repository.bank_id(session, body.bank_code)
    if bank_id is None:
        raise Invalid(f"没有代码为 {body.bank_code} 的银行 / no bank", ("body", "bank_code"))
    window = policy.Window(version.code, version.starts_on, version.ends_on)
    if body.confirmed_on < body.disbursed_on:
        raise Invalid("确认日不能早于放款日 / confirmed before disbursed", ("body", "confirmed_on"))
    if not window.holds(body.confirmed_on):
        raise Invalid(
            f"确认日 {body.confirmed_on} 不在{version.title}有效期（{window.text()}）内"
            "（第三十一条） / confirmed outside the version's validity",
            ("body", "confirmed_on"),
        )
    taken = repository.contracts_taken(session, bank_id, [body.contract_no])
    firms = enterprises.by_codes(session, {body.enterprise_uscc})
    error = _refusal(body, at.date(), taken, firms)
    if error is not None:
        raise error
    loan = _loan(
        body,
        bank_id=bank_id,
        enterprise_id=firms[body.enterprise_uscc].id,
        reported_on=body.confirmed_on,
        report_deadline=body.confirmed_on,
        enterprise_eligible=True,
        eligibility_note=f"按原政策确认入池（{version.title}，第三十一条）",
        status=LoanStatus.CONFIRMED,
        decided_at=at,
        policy_code=version.code,
    )
    session.add(loan)
    session.flush()
    record(session, actor.label, "loan.carry_in", "loan", str(loan.id), None, snapshot(loan), at=at)
    return loan


def upload_template() -> bytes:
    """An empty workbook with :data:`UPLOAD_COLUMNS` and one example row, for banks' files."""
    example = ("HT-2025-0001", "91440101MA5C12345E", dt.date(2025, 7, 1), Decimal("1000000.00"),
               12, Decimal("600000.00"), "false")  # fmt: skip
    return xlsx_bytes({"贷款": (UPLOAD_COLUMNS, [example])})


def upload(
    session: Session,
    actor: Actor,
    path: Path,
    filename: str,
    at: dt.datetime,
    calendar: Calendar,
) -> list[Loan]:
    """Report every loan of a CSV (UTF-8 or GB18030) or xlsx file with :data:`UPLOAD_COLUMNS`;
    all or none (the first bad line names file, line and field)."""
    bank = own_bank(session, actor)
    rows = read_upload(path, filename, UPLOAD_COLUMNS)
    if not rows:
        raise Invalid(f"{filename}：没有贷款记录", "file")
    bodies = []
    for line, row in rows:
        where = f"{filename} 第 {line} 行"
        flag = BOOLEANS.get(row["financing_guarantee"].lower())
        if flag is None:
            raise Invalid(f"{where}：financing_guarantee 须为 true 或 false", "file")
        try:
            bodies.append(LoanIn.model_validate({**row, "financing_guarantee": flag}))
        except ValidationError as err:
            first = err.errors()[0]
            raise Invalid(f"{where}：{first['loc'][0]} {first['msg']}", "file") from None
    try:
        return _add_many(session, actor, bank, bodies, at, calendar)
    except RowError as err:
        line = rows[err.index][0]
        raise Invalid(f"{filename} 第 {line} 行：{err.error.message}", "file") from None


def forward(
    session: Session, actor: Actor, ids: list[int] | None, at: dt.datetime, calendar: Calendar
) -> list[Loan]:
    """The trustee checks the reported loans (``ids``, default all) with the rules engine and
    forwards them to 市科技局 with the decision: registered, or the first failing reason."""
    actor.require(Role.TRUSTEE)
    waiting = repository.in_status(session, LoanStatus.REPORTED, ids)
    if not waiting:
        return []
    # The enterprise's yearly cap (C3) looks only at the loans of one enterprise and year.
    groups = {(loan.enterprise_id, loan.disbursed_on.year) for loan in waiting}
    book = repository.not_refused(session, {firm for firm, _ in groups})
    book = [loan for loan in book if (loan.enterprise_id, loan.disbursed_on.year) in groups]
    reasons = ledger.loan_reasons(calendar, [_row(loan) for loan in book])
    changes = []
    for loan in waiting:
        before = snapshot(loan)
        loan.status, loan.reason, loan.forwarded_at = LoanStatus.FORWARDED, reasons[loan.id], at
        changes.append((str(loan.id), before, snapshot(loan)))
    record_many(session, actor.label, "loan.forward", "loan", changes, at=at)
    return list(waiting)


def _row(loan: Loan) -> ledger.LoanRow:
    return ledger.LoanRow(
        id=loan.id,
        bank_id=loan.bank_id,
        enterprise_id=loan.enterprise_id,
        enterprise_eligible=loan.enterprise_eligible,
        disbursed_on=loan.disbursed_on,
        reported_on=loan.reported_on,
        amount=loan.amount,
        term_months=loan.term_months,
        credit_part=loan.credit_part,
        financing_guarantee=loan.financing_guarantee,
    )


def confirm(
    session: Session, actor: Actor, ids: list[int] | None, at: dt.datetime
) -> list[Confirmation]:
    """市科技局 confirms the forwarded loans in bulk: those the rules register enter the pool,
    the others are refused; each bank gets one 确认书 for its confirmed loans. Claims computed
    and not yet approved are computed again (their banks' caps or their loans may have
    changed)."""
    actor.require(Role.BUREAU)
    forwarded = repository.in_status(session, LoanStatus.FORWARDED, ids)
    by_bank: dict[int, list[Loan]] = defaultdict(list)
    changes = []
    for loan in forwarded:
        before = snapshot(loan)
        loan.status = LoanStatus.CONFIRMED if loan.reason is None else LoanStatus.REFUSED
        loan.decided_at = at
        if loan.status is LoanStatus.CONFIRMED:
            by_bank[loan.bank_id].append(loan)
        changes.append((str(loan.id), before, snapshot(loan)))
    confirmations = []
    for bank_id, loans in sorted(by_bank.items()):
        total = sum((loan.amount for loan in loans), Decimal(0))
        confirmation = Confirmation(bank_id=bank_id, issued_at=at, loans=len(loans), total=total)
        session.add(confirmation)
        session.flush()
        for loan in loans:
            loan.confirmation_id = confirmation.id
        record(
            session,
            actor.label,
            "confirmation.issue",
            "confirmation",
            str(confirmation.id),
            None,
            snapshot(confirmation),
            at=at,
        )
        confirmations.append(confirmation)
    session.flush()
    record_many(session, actor.label, "loan.decide", "loan", changes, at=at)
    if by_bank and claims_repository.any_in_status(session, ClaimStatus.REVIEWED):
        # Confirmed lending moves the banks' caps (第十七条): computed claims follow.
        computation.recompute(session, actor.label, [], at)
    return confirmations


def confirmation_out(session: Session, confirmation: Confirmation) -> ConfirmationOut:
    bank = session.get(Bank, confirmation.bank_id)
    assert bank is not None
    return ConfirmationOut(
        id=confirmation.id,
        bank_code=bank.code,
        issued_at=confirmation.issued_at,
        loans=confirmation.loans,
        total=confirmation.total,
    )


def confirmation_xlsx(
    session: Session, actor: Actor, confirmation_id: int, at: dt.datetime
) -> tuple[str, bytes]:
    """The 确认书 as xlsx (file name, bytes) for its bank, the trustee or 市科技局; logged."""
    confirmation = session.get(Confirmation, confirmation_id)
    if confirmation is None:
        raise NotFound("没有此确认书 / confirmation not found")
    actor.require_bank(confirmation.bank_id, "确认书")
    actor.require(Role.BANK, Role.TRUSTEE, Role.BUREAU)
    rows = repository.of_confirmation(session, confirmation_id)
    bank = session.get(Bank, confirmation.bank_id)
    assert bank is not None
    headers = (
        "序号",
        "借款合同编号",
        "企业名称",
        "统一社会信用代码",
        "放款日",
        "贷款金额（元）",
        "期限（月）",
    )
    table = [
        (
            k,
            loan.contract_no,
            loan.enterprise.name,
            loan.enterprise.uscc,
            loan.disbursed_on,
            loan.amount,
            loan.term_months,
        )
        for k, loan in enumerate(rows, start=1)
    ]
    summary: tuple[tuple[str, ...], list[tuple[Cell, ...]]] = (
        ("项目", "内容"),
        [
            ("确认书编号", f"KJXD-{confirmation.id:06d}"),
            ("合作银行", bank.name),
            ("确认日期", confirmation.issued_at.date()),
            ("确认入池贷款笔数", confirmation.loans),
            ("确认入池贷款金额（元）", confirmation.total),
            ("说明", "以上贷款经受托管理机构审核、市科技局确认，纳入科技信贷风险损失补偿资金池。"),
        ],
    )
    data = xlsx_bytes({"确认书": summary, "贷款明细": (headers, table)})
    record_export(session, actor, "confirmation", str(confirmation_id), at)
    return f"confirmation-{confirmation.id}.xlsx", data


def out(loan: Loan, *, full: bool) -> LoanOut:
    """The loan; the enterprise's identity and the contract masked unless ``full``."""
    firm = loan.enterprise
    return LoanOut(
        id=loan.id,
        bank_code=loan.bank.code,
        enterprise_id=loan.enterprise_id,
        contract_no=loan.contract_no if full else mask(loan.contract_no),
        enterprise_uscc=firm.uscc if full else mask(firm.uscc, 4, 2),
        enterprise_name=firm.name if full else mask(firm.name, 1, 0),
        disbursed_on=loan.disbursed_on,
        reported_on=loan.reported_on,
        report_deadline=loan.report_deadline,
        amount=loan.amount,
        term_months=loan.term_months,
        credit_part=loan.credit_part,
        financing_guarantee=loan.financing_guarantee,
        enterprise_eligible=loan.enterprise_eligible,
        eligibility_note=loan.eligibility_note,
        status=loan.status,
        reason=loan.reason,
        reason_text=REASON_TEXT.get(loan.reason or ""),
        confirmation_id=loan.confirmation_id,
        policy_code=loan.policy_code,
        earlier_policy=loan.policy.earlier,
        masked=not full,
    )


def get(session: Session, actor: Actor, loan_id: int, *, full: bool, at: dt.datetime) -> LoanOut:
    """One loan, visible to its bank and to the others but other banks; ``full`` shows the
    enterprise and contract and is logged (never for the auditor)."""
    loan = repository.one(session, loan_id)
    if loan is None:
        raise NotFound("没有此贷款 / loan not found")
    actor.require_bank(loan.bank_id, "贷款")
    if full:
        reveal(session, actor, "loan", str(loan.id), at)
    return out(loan, full=full)


def listing(
    session: Session,
    actor: Actor,
    status: LoanStatus | None,
    params: PaginationParams,
    bank: str | None = None,
) -> tuple[list[LoanOut], int]:
    """A page of loans (a bank's own only; the staff's of the bank ``bank`` names, when
    given), masked, and how many match."""
    bank_id = bank_filter(session, actor, bank)
    rows, total = paginate(session, repository.listed(bank_id, status), params)
    return [out(loan, full=False) for loan in rows], total
