"""The demo's HTML report: the quarter in charts, built with plotly (plotly.js inlined, no CDN)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
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

from gzvpp import display
from gzvpp.console.labels import install as install_labels
from gzvpp.core.invitation import PEAK_TRIGGER_SHARE
from gzvpp.demo.simulation import DemoRun
from gzvpp.settlement.export import MODE as MODE_NAMES
from gzvpp.settlement.export import TOTAL_LABEL
from gzvpp.terms import RESULT_STATUSES

# The settlement export's Chinese headers, for the columns the report reads.
DETAIL_COLUMNS = {
    "事件编号": "event_id",
    "平台编号": "participant_id",
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
# Colour tells the mode, the symbol the direction (削峰 ▲, 填谷 ▼): several events can fall on
# one hot day, and a reader must tell a valley-filling invitation from a peak-shaving one.
MODE_COLOURS = {"day_ahead": "#1f77b4", "hours_ahead": "#ff7f0e", "realtime": "#d62728"}
DIRECTION_MARKERS = {
    "peak": ("削峰", dict(symbol="triangle-up", size=13)),
    "valley": ("填谷", dict(symbol="triangle-down-open", size=13, line=dict(width=2))),
}


@dataclass(frozen=True)
class QuarterFacts:
    """What the report and the terminal summary both show."""

    quarter: str
    report: dict[str, Any]  # the settlement endpoint's body
    events: list[dict[str, Any]]
    results: pl.DataFrame  # every award's result (the detailed CSV export)


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


def _figure_html(figure: go.Figure, **layout: Any) -> str:
    figure.update_layout(template="plotly_white", **display.layout(**layout))
    return str(pio.to_html(figure, full_html=False, include_plotlyjs=False))


def system_load_chart(run: DemoRun, facts: QuarterFacts, first: dt.date, last: dt.date) -> str:
    """Daily maximum system load with the 95 % trigger line and the events marked."""
    days = [d for d in run.days if first <= d <= last]
    peaks = [float(run.system_mw[run.days.index(d)].max()) for d in days]
    figure = go.Figure(
        go.Scatter(x=days, y=peaks, name="日最高统调负荷（MW）", line=dict(color="#555"))
    )
    if run.last_year_max_mw:
        line = float(PEAK_TRIGGER_SHARE) * run.last_year_max_mw
        figure.add_hline(
            y=line, line_dash="dash", line_color="#d62728",
            annotation_text=f"启动线 95% × 上年最高 {display.num(round(run.last_year_max_mw))} MW",
        )  # fmt: skip
    for (mode, mode_name), (direction, (direction_name, marker)) in itertools.product(
        MODE_NAMES.items(), DIRECTION_MARKERS.items()
    ):
        chosen = [e for e in facts.events if e["mode"] == mode and e["direction"] == direction]
        if not chosen:
            continue
        x = [dt.datetime.fromisoformat(e["start_at"]).date() for e in chosen]
        y = [peaks[days.index(d)] if d in days else None for d in x]
        figure.add_trace(
            go.Scatter(
                x=x, y=y, mode="markers", name=f"{mode_name}·{direction_name}",
                marker=dict(color=MODE_COLOURS[mode], **marker),
                text=[f"{e['id']} {direction_name} 需求 {display.num(Decimal(e['demand_kw']))} kW"
                      for e in chosen],
            )
        )  # fmt: skip
    return _figure_html(
        figure,
        title={"text": "广州统调负荷与响应事件"},
        xaxis=display.date_axis(),
        yaxis=display.value_axis("日最高统调负荷", "MW"),
    )


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
    ratio = display.percent(body["response_ratio"])
    subsidy = display.cny(Decimal(body["subsidy_cny"]))
    return _figure_html(
        figure,
        title={"text": f"{label}（响应比例 {ratio}，补贴 {subsidy}）"},
        xaxis=display.clock_axis(),
        yaxis=display.value_axis("负荷", "kW", rangemode="tozero"),
    )


def subsidy_chart(facts: QuarterFacts) -> str:
    """Subsidy by participant, the 25 largest (第九条 (三)), in 万元 on the axis."""
    rows = sorted(facts.report["participants"], key=lambda p: -Decimal(p["subsidy_cny"]))[:25]
    rows.reverse()  # the largest on top
    figure = go.Figure(
        go.Bar(
            x=[float(Decimal(r["subsidy_cny"]) / display.WAN) for r in rows],
            y=[r["name"] for r in rows],
            customdata=[display.cny(Decimal(r["subsidy_cny"])) for r in rows],
            hovertemplate="%{y}：%{customdata}<extra></extra>",
            orientation="h",
            marker_color="#1f77b4",
        )
    )
    return _figure_html(
        figure,
        title={"text": "补贴金额（前 25 名）"},
        height=700,
        hovermode="closest",
        margin={"l": 220, "r": 20, "t": 40, "b": 50},
        xaxis=display.value_axis("补贴金额", "万元"),
    )


def score_chart(facts: QuarterFacts) -> str:
    """How the invited responses scored (表 1); real-time responses are not scored."""
    # A response without a score says why in the column ("—（实时响应不评分，表 1）").
    scores = Counter(s for s in facts.results["score"].to_list() if s and s[0].isdigit())
    order = sorted(scores, key=float)
    figure = go.Figure(go.Bar(x=order, y=[scores[s] for s in order], marker_color="#9467bd"))
    return _figure_html(
        figure,
        title={"text": "邀约响应评价得分分布（表 1；实时响应不评分，不计入）"},
        hovermode="closest",
        xaxis={"title": {"text": "得分"}, "type": "category"},
        yaxis=display.value_axis("次数", "次"),
    )


def pick_examples(run: DemoRun, facts: QuarterFacts) -> list[tuple[str, str, str]]:
    """One effective, one partial and one non-executing response to chart."""
    frame = facts.results.filter(pl.col("status") == RESULT_STATUSES["ok"])
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
