"""A small demo through the service, checked against ``gzvpp evaluate`` on the same data.

The demo stores every award's evaluation in the platform's database; exported as files, the
batch evaluation must reproduce each figure and the quarter's totals to the fen.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from gzvpp.demo.runner import DemoOutcome, run_demo
from gzvpp.demo.simulation import DemoSize
from gzvpp.evaluation_run import run_evaluation
from gzvpp.kit.db import session_scope
from gzvpp.models import AwardResult
from gzvpp.settlement.export import HEADER_ROW
from gzvpp.settlement.reproduce import export_evaluation_inputs

SMALL = DemoSize(users=12, member_accounts=60, last_day=dt.date(2025, 7, 24), realtime_days=2)
DECIMAL_FIELDS = (
    "adjustment_factor", "baseline_avg_kw", "baseline_max_kw", "baseline_min_kw",
    "actual_avg_kw", "actual_max_kw", "actual_min_kw", "awarded_kw", "response_kw",
    "response_ratio", "score", "response_energy_kwh", "effective_energy_kwh", "price",
    "coefficient", "subsidy_cny", "rank_score",
)  # fmt: skip


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> DemoOutcome:
    out = tmp_path_factory.mktemp("demo")
    return run_demo(11, out / "demo.sqlite", out, SMALL, lambda *_: None)


def _stored(outcome: DemoOutcome) -> list[AwardResult]:
    with session_scope(outcome.run.client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        return list(session.scalars(select(AwardResult)))


def test_the_demo_runs_every_part_of_the_programme(outcome: DemoOutcome) -> None:
    tally = outcome.run.tally
    assert tally.rejected, "some applications fail an R1 condition"
    assert tally.events["day_ahead"] and tally.events["realtime"]
    assert tally.refused["late"] and tally.refused["over capability"]
    stored = _stored(outcome)
    assert {r.status for r in stored} == {"ok"}
    assert any(r.effective for r in stored) and any(r.non_execution for r in stored)
    assert any(r.mode == "realtime" and r.score is None for r in stored)
    assert outcome.report.read_text(encoding="utf-8").count("plotly") > 5
    assert outcome.tokens.read_text(encoding="utf-8").count("\t") >= 4


def test_settlement_matches_gzvpp_evaluate_on_the_exported_data(
    outcome: DemoOutcome, tmp_path: Path
) -> None:
    with session_scope(outcome.run.client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        inputs = export_evaluation_inputs(session, tmp_path / "inputs")
    summary = run_evaluation(inputs, tmp_path / "results.csv")
    batch = {
        (row["event_id"], row["participant_id"]): row
        for row in csv.DictReader((tmp_path / "results.csv").open(encoding="utf-8"))
    }
    stored = _stored(outcome)
    assert len(batch) == len(stored) == summary.awards
    for result in stored:
        row = batch[result.event_id, result.participant_id]
        assert row["status"] == result.status
        assert row["baseline_days"] == ";".join(result.baseline_days)
        assert row["effective"] == str(result.effective).lower()
        assert row["non_execution"] == str(result.non_execution).lower()
        assert int(row["month_non_executions"]) == result.month_non_executions
        assert row["suspended"] == str(result.suspended).lower()
        for name in DECIMAL_FIELDS:
            mine = getattr(result, name)
            theirs = Decimal(row[name]) if row[name] else None
            assert theirs == mine, (result.event_id, result.participant_id, name)
    totals = outcome.facts.report["totals"]
    assert Decimal(totals["subsidy_cny"]) == summary.subsidy_cny
    assert totals["effective_responses"] == summary.effective
    assert totals["non_executions"] == summary.non_executions


def test_the_workbook_totals_reconcile_to_the_fen(outcome: DemoOutcome) -> None:
    # The totals row holds SUM formulas; data_only reads the values they show.
    sheet = load_workbook(outcome.workbook, data_only=True)["汇总"]
    header = [c.value for c in sheet[HEADER_ROW + 1]]
    column = header.index("补贴金额(元)")
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=HEADER_ROW + 2)]
    body, total = rows[:-1], rows[-1]
    assert total[0] == "合计"
    cents = sum(round(Decimal(str(r[column])) * 100) for r in body)
    assert Decimal(cents) / 100 == Decimal(str(total[column]))
    assert Decimal(str(total[column])) == Decimal(outcome.facts.report["totals"]["subsidy_cny"])


def test_the_same_seed_gives_the_same_quarter(outcome: DemoOutcome, tmp_path: Path) -> None:
    again = run_demo(11, tmp_path / "again.sqlite", tmp_path, SMALL, lambda *_: None)
    assert again.facts.report["totals"] == outcome.facts.report["totals"]
    assert [p["subsidy_cny"] for p in again.facts.report["participants"]] == [
        p["subsidy_cny"] for p in outcome.facts.report["participants"]
    ]
