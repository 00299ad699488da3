"""``gzcreditpool demo`` on a small world: the report and the xlsx files are written."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from gzcreditpool.demo.run import run_demo


def test_the_demo_writes_its_report_and_workbooks(tmp_path: Path) -> None:
    summary = run_demo(tmp_path, enterprises=80, seed=3)
    assert "报送贷款" in summary and "疑似重复申报 1 起" in summary and "处理" in summary
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "入池放贷额" in html and "Plotly.newPlot" in html
    # Top-ups have their section and their count in the summary (none in so small a world).
    assert '<table id="top-ups">' in html and "补退 0 笔" in summary
    assert '<script src="http' not in html  # plotly.js is inlined: the report works offline
    performance = load_workbook(tmp_path / "performance-2023.xlsx", read_only=True)
    assert performance.sheetnames == ["合作银行绩效", "受托管理费", "核销"]
    rows = list(performance["合作银行绩效"].iter_rows(values_only=True))
    assert rows[0][0] == "银行代码" and len(rows) == 6  # a header and the five banks
    budget = load_workbook(tmp_path / "budget.xlsx", read_only=True)
    assert [row[0] for row in budget["预算"].iter_rows(values_only=True)][1:] == [
        2022,
        2023,
        2024,
        2025,
        2026,
    ]
