"""How figures read to a Chinese reader, in one place for the console and the demo report.

Numbers have thousands separators (``12,345.6``) and never SI suffixes (no "15k"); money is
元 to the fen, or 万元 on chart axes whose figures run to hundreds of thousands; ratios are
percentages to one decimal; times are Guangzhou local time (``2025-07-13 14:00``) and chart
date ticks read ``7月13日``. Chart layouts are plain dicts for plotly: the report passes them to
plotly.py, the console hands them to plotly.js inside the page's chart data.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

WAN = 10_000  # 万: Chinese readers group large figures by ten thousands
FONT = {"family": '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif', "size": 13}
# plotly's ``separators``: the decimal point, then the thousands separator.
SEPARATORS = ".,"
UNSCORED_REALTIME = "—（实时响应不评分，表 1）"
UNSCORED_NO_DATA = "—（无有效数据，不评分）"


# ---- figures in text ----------------------------------------------------------------------


def num(value: Decimal | float | None) -> str:
    """A kW, kWh or CNY/kWh figure with thousands separators and no trailing zeros."""
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():,f}" if Decimal(value) % 1 else f"{Decimal(value):,.0f}"


def cny(value: Decimal | None) -> str:
    """Money in CNY with 2 decimals and thousands separators."""
    return "—" if value is None else f"¥{Decimal(value):,.2f}"


def percent(ratio: Decimal | float | None, decimals: int = 1) -> str:
    """A ratio as a percentage: ``0.853421`` → ``85.3%``."""
    return "—" if ratio is None else f"{Decimal(ratio) * 100:,.{decimals}f}%"


def local_time(moment: dt.datetime | dt.date | None) -> str:
    """``2025-07-01 10:00`` (Guangzhou local time), a date as ``2025-07-01``, or a dash."""
    if moment is None:
        return "—"
    if isinstance(moment, dt.datetime):
        return f"{moment:%Y-%m-%d %H:%M}"
    return f"{moment:%Y-%m-%d}"


def score(value: Decimal | None, mode: str) -> str:
    """A response's score (表 1), or why it has none: real-time responses are not scored."""
    if value is not None:
        return f"{value:.1f}"
    return UNSCORED_REALTIME if mode == "realtime" else UNSCORED_NO_DATA


def rank_score(value: Decimal | float | None) -> str:
    """A rank score (the mean of the last three scores, 第八条) to two decimals, half up, as
    the live ranking and the exports show it: ``0.933333`` → ``0.93``."""
    if value is None:
        return "—"
    exact = Decimal(str(value))  # a float as it reads, not its binary expansion
    return str(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# ---- chart layouts (plotly) ----------------------------------------------------------------


def layout(**overrides: Any) -> dict[str, Any]:
    """The common layout of every chart: Chinese font, comma thousands, legend below."""
    return {
        "font": FONT,
        "separators": SEPARATORS,
        "margin": {"l": 70, "r": 20, "t": 40, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "x unified",
        **overrides,
    }


def value_axis(quantity: str, unit: str, **overrides: Any) -> dict[str, Any]:
    """A value axis titled ``quantity（unit）``, with full figures and thousands separators."""
    return {
        "title": {"text": f"{quantity}（{unit}）"},
        "exponentformat": "none",  # 15,000 rather than 15k
        "separatethousands": True,
        "tickformat": ",~r",
        "hoverformat": ",.1f",
        **overrides,
    }


def clock_axis(**overrides: Any) -> dict[str, Any]:
    """A time-of-day axis: ``14:00`` ticks (they need no title), the date and time on hover."""
    return {
        "type": "date",
        "tickformat": "%H:%M",
        "hoverformat": "%Y年%-m月%-d日 %H:%M",
        **overrides,
    }


def date_axis(**overrides: Any) -> dict[str, Any]:
    """A calendar axis: ``7月13日`` ticks (they need no title), ``2025年7月13日`` on hover."""
    return {
        "type": "date",
        "tickformat": "%-m月%-d日",
        "hoverformat": "%Y年%-m月%-d日",
        **overrides,
    }
