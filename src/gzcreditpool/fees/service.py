"""The trustee's yearly fee (C8, 第二十四条), the next year's budget line (第三条), the banks'
yearly performance and the trustee's report due by 31 March (第二十六条, 第二十七条), and the
figures of 市科技局's dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from gzcreditpool import ledger
from gzcreditpool.core.claims import POOL_YEAR_FEN
from gzcreditpool.core.fees import BASE_FEE_FEN
from gzcreditpool.fees import repository
from gzcreditpool.fees.schemas import BankYearOut, BudgetOut, FeeOut, ReportOut
from gzcreditpool.kit.audit import record
from gzcreditpool.kit.auth import Actor
from gzcreditpool.kit.secrecy import record_export
from gzcreditpool.models import Role, TrusteeReport
from gzkit.audit import snapshot
from gzkit.errors import Conflict, NotFound
from gzkit.sheets import Cell, xlsx_bytes

ZERO = Decimal("0.00")
REPORT_MONTH, REPORT_DAY = 3, 31  # the trustee's report on a year, by 31 March of the next


def fee(session: Session, year: int) -> FeeOut:
    """The fee on the year's confirmed lending (C8)."""
    lent = sum((v[0] for (_, y), v in repository.lending(session).items() if y == year), ZERO)
    total = ledger.fee_of(lent)
    base = ledger.cny(BASE_FEE_FEN)
    return FeeOut(
        year=year,
        lent=lent,
        base_fee=base,
        performance_fee=total - base,
        fee=total,
        report_due_on=report_due_on(year),
    )


def budget(session: Session, year: int) -> BudgetOut:
    """Year ``year``'s budget line: compensation approved on last year's claims, paid from
    this year's budget (第十七条), and last year's trustee fee."""
    compensation = sum(
        (v[1] for (_, y), v in repository.claims(session).items() if y == year - 1), ZERO
    )
    trustee = fee(session, year - 1).fee
    cap = ledger.cny(POOL_YEAR_FEN)
    return BudgetOut(
        year=year,
        compensation=compensation,
        trustee_fee=trustee,
        total=compensation + trustee,
        pool_cap=cap,
        within_cap=compensation <= cap,
    )


def bank_years(session: Session, year: int | None = None) -> list[BankYearOut]:
    """Each bank's figures by year (only ``year`` when given), in bank then year order."""
    lending = repository.lending(session)
    claims = repository.claims(session)
    refunds = repository.refunds(session)
    written = repository.written_off(session)
    keys = set(lending) | set(claims) | set(refunds) | set(written)
    rows = []
    for bank in repository.banks(session):
        years = sorted(y for b, y in keys if b == bank.id and (year is None or y == year))
        if year is not None and not years:
            years = [year]
        for y in years:
            lent, loans, firms = lending.get((bank.id, y), (ZERO, 0, 0))
            npl, paid = claims.get((bank.id, y), (ZERO, ZERO))
            rows.append(
                BankYearOut(
                    bank_code=bank.code,
                    bank_name=bank.name,
                    year=y,
                    lent=lent,
                    loans=loans,
                    enterprises=firms,
                    npl_claimed=npl,
                    compensation=paid,
                    refunds=refunds.get((bank.id, y), ZERO),
                    written_off=written.get((bank.id, y), ZERO),
                )
            )
    return rows


def performance_xlsx(session: Session, actor: Actor, year: int, at: dt.datetime) -> bytes:
    """The trustee's report on ``year`` (xlsx): the banks' performance, the fee and the
    write-offs reviewed (第二十三条 (六)); the download is logged."""
    actor.require(Role.TRUSTEE, Role.BUREAU, Role.AUDITOR)
    rows = bank_years(session, year)
    due = fee(session, year)
    headers = (
        "银行代码",
        "银行名称",
        "放贷额（元）",
        "笔数",
        "企业数",
        "申请补偿不良余额（元）",
        "批准补偿（元）",
        "应退回（元）",
        "核销（元）",
    )
    table = [
        (
            r.bank_code,
            r.bank_name,
            r.lent,
            r.loans,
            r.enterprises,
            r.npl_claimed,
            r.compensation,
            r.refunds,
            r.written_off,
        )
        for r in rows
    ]
    summary: list[tuple[Cell, ...]] = [
        ("年度", str(year)),
        ("入池放贷额（元）", due.lent),
        ("基本管理费（元）", due.base_fee),
        ("绩效管理费（元）", due.performance_fee),
        ("受托管理费合计（元）", due.fee),
        ("报告截止日", due.report_due_on),
    ]
    write_offs = (
        ("银行代码", "贷款编号", "核销日", "核销金额（元）", "理由", "受托管理机构审核意见"),
        [
            (w.loan.bank.code, w.loan_id, w.written_off_on, w.amount, w.reason, w.review_note)
            for w in repository.write_offs_of(session, year)
        ],
    )
    data = xlsx_bytes(
        {
            "合作银行绩效": (headers, table),
            "受托管理费": (("项目", "内容"), summary),
            "核销": write_offs,
        }
    )
    record_export(session, actor, "performance", str(year), at)
    return data


def report_due_on(year: int) -> dt.date:
    """The day the trustee's report on ``year`` is due (第二十七条)."""
    return dt.date(year + 1, REPORT_MONTH, REPORT_DAY)


def submit_report(
    session: Session, actor: Actor, year: int, summary: str, at: dt.datetime
) -> TrusteeReport:
    """The trustee submits its report on ``year`` (a past year): the workbook of
    :func:`performance_xlsx` is frozen with its note; audited.

    Raises
    ------
    Conflict
        The year is not over yet, or its report was already submitted.
    """
    actor.require(Role.TRUSTEE)
    if year >= at.year:
        raise Conflict(f"{year} 年尚未结束，不能报送年度报告 / the year is not over")
    if year in repository.reports(session):
        raise Conflict(f"{year} 年度报告已报送 / already submitted")
    report = TrusteeReport(
        year=year,
        summary=summary,
        workbook=performance_xlsx(session, actor, year, at),
        submitted_at=at,
        submitted_by=actor.label,
    )
    session.add(report)
    session.flush()
    after = {k: v for k, v in snapshot(report).items() if k != "workbook"}
    record(session, actor.label, "report.submit", "trustee_report", str(year), None, after, at=at)
    return report


def reports(session: Session, today: dt.date) -> list[ReportOut]:
    """The yearly reports owed so far (a year with confirmed lending, once it has ended), the
    missing ones late after 31 March."""
    submitted = repository.reports(session)
    years = {y for (_, y) in repository.lending(session)} | set(submitted)
    found = []
    for year in sorted(y for y in years if y < today.year):
        report = submitted.get(year)
        due = report_due_on(year)
        done_on = report.submitted_at.date() if report else None
        found.append(
            ReportOut(
                year=year,
                due_on=due,
                submitted_at=report.submitted_at if report else None,
                submitted_by=report.submitted_by if report else None,
                summary=report.summary if report else None,
                late=(done_on or today) > due,
            )
        )
    return found


def report_workbook(session: Session, actor: Actor, year: int, at: dt.datetime) -> bytes:
    """The workbook as submitted; the download is logged."""
    actor.require(Role.TRUSTEE, Role.BUREAU, Role.AUDITOR)
    report = repository.reports(session).get(year)
    if report is None:
        raise NotFound(f"{year} 年度报告尚未报送 / not submitted")
    record_export(session, actor, "trustee_report", str(year), at)
    return report.workbook
