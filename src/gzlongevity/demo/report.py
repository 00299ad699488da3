"""The demo's report: an HTML page with charts (plotly, embedded: it opens offline) and the
story of the simulation — the monthly runs, a death known months late taken back through the
deduction agreement, an overpayment escalated to 责令退回 — and the xlsx monthly reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, FileSystemLoader
from sqlalchemy import func, select

from gzkit.db import session_scope
from gzlongevity.console.labels import label
from gzlongevity.core.calendar import month_text
from gzlongevity.demo.simulation import DemoRun
from gzlongevity.kit.auth import mask_id
from gzlongevity.models import (
    CaseKind,
    CaseStatus,
    EventKind,
    Notice,
    RecoveryCase,
    RegisterEvent,
)
from gzlongevity.statistics.report import monthly_report
from gzlongevity.statistics.schemas import MonthFigures

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True
)
TIERS = {"70": "70–79 岁", "80": "80–89 岁", "90": "90–99 岁", "100": "100 岁以上"}


def _chart(
    figure: go.Figure, title: str, unit: str, first: bool = False, barmode: str = "stack"
) -> str:
    figure.update_layout(
        title=title,
        barmode=barmode,
        xaxis={"type": "category"},
        height=380,
        margin={"l": 70, "r": 20, "t": 50, "b": 40},
        yaxis={"title": unit, "separatethousands": True},
        legend={"orientation": "h"},
        font={"family": "Noto Sans CJK SC, sans-serif"},
    )
    return str(pio.to_html(figure, full_html=False, include_plotlyjs=first))


def _cases(run: DemoRun) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Two stories (a late death recovered by the agreement, an order) and the cases by status."""
    stories: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    with session_scope(run.app.state.read_sessionmaker) as session:
        held = dict(
            session.execute(
                select(RecoveryCase.status, func.count()).group_by(RecoveryCase.status)
            ).all()
        )
        for status in CaseStatus:
            counts[label(status)] = held.get(status, 0)
        deaths = {
            person: (event_date, known_on)
            for person, event_date, known_on in session.execute(
                select(
                    RegisterEvent.person_id, RegisterEvent.event_date, RegisterEvent.known_on
                ).where(RegisterEvent.event == EventKind.DIED)
            ).all()
        }
        for wanted, title in (
            ((CaseStatus.CLOSED,), "身故数据迟到，按扣款协议原路扣回"),
            ((CaseStatus.ORDERED,), "逾期 3 个月未退回，责令退回"),
        ):
            candidates = session.scalars(
                select(RecoveryCase)
                .where(RecoveryCase.status.in_(wanted), RecoveryCase.kind == CaseKind.OVERPAYMENT)
                .order_by(RecoveryCase.id)
            ).all()
            for case in candidates:
                died, known = deaths.get(case.person_id, (None, None))
                if died is None or known is None or (known - died).days < 80:
                    continue
                if wanted == (CaseStatus.CLOSED,) and case.clawback_month is None:
                    continue
                notices = session.scalars(
                    select(Notice.body)
                    .where(Notice.person_id == case.person_id)
                    .order_by(Notice.id)
                ).all()
                stories.append(
                    {
                        "title": title,
                        "person": mask_id(case.person_id),
                        "died": died,
                        "known": known,
                        "amount": f"{case.amount_fen / 100:.2f}",
                        "recovered": f"{case.recovered_fen / 100:.2f}",
                        "found": month_text(case.found_in_run) if case.found_in_run else "—",
                        "clawback": month_text(case.clawback_month) if case.clawback_month else "—",
                        "ordered": case.ordered_on,
                        "notices": notices,
                    }
                )
                break
    return stories, counts


async def write_report(run: DemoRun) -> tuple[Path, Path, dict[str, str]]:
    """report.html, the monthly xlsx reports and the last month's bank file in xlsx; the
    report's path, the last workbook's and a summary for the screen."""
    reports = run.out / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    figures = []
    for month in run.months:
        figures.append(await run.call("GET", f"/api/statistics/months/{month}", "city"))
        # The report the API serves as report.xlsx, made from the same figures.
        report_book = monthly_report(MonthFigures.model_validate(figures[-1]))
        (reports / f"longevity-{month}.xlsx").write_bytes(report_book)
    last = run.months[-1]
    bank = run.out / "bank" / last / f"bank-{last}-440106.xlsx"
    bank.write_bytes(
        await run.call("GET", f"/api/runs/{last}/bank-file.xlsx?payer=440106", "finance")
    )
    series = await run.call("GET", "/api/statistics/series", "city")
    months = series["months"]
    charts = [
        _chart(
            go.Figure(
                [go.Bar(x=months, y=y, name=TIERS.get(t, t)) for t, y in series["by_tier"].items()]
            ),
            "各月按档次发放金额（不含百岁慰问金）",
            "元",
            first=True,
        ),
        _chart(
            go.Figure(
                [go.Bar(x=months, y=y, name=name) for name, y in series["by_district"].items()]
            ),
            "各月按区发放金额",
            "元",
        ),
        _chart(
            go.Figure(
                [
                    go.Scatter(
                        x=months, y=series["beneficiaries"], name="享受人数", mode="lines+markers"
                    )
                ]
            ),
            "各月享受人数（按月发放）",
            "人",
        ),
        _chart(
            go.Figure(
                [
                    go.Bar(x=months, y=series["arrears"], name="补发"),
                    go.Bar(x=months, y=series["overpaid"], name="多领（当月发现）"),
                ]
            ),
            "补发与多领",
            "元",
            barmode="group",
        ),
        _chart(
            go.Figure(
                [
                    go.Bar(x=months, y=series["recovery_owed"], name="立案应追回"),
                    go.Bar(x=months, y=series["recovered"], name="结案已追回"),
                ]
            ),
            "多领追回（按发现月、结案月）",
            "元",
            barmode="group",
        ),
    ]
    stories, counts = _cases(run)
    total = sum(float(f["amount_cny"]) for f in figures)
    final = figures[-1]
    summary = {
        "people": f"{run.people:,}",
        "register_rows": f"{run.register_rows:,}",
        "runs": f"{len(run.months)}（{run.months[0]} 至 {last}）",
        "paid": f"{total:,.2f}",
        "beneficiaries": f"{final['beneficiaries']:,}",
        "cases": "、".join(f"{k} {v}" for k, v in counts.items()),
        "recovery_rate": "—"
        if final["recovery_rate"] is None
        else f"{float(final['recovery_rate']):.1%}",
    }
    page = TEMPLATES.get_template("report.html").render(
        summary=summary,
        figures=figures,
        charts=charts,
        stories=stories,
        last=last,
        timings=run.timings,
        streets=sum(1 for key in run.tokens if "/" in key),
    )
    report = run.out / "report.html"
    report.write_text(page, encoding="utf-8")
    return report, reports / f"longevity-{last}.xlsx", summary
