"""The demo's HTML report: the quarter in charts, built with plotly (plotly.js inlined, no CDN)."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from gzvpp.console.labels import install as install_labels
from gzvpp.core.invitation import PEAK_TRIGGER_SHARE
from gzvpp.demo.simulation import DemoRun
from gzvpp.settlement.export import MODE as MODE_NAMES
from gzvpp.settlement.export import STATUS, TOTAL_LABEL

# The settlement export's Chinese headers, for the columns the report reads.
DETAIL_COLUMNS = {
    "事件编号": "event_id",
    "参与主体编号": "participant_id",
    "参与主体名称": "participant_name",
    "评估状态": "status",
    "有效响应": "effective",
    "未执行": "non_execution",
    "得分": "score",
    "补贴金额(元)": "subsidy_cny",
}
REFUSAL_NAMES = {
    "late": "逾期申报（第八条）",
    "over capability": "超过登记响应能力",
    "suspended": "当月暂停应邀（第九条（二））",
    "daily limit": "超过每日次数或时长上限（第五条）",
    "other": "其他",
}
# Distinct colours and symbols: several events can fall on one hot day.
MODE_MARKERS = {
    "day_ahead": dict(color="#1f77b4", symbol="circle-open", size=16, line=dict(width=3)),
    "hours_ahead": dict(color="#ff7f0e", symbol="square-open", size=12, line=dict(width=3)),
    "realtime": dict(color="#d62728", symbol="diamond", size=8),
}
FONT = dict(family="Noto Sans CJK SC, Microsoft YaHei, sans-serif")


@dataclass(frozen=True)
class QuarterFacts:
    """What the report and the terminal summary both show."""

    quarter: str
    report: dict[str, Any]  # the settlement endpoint's body
    events: list[dict[str, Any]]
    results: pl.DataFrame  # every award's result (the detailed CSV export)


def quarter_of(day: dt.date) -> str:
    """``2025Q3`` for a day in July–September 2025."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def collect(run: DemoRun, quarter: str) -> QuarterFacts:
    """Read the quarter back through the API, as the regulator's reviewers would."""
    client, headers = run.client, run.operator
    report = client.get(f"/api/settlement/quarters/{quarter}", headers=headers).json()
    detail = client.get(
        f"/api/settlement/quarters/{quarter}/export.csv",
        headers=headers,
        params={"detail": "true"},
    )
    results = (
        pl.read_csv(io.BytesIO(detail.content), infer_schema_length=0)
        .rename(DETAIL_COLUMNS)
        .filter(pl.col("event_id").is_not_null() & (pl.col("event_id") != TOTAL_LABEL))
        .select(DETAIL_COLUMNS.values())
    )
    events = [client.get(f"/api/events/{e}", headers=headers).json() for e in run.event_ids]
    return QuarterFacts(quarter, report, events, results)


def _figure_html(figure: go.Figure) -> str:
    figure.update_layout(font=FONT, margin=dict(l=60, r=20, t=50, b=50), template="plotly_white")
    return str(pio.to_html(figure, full_html=False, include_plotlyjs=False))


def system_load_chart(run: DemoRun, facts: QuarterFacts, first: dt.date, last: dt.date) -> str:
    """Daily maximum system load with the 95 % trigger line and the events marked."""
    days = [d for d in run.days if first <= d <= last]
    peaks = [float(run.system_mw[run.days.index(d)].max()) for d in days]
    figure = go.Figure(
        go.Scatter(x=days, y=peaks, name="日最高统调负荷 (MW)", line=dict(color="#555"))
    )
    if run.last_year_max_mw:
        line = float(PEAK_TRIGGER_SHARE) * run.last_year_max_mw
        figure.add_hline(
            y=line, line_dash="dash", line_color="#d62728",
            annotation_text=f"启动线 95% × 上年最高 {run.last_year_max_mw:,.0f} MW",
        )  # fmt: skip
    for mode, name in MODE_NAMES.items():
        chosen = [e for e in facts.events if e["mode"] == mode]
        if not chosen:
            continue
        x = [dt.datetime.fromisoformat(e["start_at"]).date() for e in chosen]
        y = [peaks[days.index(d)] if d in days else None for d in x]
        figure.add_trace(
            go.Scatter(
                x=x, y=y, mode="markers", name=name,
                marker=MODE_MARKERS[mode],
                text=[f"{e['id']} {e['direction']} 需求 {e['demand_kw']} kW" for e in chosen],
            )
        )  # fmt: skip
    figure.update_layout(title="广州统调负荷与响应事件", yaxis_title="MW")
    return _figure_html(figure)


