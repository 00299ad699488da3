"""总览: 市科技局's (and the trustee's, the auditor's) dashboard — lending, non-performing
balances claimed, compensation and refunds by bank and year as charts, the budget line, the
trustee's fee and report, the banks' status, duplicate-funding flags and sanctions."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import Form, Path, Query, Request, Response

from gzcreditpool.banks import service as banks
from gzcreditpool.console.pages import STAFF, PageActor, done, page_router, parse, render
from gzcreditpool.enterprises import service as enterprises
from gzcreditpool.enterprises.schemas import DishonestIn
from gzcreditpool.fees import service as fees
from gzcreditpool.fees.schemas import BankYearOut, ReportIn
from gzcreditpool.models import SanctionKind
from gzcreditpool.recoveries import service as recoveries
from gzcreditpool.sanctions import service as sanctions
from gzcreditpool.sanctions.schemas import SanctionIn
from gzkit.console.paging import listing, paged_slice, paging
from gzkit.db import SessionDep

router = page_router()
# The dashboard's charts: (id, title, figure of a bank's year in CNY).
CHARTS = (
    ("lent", "入池放贷额"),
    ("npl_claimed", "申请补偿的不良余额"),
    ("compensation", "批准补偿"),
    ("refunds", "应退回"),
)
WAN = Decimal(10_000)
PAGE = "/console/dashboard"
SANCTION_KINDS = {
    SanctionKind.DUPLICATE_FUNDING: "同一贷款项目申报多项市财政资金",
    SanctionKind.MISCLASSIFICATION: "未准确进行贷款风险分类",
    SanctionKind.FALSE_MATERIALS: "提供虚假材料",
}
NOTICES = {
    "report": "年度报告已报送市科技局。",
    "sanctioned": "处理决定已登记，该笔贷款的补偿资金须全部追回。",
    "dishonest": "企业已列为失信企业，其后报送的贷款不符合条件。",
}


def chart_data(rows: list[BankYearOut]) -> dict[str, Any]:
    """For each chart, the years and one series per bank (万元)."""
    years = sorted({r.year for r in rows})
    codes = sorted({r.bank_code for r in rows})
    by_key = {(r.bank_code, r.year): r for r in rows}
    charts = {}
    for key, title in CHARTS:
        charts[key] = {
            "title": f"{title}（万元）",
            "series": [
                {
                    "name": code,
                    "y": [
                        float(getattr(by_key[(code, y)], key) / WAN) if (code, y) in by_key else 0.0
                        for y in years
                    ],
                }
                for code in codes
            ],
        }
    return {"years": [str(y) for y in years], "charts": charts}


@router.get("/dashboard")
def dashboard(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    rows_page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    reports_page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    banks_page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    flags_page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    sanctions_page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    dishonest_page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    notice: Annotated[str, Query(alias="done", max_length=20)] = "",
) -> Response:
    """The pool at a glance: the budget, fee and overdue refunds; the charts; the banks'
    performance, the reports, the banks, the flags, sanctions and 失信 enterprises, each list
    page by page."""
    actor.require(*STAFF)
    now = request.app.state.clock.now()
    year = now.year
    rows = fees.bank_years(session)
    reports = fees.reports(session, now.date())
    return render(
        request,
        actor,
        "dashboard.html",
        data=chart_data(rows),
        charts=CHARTS,
        rows=paged_slice(rows, rows_page),
        budget=fees.budget(session, year),
        next_budget=fees.budget(session, year + 1),
        fee=fees.fee(session, year - 1),
        banks=listing(*banks.listing(session, paging(banks_page)), banks_page),
        statuses=banks.STATUS_NAMES,
        flags=paged_slice(sanctions.flags(session, actor), flags_page),
        sanctions=listing(
            *sanctions.listing(session, actor, paging(sanctions_page)), sanctions_page
        ),
        overdue=recoveries.overdue(session, actor, now.date()),
        dishonest=listing(
            *enterprises.dishonest(session, actor, now.date(), paging(dishonest_page)),
            dishonest_page,
        ),
        kinds=SANCTION_KINDS,
        notice=NOTICES.get(notice, ""),
        report_years=sorted({r.year for r in rows}),
        reports=paged_slice(reports, reports_page),
    )


@router.post("/sanctions")
def sanction(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    loan_id: Annotated[str, Form(max_length=12)],
    kind: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=500)],
) -> Response:
    """市科技局's finding on a loan (第二十五条)."""
    body = parse(SanctionIn, {"loan_id": loan_id, "kind": kind, "note": note})
    sanctions.sanction(session, actor, body, request.app.state.clock.now())
    return done(PAGE, "sanctioned")


@router.post("/dishonest")
def flag_dishonest(
    request: Request,
    actor: PageActor,
    session: SessionDep,
    uscc: Annotated[str, Form(max_length=18)],
    reason: Annotated[str, Form(max_length=500)],
) -> Response:
    """市科技局 flags an enterprise 失信 (第三十条)."""
    body = parse(DishonestIn, {"reason": reason})
    enterprises.flag_dishonest(
        session, actor, uscc.strip(), body.reason, request.app.state.clock.now()
    )
    return done(PAGE, "dishonest")


@router.post("/reports/{year}")
def submit_report(
    year: Annotated[int, Path(ge=2000, le=2100)],
    request: Request,
    actor: PageActor,
    session: SessionDep,
    summary: Annotated[str, Form(max_length=2000)],
) -> Response:
    """The trustee submits its report on a past year (第二十七条)."""
    body = parse(ReportIn, {"summary": summary})
    fees.submit_report(session, actor, year, body.summary, request.app.state.clock.now())
    return done(PAGE, "report")
