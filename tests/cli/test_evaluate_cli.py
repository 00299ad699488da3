"""``gzvpp evaluate`` end to end: hand-made input files in, the result CSV checked field by field.

Every expectation below is worked out by hand in the comments. Loads follow
:func:`evaluate_inputs.usual_kw` (1000 + 3 × day of month + interval number, kW; 14:00 is
interval 56) except where a test says otherwise; the system load is a flat level per day
(10,000 MW unless a test raises or lowers it on a day), so each intraday factor (R5) is a ratio of
two round numbers.

Tests run the command through ``typer.testing.CliRunner`` with a wide terminal (so that rich does
not fold long messages); one test runs the installed command in a real subprocess.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from evaluate_inputs import (
    Formula,
    Inputs,
    Json,
    Meter,
    award,
    d,
    dates,
    event,
    inputs,
    read_results,
    result_header,
    stamp,
    usual_kw,
    write_calendar,
    write_events,
    write_loads_csv,
    write_loads_parquet,
)
from typer.testing import CliRunner, Result

from gzkit.calendar import builtin_years
from gzvpp.cli import app

RUNNER = CliRunner()
WIDE = {"COLUMNS": "1000"}  # rich wraps at the terminal width; keep every message on one line

COLUMNS = [
    "event_id",
    "participant_id",
    "status",
    "baseline_type",
    "baseline_days",
    "adjustment_factor",
    "baseline_avg_kw",
    "baseline_max_kw",
    "baseline_min_kw",
    "actual_avg_kw",
    "actual_max_kw",
    "actual_min_kw",
    "awarded_kw",
    "response_kw",
    "response_ratio",
    "effective",
    "non_execution",
    "score",
    "response_energy_kwh",
    "effective_energy_kwh",
    "price",
    "coefficient",
    "subsidy_cny",
    "month_non_executions",
    "suspended",
    "rank_score",
]

D = d("2025-07-15")  # a Tuesday, workday; D-1 is Monday 07-14, D-2 Sunday 07-13
JULY = dates(d("2025-07-01"), D)  # enough data for a workday baseline on D (07-07 … 07-11)
FIVE_WORKDAYS = "2025-07-07;2025-07-08;2025-07-09;2025-07-10;2025-07-11"


# --- helpers -------------------------------------------------------------------------------


def run(inp: Inputs, out: Path | None = None) -> Result:
    return RUNNER.invoke(app, inp.args(out), env=WIDE)


def run_ok(inp: Inputs) -> list[dict[str, str]]:
    """Run, expect success, and return the result rows (exact text)."""
    result = run(inp)
    assert result.exit_code == 0, (result.stderr, result.exception)
    assert result_header(inp.out) == COLUMNS
    return read_results(inp.out)


def cut_window(days: Mapping[dt.date, Callable[[int], float | None]]) -> Formula:
    """The usual load, except on the given days over 14:00–16:00 (intervals 56–63)."""

    def kw(day: dt.date, i: int) -> float | None:
        if day in days and 56 <= i < 64:
            return days[day](i)
        return usual_kw(day, i)

    return kw


def cut(i: int) -> float:
    """A response over 14:00–16:00: 700, 702, …, 714 kW — avg 707, max 714, min 700."""
    return 700 + 2 * (i - 56)


def system(levels: Mapping[dt.date, float] | None = None, default: float = 10_000) -> Formula:
    """The system load in MW: a flat level per day, 10,000 MW unless ``levels`` says otherwise."""
    chosen = dict(levels or {})
    return lambda day, i: chosen.get(day, default)


def not_ok(
    event_id: str,
    participant_id: str,
    status: str,
    baseline_type: str,
    awarded_kw: str,
    price: str,
    coefficient: str,
) -> dict[str, str]:
    """A row that could not be evaluated: every figure empty, false, subsidy 0.00."""
    return {
        "event_id": event_id,
        "participant_id": participant_id,
        "status": status,
        "baseline_type": baseline_type,
        "baseline_days": "",
        "adjustment_factor": "",
        "baseline_avg_kw": "",
        "baseline_max_kw": "",
        "baseline_min_kw": "",
        "actual_avg_kw": "",
        "actual_max_kw": "",
        "actual_min_kw": "",
        "awarded_kw": awarded_kw,
        "response_kw": "",
        "response_ratio": "",
        "effective": "false",
        "non_execution": "false",
        "score": "",
        "response_energy_kwh": "",
        "effective_energy_kwh": "",
        "price": price,
        "coefficient": coefficient,
        "subsidy_cny": "0.00",
        "month_non_executions": "0",
        "suspended": "false",
        "rank_score": "1.000000",
    }


def summary_value(stdout: str, label: str) -> str:
    """The value beside ``label`` in the summary table (box characters or ASCII)."""
    match = re.search(re.escape(label) + r"\s*[│|]\s*(\S+)\s*[│|]", stdout)
    assert match, f"{label!r} not in the summary:\n{stdout}"
    return match.group(1)


def workday_user(folder: Path, events: list[Json]) -> Inputs:
    """U1 (account A1): usual load 07-01 … 07-15, cutting to 700 … 714 kW over 14:00–16:00 on
    D; the system load is 11,000 MW on D, 10,000 MW on every other day (factor 1.1)."""
    return inputs(
        folder,
        Meter().add("A1", JULY, cut_window({D: cut})),
        JULY,
        system({D: 11_000}),
        [("U1", "user", "A1")],
        events,
    )


# --- invited modes on a workday --------------------------------------------------------------

# Workday baseline of U1 on D: workdays counted back from D-2 (Sun 07-13): Fri 07-11, 07-10,
# 07-09, 07-08, Mon 07-07 — mean day of month 9, so 1027 + i kW: 1083 … 1090 over 56–63
# (avg 1086.5). Factor 11,000 / 10,000 = 1.1 → 1191.3 … 1199.0, avg 1195.15.
# Actual 700 … 714 (avg 707) → response 1195.15 − 707 = 488.15 kW; ÷ 500 = 0.9763 → score 1,
# effective (714 < 1199). Energy 488.15 × 2 h = 976.3 kWh, all of it effective (< 1.2 × 500).
WORKDAY_FIGURES = {
    "status": "ok",
    "baseline_type": "workday",
    "baseline_days": FIVE_WORKDAYS,
    "adjustment_factor": "1.100000",
    "baseline_avg_kw": "1195.150",
    "baseline_max_kw": "1199.000",
    "baseline_min_kw": "1191.300",
    "actual_avg_kw": "707.000",
    "actual_max_kw": "714.000",
    "actual_min_kw": "700.000",
    "awarded_kw": "500.000",
    "response_kw": "488.150",
    "response_ratio": "0.976300",
    "effective": "true",
    "non_execution": "false",
    "score": "1.0",
    "response_energy_kwh": "976.300",
    "effective_energy_kwh": "976.300",
    "month_non_executions": "0",
    "suspended": "false",
    "rank_score": "1.000000",
}


def test_day_ahead_peak_on_a_workday(tmp_path: Path) -> None:
    # Fixed price 3 CNY/kWh, coefficient 1: 976.3 × 3 × 1 = 2928.90 CNY.
    inp = workday_user(
        tmp_path,
        [event("E1", "2025-07-15 14:00", "2025-07-15 16:00", [award("U1", "500.000")])],
    )
    assert run_ok(inp) == [
        {
            "event_id": "E1",
            "participant_id": "U1",
            **WORKDAY_FIGURES,
            "price": "3",
            "coefficient": "1",
            "subsidy_cny": "2928.90",
        }
    ]


def test_hours_ahead_with_a_bid_price(tmp_path: Path) -> None:
    # Same figures; the bid price 2.5 wins over the event's 3, coefficient 1.5:
    # 976.3 × 2.5 × 1.5 = 3661.125 → half-up 3661.13 CNY.
    inp = workday_user(
        tmp_path,
        [
            event(
                "H1",
                "2025-07-15 14:00",
                "2025-07-15 16:00",
                [award("U1", "500.000", price="2.5")],
                mode="hours_ahead",
                price="3",
            )
        ],
    )
    assert run_ok(inp) == [
        {
            "event_id": "H1",
            "participant_id": "U1",
            **WORKDAY_FIGURES,
            "price": "2.5",
            "coefficient": "1.5",
            "subsidy_cny": "3661.13",
        }
    ]


def test_awarded_kw_is_written_with_three_decimals(tmp_path: Path) -> None:
    # The contract: kW fields with 3 decimals. An award of 500 (a JSON integer) is 500.000 kW;
    # the other tests write "500.000" in the events file so as not to depend on this.
    inp = workday_user(
        tmp_path, [event("E1", "2025-07-15 14:00", "2025-07-15 16:00", [award("U1", 500)])]
    )
    assert run_ok(inp)[0]["awarded_kw"] == "500.000"


def test_realtime_event(tmp_path: Path) -> None:
    # Real-time baseline: mean of 13:30 and 13:45 on D (intervals 54, 55):
    # 1000 + 45 + 54 = 1099 and 1100 → 1099.5 kW flat; no factor (1), no baseline days.
    # Actual avg 707 → response 392.5; ÷ 400 = 0.98125 → effective (714 < 1099.5), not scored.
    # Energy 392.5 × 2 = 785 kWh; subsidy 785 × 3 × 3 (real-time coefficient) = 7065.00 CNY.
    inp = workday_user(
        tmp_path,
        [
            event(
                "R1",
                "2025-07-15 14:00",
                "2025-07-15 16:00",
                [award("U1", "400.000")],
                mode="realtime",
            )
        ],
    )
    assert run_ok(inp) == [
        {
            "event_id": "R1",
            "participant_id": "U1",
            "status": "ok",
            "baseline_type": "realtime",
            "baseline_days": "",
            "adjustment_factor": "1.000000",
            "baseline_avg_kw": "1099.500",
            "baseline_max_kw": "1099.500",
            "baseline_min_kw": "1099.500",
            "actual_avg_kw": "707.000",
            "actual_max_kw": "714.000",
            "actual_min_kw": "700.000",
            "awarded_kw": "400.000",
            "response_kw": "392.500",
            "response_ratio": "0.981250",
            "effective": "true",
            "non_execution": "false",
            "score": "",
            "response_energy_kwh": "785.000",
            "effective_energy_kwh": "785.000",
            "price": "3",
            "coefficient": "3",
            "subsidy_cny": "7065.00",
            "month_non_executions": "0",
            "suspended": "false",
            "rank_score": "1.000000",
        }
    ]


# --- aggregators ---------------------------------------------------------------------------


def test_aggregator_of_two_members_with_different_gaps(tmp_path: Path) -> None:
    # G1 = members M1 and M2, flat loads: M1 500 + 10 × day of month, M2 300 + 20 × day.
    # M1 has no data at all on Fri 07-11; M2 lacks 15:00 (interval 60) on Tue 07-08.
    # Days chosen per member, back from D-2 (07-13), workdays with complete data over 14–16:
    #   M1: 07-10, 07-09, 07-08, 07-07, 07-04 (mean day 7.6) → 576 kW
    #   M2: 07-11, 07-10, 07-09, 07-07, 07-04 (mean day 8.2) → 464 kW
    # The union is 07-04, 07-07 … 07-11. System load: 11,000 MW on D, 15,000 on 07-11, else
    # 10,000: M1's days average 10,000 → factor 1.1; M2's (4 × 10,000 + 15,000) / 5 = 11,000
    # → factor 1.0. Baseline 576 × 1.1 + 464 = 633.6 + 464 = 1097.6 kW flat (unadjusted
    # 1040): aggregator factor 1097.6 / 1040 = 1.0553846… → 1.055385.
    # Actual on D: M1 350 kW (14:00–15:00), 370 kW (15:00–16:00); M2 300 → sum 650 / 670,
    # avg 660. Response 1097.6 − 660 = 437.6; ÷ 500 = 0.8752 → score 0.8, effective.
    # Energy 437.6 × 2 = 875.2 kWh; × 3 CNY × 1 = 2625.60 CNY.
    # G2 = M3 (complete) and M4 (no reading at 15:00 on D) → missing_data as a whole (R4).
    def m1(day: dt.date, i: int) -> float | None:
        if day == d("2025-07-11"):
            return None
        if day == D and 56 <= i < 64:
            return 350 if i < 60 else 370
        return 500 + 10 * day.day

    def m2(day: dt.date, i: int) -> float | None:
        if day == d("2025-07-08") and i == 60:
            return None
        if day == D and 56 <= i < 64:
            return 300
        return 300 + 20 * day.day

    def m4(day: dt.date, i: int) -> float | None:
        return None if day == D and i == 60 else usual_kw(day, i)

    meter = Meter().add("M1", JULY, m1).add("M2", JULY, m2).add("M3", JULY).add("M4", JULY, m4)
    inp = inputs(
        tmp_path,
        meter,
        JULY,
        system({D: 11_000, d("2025-07-11"): 15_000}),
        [
            ("G1", "aggregator", "M1"),
            ("G1", "aggregator", "M2"),
            ("G2", "aggregator", "M3"),
            ("G2", "aggregator", "M4"),
        ],
        [
            event(
                "E1",
                "2025-07-15 14:00",
                "2025-07-15 16:00",
                [award("G1", "500.000"), award("G2", "300.000")],
            )
        ],
    )
    assert run_ok(inp) == [
        {
            "event_id": "E1",
            "participant_id": "G1",
            "status": "ok",
            "baseline_type": "workday",
            "baseline_days": "2025-07-04;2025-07-07;2025-07-08;2025-07-09;2025-07-10;2025-07-11",
            "adjustment_factor": "1.055385",
            "baseline_avg_kw": "1097.600",
            "baseline_max_kw": "1097.600",
            "baseline_min_kw": "1097.600",
            "actual_avg_kw": "660.000",
            "actual_max_kw": "670.000",
            "actual_min_kw": "650.000",
            "awarded_kw": "500.000",
            "response_kw": "437.600",
            "response_ratio": "0.875200",
            "effective": "true",
            "non_execution": "false",
            "score": "0.8",
            "response_energy_kwh": "875.200",
            "effective_energy_kwh": "875.200",
            "price": "3",
            "coefficient": "1",
            "subsidy_cny": "2625.60",
            "month_non_executions": "0",
            "suspended": "false",
            "rank_score": "0.800000",
        },
        not_ok("E1", "G2", "missing_data", "workday", "300.000", "3", "1"),
    ]


# --- restdays, holidays, valleys -----------------------------------------------------------


def test_restday_event_takes_three_restdays(tmp_path: Path) -> None:
    # D = Sun 2025-07-20, 10:00–12:00 (intervals 40–47). D-1 (Sat 07-19) is never a candidate;
    # back from D-2 (Fri 07-18) the first three restdays are Sun 07-13, Sat 07-12, Sun 07-06
    # (mean day 31/3, × 3 = 31) → 1031 + i: 1071 … 1078, avg 1074.5. System 9,000 MW on D,
    # 10,000 else → factor 0.9: 963.9 … 970.2, avg 967.05. Actual 600 flat → response
    # 367.05; ÷ 400 = 0.917625 → score 1, effective. Energy 734.1 kWh × 3 = 2202.30 CNY.
    day = d("2025-07-20")
    days = dates(d("2025-07-01"), day)

    def kw(on: dt.date, i: int) -> float:
        return 600 if on == day and 40 <= i < 48 else usual_kw(on, i)

    inp = inputs(
        tmp_path,
        Meter().add("A1", days, kw),
        days,
        system({day: 9_000}),
        [("U1", "user", "A1")],
        [event("S1", "2025-07-20 10:00", "2025-07-20 12:00", [award("U1", "400.000")])],
    )
    assert run_ok(inp) == [
        {
            "event_id": "S1",
            "participant_id": "U1",
            "status": "ok",
            "baseline_type": "restday",
            "baseline_days": "2025-07-06;2025-07-12;2025-07-13",
            "adjustment_factor": "0.900000",
            "baseline_avg_kw": "967.050",
            "baseline_max_kw": "970.200",
            "baseline_min_kw": "963.900",
            "actual_avg_kw": "600.000",
            "actual_max_kw": "600.000",
            "actual_min_kw": "600.000",
            "awarded_kw": "400.000",
            "response_kw": "367.050",
            "response_ratio": "0.917625",
            "effective": "true",
            "non_execution": "false",
            "score": "1.0",
            "response_energy_kwh": "734.100",
            "effective_energy_kwh": "734.100",
            "price": "3",
            "coefficient": "1",
            "subsidy_cny": "2202.30",
            "month_non_executions": "0",
            "suspended": "false",
            "rank_score": "1.000000",
        }
    ]


def test_national_day_event_uses_last_years_national_day(tmp_path: Path) -> None:
    # D = Fri 2025-10-03 (National Day), 14:00–15:00 (intervals 56–59). Candidates: the days
    # named National Day within ±45 days of 2024-10-03 — 2024-10-01 … 10-07; not the
    # Mid-autumn Festival days 2024-09-15 … 09-17, nor the working days around them, though
    # they have data. Mean day 4 → 1012 + i: 1068 … 1071, avg 1069.5. System 11,000 MW on D,
    # 10,000 else → factor 1.1: 1174.8 … 1178.1, avg 1176.45. Actual 800 → response 376.45;
    # ÷ 400 = 0.941125 → score 1. One hour: energy 376.45 kWh × 3 = 1129.35 CNY.
    days = dates(d("2024-09-10"), d("2024-10-12")) + dates(d("2025-09-28"), d("2025-10-03"))
    day = d("2025-10-03")

    def kw(on: dt.date, i: int) -> float:
        return 800 if on == day and 56 <= i < 60 else usual_kw(on, i)

    inp = inputs(
        tmp_path,
        Meter().add("A1", days, kw),
        days,
        system({day: 11_000}),
        [("U1", "user", "A1")],
        [event("N1", "2025-10-03 14:00", "2025-10-03 15:00", [award("U1", "400.000")])],
    )
    national_day_2024 = ";".join(f"2024-10-0{k}" for k in range(1, 8))
    assert run_ok(inp) == [
        {
            "event_id": "N1",
            "participant_id": "U1",
            "status": "ok",
            "baseline_type": "holiday",
            "baseline_days": national_day_2024,
            "adjustment_factor": "1.100000",
            "baseline_avg_kw": "1176.450",
            "baseline_max_kw": "1178.100",
            "baseline_min_kw": "1174.800",
            "actual_avg_kw": "800.000",
            "actual_max_kw": "800.000",
            "actual_min_kw": "800.000",
            "awarded_kw": "400.000",
            "response_kw": "376.450",
            "response_ratio": "0.941125",
            "effective": "true",
            "non_execution": "false",
            "score": "1.0",
            "response_energy_kwh": "376.450",
            "effective_energy_kwh": "376.450",
            "price": "3",
            "coefficient": "1",
            "subsidy_cny": "1129.35",
            "month_non_executions": "0",
            "suspended": "false",
            "rank_score": "1.000000",
        }
    ]


def test_valley_event_at_night(tmp_path: Path) -> None:
    # D = 2025-07-15, 02:00–04:00 (intervals 8–15), valley filling at a fixed 1.5 CNY/kWh.
    # Baseline days as on any workday D: 07-07 … 07-11 → 1027 + i: 1035 … 1042, avg 1038.5.
    # The adjustment window [22:00 D-1, 01:00 D) crosses midnight: 8 intervals of 07-14 at
    # 10,000 MW and 4 of D at 7,000 → 108,000 / 12 = 9,000; on the baseline days 10,000
    # throughout → factor 0.9: 931.5 … 937.8, avg 934.65.
    # Actual 1300, 1302, … 1314 (avg 1307, min 1300 > 931.5) → response 1307 − 934.65 = 372.35;
    # ÷ 400 = 0.930875 → score 1, effective. Energy 744.7 kWh × 1.5 × 1 = 1117.05 CNY.
    def kw(day: dt.date, i: int) -> float:
        return 1300 + 2 * (i - 8) if day == D and 8 <= i < 16 else usual_kw(day, i)

    inp = inputs(
        tmp_path,
        Meter().add("A1", JULY, kw),
        JULY,
        system({D: 7_000}),
        [("U1", "user", "A1")],
        [
            event(
                "V1",
                "2025-07-15 02:00",
                "2025-07-15 04:00",
                [award("U1", "400.000")],
                direction="valley",
                price="1.5",
            )
        ],
    )
    assert run_ok(inp) == [
        {
            "event_id": "V1",
            "participant_id": "U1",
            "status": "ok",
            "baseline_type": "workday",
            "baseline_days": FIVE_WORKDAYS,
            "adjustment_factor": "0.900000",
            "baseline_avg_kw": "934.650",
            "baseline_max_kw": "937.800",
            "baseline_min_kw": "931.500",
            "actual_avg_kw": "1307.000",
            "actual_max_kw": "1314.000",
            "actual_min_kw": "1300.000",
            "awarded_kw": "400.000",
            "response_kw": "372.350",
            "response_ratio": "0.930875",
            "effective": "true",
            "non_execution": "false",
            "score": "1.0",
            "response_energy_kwh": "744.700",
            "effective_energy_kwh": "744.700",
            "price": "1.5",
            "coefficient": "1",
            "subsidy_cny": "1117.05",
            "month_non_executions": "0",
            "suspended": "false",
            "rank_score": "1.000000",
        }
    ]


def test_window_across_midnight(tmp_path: Path) -> None:
    # D = 2025-07-15, 23:30–00:30: intervals 94, 95 of D and 0, 1 of 07-16, at the same
    # offsets on each baseline day (07-07 … 07-11) and the day after it. Usual loads:
    # 1000 + 3 × day + i → on a baseline day of mean day 9: 1121, 1122, then the next day
    # (mean day 10): 1030, 1031 → avg 4304 / 4 = 1076, max 1122, min 1030. System flat →
    # factor 1. Actual: 1139, 1140 (07-15) and 1048, 1049 (07-16) → avg 1094, max 1140,
    # min 1048. Valley: response 1094 − 1076 = 18; ÷ 20 = 0.9 → score 1; the actual minimum
    # 1048 is above the baseline's 1030 → effective.
    # Energy 18 × 1 h = 18 kWh × 2 CNY = 36.00 CNY.
    days = dates(d("2025-07-01"), d("2025-07-16"))
    inp = inputs(
        tmp_path,
        Meter().add("A1", days),
        days,
        system(),
        [("U1", "user", "A1")],
        [
            event(
                "M1",
                "2025-07-15 23:30",
                "2025-07-16 00:30",
                [award("U1", "20.000")],
                direction="valley",
                price="2",
            )
        ],
    )
    assert run_ok(inp) == [
        {
            "event_id": "M1",
            "participant_id": "U1",
            "status": "ok",
            "baseline_type": "workday",
            "baseline_days": FIVE_WORKDAYS,
            "adjustment_factor": "1.000000",
            "baseline_avg_kw": "1076.000",
            "baseline_max_kw": "1122.000",
            "baseline_min_kw": "1030.000",
            "actual_avg_kw": "1094.000",
            "actual_max_kw": "1140.000",
            "actual_min_kw": "1048.000",
            "awarded_kw": "20.000",
            "response_kw": "18.000",
            "response_ratio": "0.900000",
            "effective": "true",
            "non_execution": "false",
            "score": "1.0",
            "response_energy_kwh": "18.000",
            "effective_energy_kwh": "18.000",
            "price": "2",
            "coefficient": "1",
            "subsidy_cny": "36.00",
            "month_non_executions": "0",
            "suspended": "false",
            "rank_score": "1.000000",
        }
    ]


# --- response days, cancelled events -------------------------------------------------------


def cancelled_scenario(folder: Path) -> Inputs:
    """U1: a cancelled event on Fri 07-11, a real one on Wed 07-09 (usual load, no response),
    and E1 on D (cut to 700 … 714)."""
    return workday_user(
        folder,
        [
            event("E1", "2025-07-15 14:00", "2025-07-15 16:00", [award("U1", "500.000")]),
            event(
                "C1",
                "2025-07-11 14:00",
                "2025-07-11 16:00",
                [award("U1", "500.000")],
                cancelled=True,
            ),
            event("E2", "2025-07-09 14:00", "2025-07-09 16:00", [award("U1", "500.000")]),
        ],
    )


def test_cancelled_event_is_no_row_and_no_response_day(tmp_path: Path) -> None:
    # Rows come in order of start: E2 (07-09), E1 (07-15); C1 has none.
    # E2 on Wed 07-09: workdays back from 07-07: 07-07, 07-04, 07-03, 07-02, 07-01 (mean day
    # 3.4 → 1010.2 + i: 1066.2 … 1073.2, avg 1069.7); factor 10,000 / 10,000 = 1. Actual is the
    # usual 1083 … 1090 (avg 1086.5) → response −16.8, ratio −0.0336: a non-execution, score 0.
    # E1 on D: 07-09 is a response day (E2), 07-11 is not (C1 is cancelled) → 07-11, 07-10,
    # 07-08, 07-07, 07-04 (mean day 8 → 1024 + i: 1080 … 1087, avg 1083.5); × 1.1 → 1188.0 …
    # 1195.7, avg 1191.85. Response 1191.85 − 707 = 484.85; ÷ 500 = 0.9697 → score 1.
    # Energy 969.7 kWh × 3 = 2909.10 CNY. U1 has 1 non-execution in July; rank scores:
    # after E2 mean(0) = 0.0, after E1 mean(0, 1) = 0.5.
    inp = cancelled_scenario(tmp_path)
    assert run_ok(inp) == [
        {
            "event_id": "E2",
            "participant_id": "U1",
            "status": "ok",
            "baseline_type": "workday",
            "baseline_days": "2025-07-01;2025-07-02;2025-07-03;2025-07-04;2025-07-07",
            "adjustment_factor": "1.000000",
            "baseline_avg_kw": "1069.700",
            "baseline_max_kw": "1073.200",
            "baseline_min_kw": "1066.200",
            "actual_avg_kw": "1086.500",
            "actual_max_kw": "1090.000",
            "actual_min_kw": "1083.000",
            "awarded_kw": "500.000",
            "response_kw": "-16.800",
            "response_ratio": "-0.033600",
            "effective": "false",
            "non_execution": "true",
            "score": "0.0",
            "response_energy_kwh": "-33.600",
            "effective_energy_kwh": "0.000",
            "price": "3",
            "coefficient": "1",
            "subsidy_cny": "0.00",
            "month_non_executions": "1",
            "suspended": "false",
            "rank_score": "0.000000",
        },
        {
            "event_id": "E1",
            "participant_id": "U1",
            "status": "ok",
            "baseline_type": "workday",
            "baseline_days": "2025-07-04;2025-07-07;2025-07-08;2025-07-10;2025-07-11",
            "adjustment_factor": "1.100000",
            "baseline_avg_kw": "1191.850",
            "baseline_max_kw": "1195.700",
            "baseline_min_kw": "1188.000",
            "actual_avg_kw": "707.000",
            "actual_max_kw": "714.000",
            "actual_min_kw": "700.000",
            "awarded_kw": "500.000",
            "response_kw": "484.850",
            "response_ratio": "0.969700",
            "effective": "true",
            "non_execution": "false",
            "score": "1.0",
            "response_energy_kwh": "969.700",
            "effective_energy_kwh": "969.700",
            "price": "3",
            "coefficient": "1",
            "subsidy_cny": "2909.10",
            "month_non_executions": "1",
            "suspended": "false",
            "rank_score": "0.500000",
        },
    ]


def test_summary_table_and_results_path(tmp_path: Path) -> None:
    # The cancelled scenario: 2 events evaluated, 1 cancelled, 2 awards (both ok), 1 effective,
    # 1 non-execution, nobody suspended, 0.00 + 2909.10 CNY.
    inp = cancelled_scenario(tmp_path)
    result = run(inp)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert summary_value(out, "评估事件") == "2"
    assert summary_value(out, "已取消事件") == "1"
    assert summary_value(out, "中标") == "2"
    assert summary_value(out, "评估状态：正常") == "2"
    assert summary_value(out, "有效响应") == "1"
    assert summary_value(out, "未执行") == "1"
    assert summary_value(out, "暂停应邀的参与者") == "0"
    assert summary_value(out, "补贴合计（元）") == "2,909.10"
    assert f"结果：{inp.out}" in out.splitlines()
    assert "错误" not in result.stderr


# --- results that cannot be evaluated ------------------------------------------------------


def test_missing_data_and_baseline_unavailable(tmp_path: Path) -> None:
    # One event, three users: U1 as in the day-ahead test (ok); U2's account lacks 15:00 on D
    # → missing_data; U3's account has data on D only → baseline_unavailable. A second event
    # on Wed 07-16 for U1 whose system load lacks 11:00 (inside [10:00, 13:00)) → missing_data.
    def a2(day: dt.date, i: int) -> float | None:
        return None if day == D and i == 60 else usual_kw(day, i)

    def mw(day: dt.date, i: int) -> float | None:
        if day == d("2025-07-16") and i == 44:
            return None
        return 11_000 if day == D else 10_000

    days = dates(d("2025-07-01"), d("2025-07-16"))
    inp = inputs(
        tmp_path,
        Meter().add("A1", days, cut_window({D: cut})).add("A2", days, a2).add("A3", [D]),
        days,
        mw,
        [("U1", "user", "A1"), ("U2", "user", "A2"), ("U3", "user", "A3")],
        [
            event(
                "E1",
                "2025-07-15 14:00",
                "2025-07-15 16:00",
                [award("U1", "500.000"), award("U2", "200.000"), award("U3", "300.000")],
            ),
            event(
                "E2",
                "2025-07-16 14:00",
                "2025-07-16 16:00",
                [award("U1", "500.000", price="4")],
                mode="hours_ahead",
            ),
        ],
    )
    result = run(inp)
    assert result.exit_code == 0, result.stderr
    rows = read_results(inp.out)
    assert rows == [
        {
            "event_id": "E1",
            "participant_id": "U1",
            **WORKDAY_FIGURES,
            "price": "3",
            "coefficient": "1",
            "subsidy_cny": "2928.90",
        },
        not_ok("E1", "U2", "missing_data", "workday", "200.000", "3", "1"),
        not_ok("E1", "U3", "baseline_unavailable", "workday", "300.000", "3", "1"),
        # U1's rank score stays 1.0 (its one score, from E1): E2 has none.
        {
            **not_ok("E2", "U1", "missing_data", "workday", "500.000", "4", "1.5"),
            "rank_score": "1.000000",
        },
    ]
    assert summary_value(result.stdout, "评估状态：正常") == "1"
    assert summary_value(result.stdout, "评估状态：数据缺失") == "2"
    assert summary_value(result.stdout, "评估状态：基线不可用") == "1"
    assert summary_value(result.stdout, "补贴合计（元）") == "2,928.90"


# --- the running history: non-executions and rank scores ------------------------------------


def test_three_non_executions_in_a_month_suspend(tmp_path: Path) -> None:
    # U1, day-ahead 14:00–16:00 each time. E1 (Tue 07-15) responds as in the day-ahead test
    # (score 1). On 07-16, 07-17 and 07-18 the load rises to 2000 kW → negative response:
    # non-executions scoring 0; the third suspends U1 for the rest of July. E5 (Mon 07-21)
    # responds again (baseline 07-14, 07-11 … 07-08 around 1090.7 kW × 1.1, ratio > 0.9:
    # score 1) but July's count stays 3 and U1 stays suspended. E6 (Tue 08-05) fails again: the
    # first non-execution of August, not suspended.
    # Rank score = mean of the last 3 scores up to this one: 1 | 1, 0 → 0.5 | 1, 0, 0 → 1/3 |
    # 0, 0, 0 → 0 | 0, 0, 1 → 1/3 | 0, 1, 0 → 1/3.
    fails = {d(day): (lambda i: 2000.0) for day in ("2025-07-16", "2025-07-17", "2025-07-18")}
    fails[d("2025-08-05")] = lambda i: 2000.0
    responses = {D: cut, d("2025-07-21"): cut, **fails}
    days = dates(d("2025-07-01"), d("2025-08-05"))
    starts = ["2025-07-15", "2025-07-16", "2025-07-17", "2025-07-18", "2025-07-21", "2025-08-05"]
    inp = inputs(
        tmp_path,
        Meter().add("A1", days, cut_window(responses)),
        days,
        system({d(day): 11_000 for day in starts}),
        [("U1", "user", "A1")],
        [
            event(f"E{k}", f"{day} 14:00", f"{day} 16:00", [award("U1", "500.000")])
            for k, day in enumerate(starts, start=1)
        ],
    )
    third = "0.333333"  # a mean of one third, half-up to 6 decimals
    running = [
        {k: row[k] for k in ("event_id", "status", "score", "non_execution")}
        | {k: row[k] for k in ("month_non_executions", "suspended", "rank_score")}
        for row in run_ok(inp)
    ]
    assert running == [
        {
            "event_id": "E1",
            "status": "ok",
            "score": "1.0",
            "non_execution": "false",
            "month_non_executions": "0",
            "suspended": "false",
            "rank_score": "1.000000",
        },
        {
            "event_id": "E2",
            "status": "ok",
            "score": "0.0",
            "non_execution": "true",
            "month_non_executions": "1",
            "suspended": "false",
            "rank_score": "0.500000",
        },
        {
            "event_id": "E3",
            "status": "ok",
            "score": "0.0",
            "non_execution": "true",
            "month_non_executions": "2",
            "suspended": "false",
            "rank_score": third,
        },
        {
            "event_id": "E4",
            "status": "ok",
            "score": "0.0",
            "non_execution": "true",
            "month_non_executions": "3",
            "suspended": "true",
            "rank_score": "0.000000",
        },
        {
            "event_id": "E5",
            "status": "ok",
            "score": "1.0",
            "non_execution": "false",
            "month_non_executions": "3",
            "suspended": "true",
            "rank_score": third,
        },
        {
            "event_id": "E6",
            "status": "ok",
            "score": "0.0",
            "non_execution": "true",
            "month_non_executions": "1",
            "suspended": "false",
            "rank_score": third,
        },
    ]


# --- the working calendar beyond the built-in years ------------------------------------------


def test_2027_needs_a_calendar_file(tmp_path: Path) -> None:
    if 2027 in builtin_years():
        pytest.skip("the installed chinese-calendar already covers 2027")
    # D = Wed 2027-07-14. The operator's file types Mon 07-12 a restday (a day off the
    # built-in week would call a workday); every other 2027 day follows the week. Back from
    # D-2 = 07-12: 07-09 (Fri), 07-08, 07-07, 07-06, 07-05 (Mon) — mean day 7 → 1021 + i:
    # 1077 … 1084, avg 1080.5; × 1.1 → 1184.7 … 1192.4, avg 1188.55. Actual avg 707 →
    # response 481.55; ÷ 500 = 0.9631 → score 1. Energy 963.1 kWh × 3 = 2889.30 CNY.
    day = d("2027-07-14")
    days = dates(d("2027-07-01"), day)
    inp = inputs(
        tmp_path,
        Meter().add("A1", days, cut_window({day: cut})),
        days,
        system({day: 11_000}),
        [("U1", "user", "A1")],
        [event("E27", "2027-07-14 14:00", "2027-07-14 16:00", [award("U1", "500.000")])],
    )
    result = run(inp)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "错误：" in result.stderr
    assert "2027-07-14" in result.stderr
    assert "--calendar" in result.stderr
    assert not inp.out.exists()

    calendar = write_calendar(tmp_path / "calendar-2027.csv", [("2027-07-12", "restday", "")])
    with_calendar = replace(inp, calendar=calendar)
    assert run_ok(with_calendar) == [
        {
            "event_id": "E27",
            "participant_id": "U1",
            "status": "ok",
            "baseline_type": "workday",
            "baseline_days": "2027-07-05;2027-07-06;2027-07-07;2027-07-08;2027-07-09",
            "adjustment_factor": "1.100000",
            "baseline_avg_kw": "1188.550",
            "baseline_max_kw": "1192.400",
            "baseline_min_kw": "1184.700",
            "actual_avg_kw": "707.000",
            "actual_max_kw": "714.000",
            "actual_min_kw": "700.000",
            "awarded_kw": "500.000",
            "response_kw": "481.550",
            "response_ratio": "0.963100",
            "effective": "true",
            "non_execution": "false",
            "score": "1.0",
            "response_energy_kwh": "963.100",
            "effective_energy_kwh": "963.100",
            "price": "3",
            "coefficient": "1",
            "subsidy_cny": "2889.30",
            "month_non_executions": "0",
            "suspended": "false",
            "rank_score": "1.000000",
        }
    ]


# --- bad input ------------------------------------------------------------------------------


def set_line(path: Path, number: int, text: str) -> None:
    """Replace line ``number`` (1-based, the header being line 1) of a text file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def add_line(path: Path, text: str) -> int:
    """Append a line; return its number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, text]) + "\n", encoding="utf-8")
    return len(lines) + 1


def one_event(**changes: object) -> list[Json]:
    item = event("E1", "2025-07-15 14:00", "2025-07-15 16:00", [award("U1", "500.000")])
    return [{**item, **changes}]


# Each case spoils one file of the day-ahead scenario; the error names the file, where, and why.
# Loads: line 1 is the header, line 2 is A1 at 2025-07-01 00:00, line 3 at 00:15, …; 15 days
# × 96 = 1440 data lines, so an appended line is line 1442.


def bad_kw(inp: Inputs) -> None:
    set_line(inp.loads, 3, "A1,2025-07-01 00:15,12.5kW")


def off_grid_ts(inp: Inputs) -> None:
    set_line(inp.loads, 4, "A1,2025-07-01 00:20,1002")


def duplicate_row(inp: Inputs) -> None:
    add_line(inp.loads, "A1,2025-07-01 00:15,1001")


def no_kw_column(inp: Inputs) -> None:
    set_line(inp.loads, 1, "account_id,ts,load")


def no_mw_column(inp: Inputs) -> None:
    set_line(inp.system_load, 1, "ts,megawatts")


def unknown_participant(inp: Inputs) -> None:
    write_events(inp.events, one_event(awards=[award("U9", "500.000")]))


def window_off_grid(inp: Inputs) -> None:
    write_events(inp.events, one_event(start="2025-07-15 14:05"))


def window_too_short(inp: Inputs) -> None:
    write_events(inp.events, one_event(end="2025-07-15 14:15"))


def peak_price_over_cap(inp: Inputs) -> None:
    write_events(inp.events, one_event(price="5.01"))


def valley_bid_over_cap(inp: Inputs) -> None:
    awards = [award("U1", "500.000", price="2.5")]
    write_events(inp.events, one_event(direction="valley", price="1", awards=awards))


BAD_INPUTS: dict[str, tuple[Callable[[Inputs], None], str, str, str]] = {
    "unparseable kW": (bad_kw, "loads", "第 3 行 kw 列", "'12.5kW' 不是数字"),
    "ts off the grid": (
        off_grid_ts,
        "loads",
        "第 4 行 ts 列",
        "2025-07-01 00:20 不在 15 分钟整刻上",
    ),
    "duplicate account and ts": (
        duplicate_row,
        "loads",
        "第 1442 行",
        "重复：'A1' 在 2025-07-01 00:15 的读数已见于",
    ),
    "missing kw column": (no_kw_column, "loads", "第 1 行", "缺少列 'kw'"),
    "missing mw column": (no_mw_column, "system_load", "第 1 行", "缺少列 'mw'"),
    "award to an unknown participant": (
        unknown_participant,
        "events",
        "第 1 个事件",
        "事件编号 'E1'：awards 第 1 项：参与者 'U9' 不在参与者文件中",
    ),
    "window off the grid": (
        window_off_grid,
        "events",
        "第 1 个事件",
        "开始时间 2025-07-15 14:05:00 不在 15 分钟整点上",
    ),
    "window shorter than 30 minutes": (
        window_too_short,
        "events",
        "第 1 个事件",
        "为 15 分钟，每次响应不少于 30 分钟（第五条）",
    ),
    "peak price over the cap": (
        peak_price_over_cap,
        "events",
        "第 1 个事件",
        "价格 5.01 元/kWh 超出削峰响应的 0–5 元/kWh（表 2）",
    ),
    "valley bid price over the cap": (
        valley_bid_over_cap,
        "events",
        "第 1 个事件",
        "价格 2.5 元/kWh 超出填谷响应的 0–2 元/kWh（表 2）",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_stops_before_writing(tmp_path: Path, case: str) -> None:
    spoil, which, where, reason = BAD_INPUTS[case]
    inp = workday_user(tmp_path, one_event())
    spoil(inp)
    path = getattr(inp, which)

    result = run(inp)
    assert result.exit_code == 2, (result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)
    message = result.stderr.strip()
    assert message.startswith("错误："), message
    assert f"{path} {where}：" in message
    assert reason in message
    assert "Traceback" not in result.stderr + result.stdout
    assert not inp.out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".results")] == []

    inp.out.write_text("earlier results\n", encoding="utf-8")
    result = run(inp)
    assert result.exit_code == 2
    assert inp.out.read_text(encoding="utf-8") == "earlier results\n"


def test_error_text_is_not_read_as_markup(tmp_path: Path) -> None:
    # A bad kW such as "[/x]" is quoted in the message; rich takes it for a closing tag and
    # raises MarkupError (a traceback, exit 1) instead of printing it.
    inp = workday_user(tmp_path, one_event())
    set_line(inp.loads, 3, 'A1,2025-07-01 00:15,"[/x]"')
    result = run(inp)
    assert result.exit_code == 2
    assert "kw 列：'[/x]' 不是数字" in result.stderr


def test_loads_in_a_folder_with_brackets(tmp_path: Path) -> None:
    # polars.read_csv expands glob patterns, so "export[1]/loads.csv" matches no file.
    inp = workday_user(tmp_path / "export[1]", one_event())
    result = run(inp)
    assert result.exit_code == 0, result.stderr


def test_duplicate_across_csv_batches_on_a_day_not_kept(tmp_path: Path) -> None:
    # The reader works a CSV file in the record batches polars cuts it into (here about 1300
    # rows) and only compares rows within a batch, or with the cells it keeps. D-1 (07-14) is
    # no baseline day of a 14:00 event on D, so its rows are dropped: a row of D-1 repeated
    # two lines later, across the batch boundary, is let through and the run succeeds.
    inp = workday_user(tmp_path, one_event())
    batches = pl.read_csv(inp.loads, infer_schema=False).to_arrow().to_batches()
    if len(batches) < 2:
        pytest.skip("polars read the file as one batch")
    boundary = batches[0].num_rows + 2  # line of the first row of the second batch
    lines = inp.loads.read_text(encoding="utf-8").splitlines()
    repeated = lines[boundary - 2]  # the second-last row of the first batch …
    if not repeated.startswith("A1,2025-07-14 "):  # … a row of D-1, which is not kept
        pytest.skip("polars cut the file elsewhere")
    lines.insert(boundary, repeated)  # … again as the second row of the second batch
    inp.loads.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run(inp)
    assert result.exit_code == 2, "a duplicate row was accepted"
    assert f"{inp.loads} 第 {boundary + 1} 行：重复" in result.stderr
    assert not inp.out.exists()


def test_event_without_awards(tmp_path: Path) -> None:
    # An event nobody was awarded has nothing to evaluate: no row, and the run goes on.
    inp = workday_user(tmp_path, [*one_event(), *one_event(id="E0", awards=[])])
    result = run(inp)
    assert result.exit_code == 0, result.exception
    ids = [line.split(",")[0] for line in inp.out.read_text().splitlines()[1:]]
    assert ids == ["E1"]


# --- file formats ---------------------------------------------------------------------------


def iso_local(day: dt.date, i: int) -> str:
    return stamp(day, i).replace(" ", "T") + ":00+08:00"


def iso_utc(day: dt.date, i: int) -> str:
    moment = dt.datetime.fromisoformat(stamp(day, i)) - dt.timedelta(hours=8)
    return f"{moment:%Y-%m-%dT%H:%M:%S}Z"


@pytest.mark.parametrize("form", ["parquet", "iso+08:00", "iso-utc"])
def test_other_load_formats_give_the_same_results(tmp_path: Path, form: str) -> None:
    # The day-ahead scenario with its loads as Parquet (naive timestamps = local time) or as
    # CSV with ISO times, must give byte for byte the results of the plain CSV.
    events = one_event()
    plain = workday_user(tmp_path / "plain", events)
    assert run(plain).exit_code == 0
    other = workday_user(tmp_path / "other", events)
    meter = Meter().add("A1", JULY, cut_window({D: cut}))
    if form == "parquet":
        loads = write_loads_parquet(other.folder / "loads.parquet", meter)
    else:
        loads = write_loads_csv(
            other.folder / "loads.csv", meter, iso_local if form == "iso+08:00" else iso_utc
        )
    other = replace(other, loads=loads)
    result = run(other)
    assert result.exit_code == 0, result.stderr
    assert other.out.read_bytes() == plain.out.read_bytes()
    assert read_results(other.out)[0]["subsidy_cny"] == "2928.90"


# --- the installed command ------------------------------------------------------------------


def test_real_subprocess(tmp_path: Path) -> None:
    inp = workday_user(tmp_path, one_event())
    environment = {**os.environ, "COLUMNS": "1000"}
    completed = subprocess.run(
        [sys.executable, "-m", "gzvpp", *inp.args()],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert read_results(inp.out) == [
        {
            "event_id": "E1",
            "participant_id": "U1",
            **WORKDAY_FIGURES,
            "price": "3",
            "coefficient": "1",
            "subsidy_cny": "2928.90",
        }
    ]
    assert summary_value(completed.stdout, "补贴合计（元）") == "2,928.90"
    assert f"结果：{inp.out}" in completed.stdout.splitlines()


def test_error_is_one_unfolded_line_on_stderr_of_a_pipe(tmp_path: Path) -> None:
    # stderr is a pipe, not a terminal: no blank line first, and a long path is not folded
    # at 80 columns (the terminal width rich assumes when it cannot ask).
    inp = workday_user(tmp_path / ("a-rather-long-folder-name-of-an-export-" * 3), one_event())
    set_line(inp.loads, 3, "A1,2025-07-01 00:15,abc")
    environment = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    completed = subprocess.run(
        [sys.executable, "-m", "gzvpp", *inp.args()],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.splitlines() == [f"错误：{inp.loads} 第 3 行 kw 列：'abc' 不是数字"]


def test_a_loads_file_without_rows_is_an_error(tmp_path: Path) -> None:
    inp = workday_user(tmp_path, one_event())
    inp.loads.write_text("account_id,ts,kw\n", encoding="utf-8")
    result = run(inp)
    assert result.exit_code == 2, result.stdout
    assert result.stderr.strip() == f"错误：{inp.loads}：没有数据：文件只有表头"
    assert not inp.out.exists()


@pytest.mark.parametrize("given", [None, "gbk"])
def test_inputs_saved_by_excel_as_gbk(tmp_path: Path, given: str | None) -> None:
    inp = workday_user(tmp_path, one_event())
    expected = run_ok(inp)
    for path in (inp.loads, inp.system_load, inp.participants):
        header, *rows = path.read_text(encoding="utf-8").splitlines()
        lines = [f"{header},备注"] + [f"{row},荔湾" for row in rows]
        path.write_bytes("\n".join(lines).encode("gbk") + b"\n")
    extra = [] if given is None else ["--encoding", given]
    result = RUNNER.invoke(app, inp.args() + extra, env=WIDE)
    assert result.exit_code == 0, result.stderr
    assert read_results(inp.out) == expected


def test_a_wrong_encoding_is_named_with_the_file_and_line(tmp_path: Path) -> None:
    inp = workday_user(tmp_path, one_event())
    inp.participants.write_bytes(
        "participant_id,kind,account_id\nU1,user,A1\n# 荔湾\n".encode("gbk")
    )
    result = RUNNER.invoke(app, [*inp.args(), "--encoding", "utf-8"], env=WIDE)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"错误：{inp.participants} 第 3 行：不是有效的 utf-8 文本")
    result = RUNNER.invoke(app, [*inp.args(), "--encoding", "latin-1"], env=WIDE)
    assert result.exit_code == 2
    assert "unsupported encoding 'latin-1'" in result.stderr