def response_chart(run: DemoRun, event_id: str, participant_id: str, label: str) -> str:
    """One participant's load on the event day against its baseline, window shaded (R4–R6)."""
    body = run.client.get(
        f"/api/results/events/{event_id}/participants/{participant_id}", headers=run.operator
    ).json()
    midnight = dt.datetime.fromisoformat(body["day"])
    day_x = [midnight + dt.timedelta(minutes=15 * k) for k in range(len(body["day_load_kw"]))]
    window_x = [dt.datetime.fromisoformat(t) for t in body["intervals"]]
    figure = go.Figure(
        go.Scatter(x=day_x, y=body["day_load_kw"], name="实际负荷", line=dict(color="#1f77b4"))
    )
    for key, name, style in (
        ("baseline_kw", "基线（日内调节后）", dict(color="#2ca02c", dash="dash")),
        ("baseline_unadjusted_kw", "基线（日内调节前）", dict(color="#98df8a", dash="dot")),
    ):
        figure.add_trace(go.Scatter(x=window_x, y=body[key], name=name, line=style))
    if window_x:
        figure.add_vrect(
            x0=window_x[0], x1=window_x[-1] + dt.timedelta(minutes=15),
            fillcolor="#ffdd57", opacity=0.25, line_width=0, annotation_text="响应时段",
        )  # fmt: skip
    ratio = body["response_ratio"] or "—"
    title = f"{label}（响应比例 {ratio}，补贴 {body['subsidy_cny']} 元）"
    figure.update_layout(title=title, yaxis_title="kW")
    return _figure_html(figure)


def subsidy_chart(facts: QuarterFacts) -> str:
    """Subsidy by participant, the 25 largest (第九条 (三))."""
    rows = sorted(facts.report["participants"], key=lambda p: -Decimal(p["subsidy_cny"]))[:25]
    figure = go.Figure(
        go.Bar(
            x=[float(r["subsidy_cny"]) for r in rows][::-1],
            y=[r["name"] for r in rows][::-1],
            orientation="h",
            marker_color="#1f77b4",
        )
    )
    figure.update_layout(title="补贴金额（前 25 名，元）", height=700, xaxis_title="元")
    return _figure_html(figure)


def score_chart(facts: QuarterFacts) -> str:
    """How the invited responses scored (表 1)."""
    scores = Counter(s for s in facts.results["score"].to_list() if s)
    order = sorted(scores, key=float)
    figure = go.Figure(go.Bar(x=order, y=[scores[s] for s in order], marker_color="#9467bd"))
    figure.update_layout(
        title="邀约响应评价得分分布（表 1）", xaxis_title="得分", yaxis_title="次数"
    )
    return _figure_html(figure)


def pick_examples(run: DemoRun, facts: QuarterFacts) -> list[tuple[str, str, str]]:
    """One effective, one partial and one non-executing response to chart."""
    frame = facts.results.filter(pl.col("status") == STATUS["ok"])
    wanted = (
        ("有效响应", pl.col("effective") == "是"),
        ("部分响应", (pl.col("effective") == "否") & (pl.col("non_execution") == "否")),
        ("未执行", pl.col("non_execution") == "是"),
    )
    examples = []
    for label, condition in wanted:
        hit = frame.filter(condition).head(1)
        if hit.height:
            row = hit.row(0, named=True)
            examples.append(
                (
                    row["event_id"],
                    row["participant_id"],
                    f"{label}：{row['participant_name']} · {row['event_id']}",
                )
            )
    return examples


def write_report(
    run: DemoRun, facts: QuarterFacts, first: dt.date, last: dt.date, path: Path
) -> None:
    """Render the report to ``path``."""
    environment = Environment(
        loader=PackageLoader("gzvpp.demo"), autoescape=select_autoescape(["html", "j2"])
    )
    install_labels(environment)  # the console's Chinese labels and number formats
    suspended = [p for p in facts.report["participants"] if p["suspended_months"]]
    html = environment.get_template("report.html.j2").render(
        quarter=facts.quarter,
        first=first,
        last=last,
        tally=run.tally,
        totals=facts.report["totals"],
        events=facts.events,
        mode_names=MODE_NAMES,
        refusal_names=REFUSAL_NAMES,
        suspended=suspended,
        plotly_js=get_plotlyjs(),
        system_chart=system_load_chart(run, facts, first, last),
        response_charts=[
            response_chart(run, e, p, label) for e, p, label in pick_examples(run, facts)
        ],
        subsidy_chart=subsidy_chart(facts),
        score_chart=score_chart(facts),
    )
    path.write_text(html, encoding="utf-8")
