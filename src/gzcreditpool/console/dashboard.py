"""总览: 市科技局's (and the trustee's, the auditor's) dashboard — lending, non-performing
balances claimed, compensation and refunds by bank and year as charts, the budget line, the
trustee's fee and report, the banks' status, duplicate-funding flags and sanctions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Request, Response

from gzcreditpool.banks import service as banks
from gzcreditpool.console.pages import STAFF, PageActor, page_router, render
from gzcreditpool.fees import service as fees
from gzcreditpool.fees.schemas import BankYearOut
from gzcreditpool.sanctions import service as sanctions
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
def dashboard(request: Request, actor: PageActor, session: SessionDep) -> Response:
    actor.require(*STAFF)
    year = request.app.state.clock.now().year
    rows = fees.bank_years(session)
    return render(
        request,
        actor,
        "dashboard.html",
        data=chart_data(rows),
        charts=CHARTS,
        rows=rows,
        budget=fees.budget(session, year),
        next_budget=fees.budget(session, year + 1),
        fee=fees.fee(session, year - 1),
        banks=banks.listing(session),
        statuses=banks.STATUS_NAMES,
        flags=sanctions.flags(session, actor),
        sanctions=sanctions.listing(session, actor),
        report_years=sorted({r.year for r in rows}),
    )
