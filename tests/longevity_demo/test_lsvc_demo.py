"""``gzlongevity demo`` on a small register: 16 approved runs through the service, the bank
files, the xlsx monthly reports and the HTML report, whose totals are the runs' own."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from gzlongevity.cli import app
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
    assert len(list((tmp_path / "bank").glob("*/bank-*.csv"))) == 16 * 11
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"{paid / 100:,.2f}" in result.output  # the summary adds up the runs
    assert report.count("<tr><td>20") == 16 and "plotly" in report
    book = openpyxl.load_workbook(tmp_path / "reports" / "longevity-2022-12.xlsx")
    assert book.sheetnames == ["汇总", "分区"]
