"""gzvpp.display: figures and chart layouts as a Chinese reader reads them."""

from __future__ import annotations

from decimal import Decimal

from gzvpp import display


def test_figures() -> None:
    assert display.num(Decimal("15000.000")) == "15,000"
    assert display.num(Decimal("1234.500")) == "1,234.5"
    assert display.cny(Decimal("800000")) == "¥800,000.00"
    assert display.percent(Decimal("0.853421")) == "85.3%"
    assert display.percent(Decimal("1.137"), 2) == "113.70%"
    assert display.percent(None) == "—"


def test_a_missing_score_says_why() -> None:
    assert display.score(Decimal("0.8"), "day_ahead") == "0.8"
    assert display.score(None, "realtime") == "—（实时响应不评分，表 1）"
    assert display.score(None, "day_ahead") == "—（无有效数据，不评分）"


def test_chart_layouts() -> None:
    layout = display.layout(xaxis=display.date_axis(), yaxis=display.value_axis("统调负荷", "MW"))
    assert layout["separators"] == ".,"
    # plotly.js ignores a bare string title; the unit belongs in title.text.
    assert layout["yaxis"]["title"] == {"text": "统调负荷（MW）"}
    assert layout["yaxis"]["exponentformat"] == "none"  # no "15k"
    assert layout["xaxis"]["tickformat"] == "%-m月%-d日"
    assert display.clock_axis()["tickformat"] == "%H:%M"
