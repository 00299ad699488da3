"""``gzlongevity demo`` on a small register: 16 approved runs through the service, the bank
files, the xlsx monthly reports and the HTML report, whose totals are the runs' own."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from gzlongevity.app import create_app
from gzlongevity.cli import app
from gzlongevity.core.calendar import month_text
from gzlongevity.models import PaymentRun, RunLine, RunStatus


def test_the_demo_runs_sixteen_months(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--out", str(tmp_path), "--people", "1500", "--seed", "7"]
    )
    assert result.exit_code == 0, result.output
    engine = create_engine(f"sqlite:///{tmp_path / 'gzlongevity-demo.sqlite'}")
    try:
        with engine.connect() as connection:
            runs = connection.execute(
                select(PaymentRun.month, PaymentRun.status, PaymentRun.amount_fen).order_by(
                    PaymentRun.month
                )
            ).all()
            paid = connection.scalar(select(func.sum(RunLine.city_fen + RunLine.extra_fen)))
    finally:
        engine.dispose()
    assert len(runs) == 16 and all(status == RunStatus.APPROVED for _, status, _ in runs)
    assert paid == sum(amount for _, _, amount in runs) > 0
    assert len(list((tmp_path / "bank").glob("*/bank-*.csv"))) == 16 * 12
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"{paid / 100:,.2f}" in result.output  # the summary adds up the runs
    assert report.count("<tr><td>20") == 16 and "plotly" in report
    book = openpyxl.load_workbook(tmp_path / "reports" / "longevity-2022-12.xlsx")
    assert book.sheetnames == ["汇总", "分区"]
    # The console opens the demo's database with the sign-ins it printed.
    found = re.search(r"账户名 越秀区民政局，密码 (\S+)", result.output)
    assert found is not None
    password = found.group(1)
    assert password not in result.output.replace(found.group(0), "")  # one per account
    service = create_app(database_url=f"sqlite:///{tmp_path / 'gzlongevity-demo.sqlite'}")
    try:
        signed = TestClient(service).post(
            "/console/login",
            data={"name": "越秀区民政局", "password": password},
            headers={"Origin": "http://testserver"},
            follow_redirects=False,
        )
        assert signed.status_code == 303
    finally:
        service.state.engine.dispose()


def test_the_service_pays_what_the_auditors_replay_pays(tmp_path: Path) -> None:
    """The demo's runs, worked out by the service from its database, are line for line what
    ``gzlongevity payroll`` replays from the same register and confirmations (the same engine,
    fed by the database instead of files)."""
    out = tmp_path / "demo"
    assert (
        CliRunner()
        .invoke(app, ["demo", "--out", str(out), "--people", "1200", "--seed", "11"])
        .exit_code
        == 0
    )
    data = out / "data"
    replay = CliRunner().invoke(
        app,
        [
            "payroll",
            "--register",
            str(data / "register.csv"),
            "--confirmations",
            str(data / "confirmations.csv"),
            "--standards",
            str(data / "standards.csv"),
            "--from",
            "2021-09",
            "--to",
            "2022-12",
            "--out",
            str(tmp_path / "payments.csv"),
            "--overpayments",
            str(tmp_path / "overpayments.csv"),
        ],
    )
    assert replay.exit_code == 0, replay.output
    expected = {
        (row["run_month"], row["person_id"], row["for_month"], row["kind"], row["amount_cny"])
        for row in csv.DictReader((tmp_path / "payments.csv").open(encoding="utf-8"))
    }
    engine = create_engine(f"sqlite:///{out / 'gzlongevity-demo.sqlite'}")
    try:
        with engine.connect() as connection:
            lines = connection.execute(
                select(
                    PaymentRun.month,
                    RunLine.person_id,
                    RunLine.for_month,
                    RunLine.kind,
                    RunLine.city_fen + RunLine.extra_fen,
                ).join(PaymentRun, PaymentRun.id == RunLine.run_id)
            ).all()
    finally:
        engine.dispose()
    paid = {
        (month_text(run), person, month_text(month), kind.value, f"{fen / 100:.2f}")
        for run, person, month, kind, fen in lines
    }
    assert len(paid) == len(lines) > 1000
    assert paid == expected
