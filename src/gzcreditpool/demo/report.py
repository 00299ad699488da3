"""The demo's report: read back through the API as 市科技局 would, then an HTML page with
plotly charts (plotly.js inlined, no network) and the xlsx reports beside it."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from gzcreditpool.demo.run import DemoRun
from gzcreditpool.demo.world import BANKS
from gzkit.sheets import xlsx_bytes

WAN = Decimal(10_000)
CHARTS = (
    ("lent", "入池放贷额（万元）"),
    ("npl_claimed", "申请补偿的不良余额（万元）"),
    ("compensation", "批准补偿（万元）"),
    ("refunds", "应退回（万元）"),
)
DECISIONS = {"approved": "全额补偿", "partial": "部分补偿", "refused": "不予补偿"}


def _bars(rows: list[dict[str, Any]], key: str, title: str) -> str:
    years = sorted({r["year"] for r in rows})
    figure = go.Figure()
    for code, name, _ in BANKS:
        mine = {r["year"]: Decimal(r[key]) / WAN for r in rows if r["bank_code"] == code}
        figure.add_bar(
            x=[str(y) for y in years], y=[float(mine.get(y, 0)) for y in years], name=name
        )
    figure.update_layout(
        title={"text": title},
        barmode="group",
        template="plotly_white",
        xaxis={"type": "category", "title": {"text": "年度"}},
        yaxis={"title": {"text": "万元"}, "tickformat": ",.0f"},
        separators=".,",
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        height=420,
        legend={"orientation": "h", "y": -0.2},
    )
    # As wide as its grid cell: the report reads on a phone as on a desk.
    html = pio.to_html(
        figure,
        full_html=False,
        include_plotlyjs=False,
        default_width="100%",
        config={"responsive": True, "displaylogo": False},
    )
    return str(html)


def _owed(recovery: dict[str, Any]) -> Decimal:
    """A recovery's refund with its top-ups (C7)."""
    return Decimal(recovery["refund"]) + sum(
        (Decimal(t["amount"]) for t in recovery["top_ups"]), Decimal(0)
    )


def write_report(run: DemoRun, out: Path) -> str:
    """``report.html``, ``performance-<year>.xlsx`` and ``budget.xlsx`` in ``out``; a summary."""
    client, bureau = run, run.bureau
    rows = client.every("/api/performance", bureau)
    years = sorted({r["year"] for r in rows})
    claims = client.every("/api/claims", bureau)
    recoveries = client.every("/api/recoveries", bureau)
    budgets = [client.call("GET", f"/api/budget/{y + 1}", bureau) for y in years]
    fees = [client.call("GET", f"/api/fees/{y}", bureau) for y in years]
    flags = client.every("/api/sanctions/flags", bureau)
    reports = client.every("/api/reports", bureau)
    sanctions = client.every("/api/sanctions", bureau)
    write_offs = client.every("/api/write-offs", bureau)
    loans = client.call("GET", "/api/loans?limit=1", bureau)["pagination"]["total_count"]
    refused = Counter(
        item["reason_text"] for item in client.every("/api/loans?status=refused", bureau)
    )
    for year in years:
        (out / f"performance-{year}.xlsx").write_bytes(
            client.call("GET", f"/api/reports/performance/{year}.xlsx", run.trustee)
        )
    budget_table = (
        ("预算年度", "上年批准补偿（元）", "上年受托管理费（元）", "合计（元）", "在 2 亿元规模内"),
        [
            (
                b["year"],
                Decimal(b["compensation"]),
                Decimal(b["trustee_fee"]),
                Decimal(b["total"]),
                b["within_cap"],
            )
            for b in budgets
        ],
    )
    (out / "budget.xlsx").write_bytes(xlsx_bytes({"预算": budget_table}))
    decisions = Counter(DECISIONS.get(c["decision"] or "", "待核算") for c in claims)
    reasons = Counter(c["reason_text"] for c in claims if c["reason_text"])
    overdue = [r for r in recoveries if r["overdue"] or any(t["overdue"] for t in r["top_ups"])]
    top_ups = [
        {
            "recovery": r,
            "top_up": t,
            "claims": [c for c in claims if c["loan_id"] == r["loan_id"]],
        }
        for r in recoveries
        for t in r["top_ups"]
    ]
    top_up_total = sum((Decimal(t["top_up"]["amount"]) for t in top_ups), Decimal(0))
    environment = Environment(
        loader=PackageLoader("gzcreditpool.demo"), autoescape=select_autoescape()
    )
    html = environment.get_template("report.html.j2").render(
        plotly_js=get_plotlyjs(),
        charts=[_bars(rows, key, title) for key, title in CHARTS],
        rows=rows,
        years=years,
        loans=loans,
        refused=refused.most_common(),
        claims=len(claims),
        decisions=decisions.most_common(),
        reasons=reasons.most_common(),
        compensation=sum((Decimal(c["amount"] or 0) for c in claims), Decimal(0)),
        recoveries=len(recoveries),
        refunds=sum((_owed(r) for r in recoveries), Decimal(0)),
        overdue=overdue,
        top_ups=top_ups,
        top_up_total=top_up_total,
        decisions_text=DECISIONS,
        budgets=budgets,
        fees=fees,
        flags=flags,
        sanctions=sanctions,
        write_offs=write_offs,
        reports=reports,
        tokens=run.tokens,
    )
    (out / "report.html").write_text(html, encoding="utf-8")
    partial = decisions.get("部分补偿", 0)
    return (
        f"报告 {out / 'report.html'}：报送贷款 {loans} 笔（不予入池 {sum(refused.values())} 笔），"
        f"补偿申请 {len(claims)} 笔（部分补偿 {partial} 笔），清收 {len(recoveries)} 笔"
        f"（逾期未退回 {len(overdue)} 笔；补退 {len(top_ups)} 笔 {top_up_total:,.2f} 元），"
        f"疑似重复申报 {len(flags)} 起，"
        f"处理 {len(sanctions)} 起。"
    )
