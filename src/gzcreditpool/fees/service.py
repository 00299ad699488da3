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
from gzcreditpool.fees.schemas import BankYearOut, BudgetOut, FeeOut
from gzcreditpool.kit.auth import Actor
from gzcreditpool.kit.secrecy import record_export
from gzcreditpool.models import Role
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
        report_due_on=dt.date(year + 1, REPORT_MONTH, REPORT_DAY),
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
