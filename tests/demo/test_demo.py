"""A small demo through the service, checked against ``gzvpp evaluate`` on the same data.

The demo stores every award's evaluation in the platform's database; exported as files, the
batch evaluation must reproduce each figure and the quarter's totals to the fen.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from rich.console import Console
from sqlalchemy import select
from typer.testing import CliRunner
from uvicorn.importer import import_from_string

from gzkit.db import session_scope
from gzvpp import cli
from gzvpp.demo.runner import DemoOutcome, run_demo
from gzvpp.demo.simulation import SIGN_IN_ROLES, DemoSize
from gzvpp.demo.summary import print_demo_summary
from gzvpp.evaluation.run import run_evaluation
from gzvpp.kit.auth import TOKEN_COOKIE, authenticate
from gzvpp.models import AwardResult, Participant, Role
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


def test_tokens_give_one_sign_in_per_role_named_after_its_user(outcome: DemoOutcome) -> None:
    header, *lines = outcome.tokens.read_text(encoding="utf-8").splitlines()
    assert header == "角色\t账户名\t密码\t令牌"
    rows = [line.split("\t") for line in lines]
    roles = ["广州供电局", "市工信局", "计量系统", "负荷聚合商", "电力用户"]
    assert [role for role, *_ in rows] == roles
    app: Any = outcome.run.client.app
    with session_scope(app.state.sessionmaker) as session:
        for role, (_, name, _, token) in zip(SIGN_IN_ROLES, rows, strict=True):
            actor, _ = authenticate(session, token, app.state.clock.now(), write=False)
            assert actor.role is role and actor.name == name
            if role.participant_scoped:  # the participant's own name
                participant = session.get(Participant, actor.participant_id)
                assert participant is not None and participant.name == name
                kind = "aggregator" if role is Role.AGGREGATOR else "user"
                assert participant.kind.value == kind


def test_the_demo_people_sign_in_with_the_passwords_in_tokens_txt(outcome: DemoOutcome) -> None:
    _, *lines = outcome.tokens.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines]
    # Everyone but the metering identity (no console) has a password, and it signs them in.
    assert [password == "—" for _, _, password, _ in rows] == [False, False, True, False, False]
    client = outcome.run.client
    for _, name, password, _ in rows:
        if password == "—":
            continue
        client.cookies.clear()
        answer = client.post(
            "/console/login",
            data={"name": name, "password": password},
            headers={"Origin": "http://testserver"},
            follow_redirects=False,
        )
        assert answer.status_code == 303, (name, answer.text[:300])
    client.cookies.clear()


def test_the_summary_ends_with_one_sign_in_line_per_role(outcome: DemoOutcome) -> None:
    console = Console(record=True, width=100)
    print_demo_summary(outcome, console)
    text = console.export_text()
    tail = text[text.index("控制台：") :].splitlines()[1:]
    assert len(tail) == len(SIGN_IN_ROLES)
    for line, sign_in in zip(tail, outcome.run.tokens, strict=True):
        assert sign_in.name in line
        secret = sign_in.password if sign_in.password is not None else sign_in.token
        assert line.rstrip().endswith(secret)
    assert "不能登录控制台" in tail[2] and tail[2].lstrip().startswith("计量系统")


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


def test_serving_the_demo_database_opens_at_the_demo_time(
    outcome: DemoOutcome, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def run(target: str, *, factory: bool, **_: Any) -> None:
        # What each of uvicorn's processes does: import the factory and build the app.
        assert factory
        served.update(app=import_from_string(target)())

    monkeypatch.setattr(uvicorn, "run", run)
    answer = CliRunner().invoke(cli.app, ["serve", "--db", str(outcome.db)])
    assert answer.exit_code == 0, answer.output
    assert "演示时钟" in answer.output
    app = served["app"]
    try:
        # Where the simulation ended, running on at real pace (seconds by now).
        ended = dt.datetime.combine(SMALL.last_day + dt.timedelta(days=8), dt.time(10))
        assert dt.timedelta(0) <= app.state.clock.now() - ended < dt.timedelta(minutes=5)
        operator = next(t.token for t in outcome.run.tokens if t.role is Role.GRID_OPERATOR)
        client = TestClient(app)  # not entered: no scheduler
        client.cookies.set(TOKEN_COOKIE, operator)
        page = client.get("/console/overview").text
        assert f"演示时钟 {ended:%Y-%m-%d %H:%M}" in page
        assert 'id="forecast-data"' in page and "尚未上传" not in page  # the 95 % line chart
        assert "DR2025" in page  # the latest events, though none is due any more
        settlement = client.get("/console/settlement").text
        assert '<option value="2025Q3" selected>' in settlement
        assert "本季度暂无" not in settlement
        # An explicit --clock-start wins over the recorded one.
        again = CliRunner().invoke(
            cli.app, ["serve", "--db", str(outcome.db), "--clock-start", "2025-07-10 09:00:00"]
        )
        assert again.exit_code == 0 and "设定时钟" in again.output
        assert served["app"].state.clock.now().date() == dt.date(2025, 7, 10)
        served["app"].state.engine.dispose()
    finally:
        app.state.engine.dispose()


def test_the_report_reads_the_chinese_way(outcome: DemoOutcome) -> None:
    # Plotly writes its JSON ASCII-escaped with the json engine, as UTF-8 with orjson: the page
    # is read back as JSON text either way.
    page = outcome.report.read_text(encoding="utf-8")
    html = re.sub("[^\x00-\x7f]", lambda c: f"\\u{ord(c.group()):04x}", page)

    def text(value: str) -> str:
        return json.dumps(value)

    def title(value: str) -> str:
        return f'"title":{{"text":{text(value)}}}'

    assert title("日最高统调负荷（MW）") in html  # a unit on every value axis
    assert title("负荷（kW）") in html
    assert title("补贴金额（万元）") in html  # 万元, not "800k"
    assert text("%-m月%-d日") in html  # 7月13日, not "Jul 13 2025"
    assert '"separators":".,"' in html and '"exponentformat":"none"' in html
    # 削峰 and 填谷 invitations have different markers.
    assert text("日前邀约·削峰") in html and '"symbol":"triangle-up"' in html
    assert text("日前邀约·填谷") in html and '"symbol":"triangle-down-open"' in html
    assert json.dumps("实时响应不评分")[1:-1] in html  # the score chart says who is not scored
