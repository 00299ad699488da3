"""``gzcreditpool settle`` end to end: exact decisions.csv, encodings, calendars, bad input."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from gzcreditpool.cli import app

RUNNER = CliRunner()

LOANS = """\
loan_id,bank_id,enterprise_id,enterprise_eligible,disbursed_on,reported_on,amount,term_months,credit_part,financing_guarantee
L1,B1,E1,true,2023-03-01,2023-03-10,1000000.00,12,600000,false
L2,B1,E2,true,2024-02-02,2024-02-18,2000000,24,1500000.50,false
L3,B1,E3,true,2024-02-02,2024-02-19,500000,12,400000,false
L4,B2,E4,false,2023-05-01,2023-05-06,500000,12,400000,false
L5,B2,E5,true,2024-09-27,2024-10-12,3000000,37,2000000,false
L6,B2,E6,true,2023-06-01,2023-06-02,1000000,12,500000,false
L7,B2,E7,true,2023-06-01,2023-06-02,1000000,12,600000,true
L8,B2,E1,true,2023-04-01,2023-04-03,29000000.01,12,20000000,false
L9,B2,E1,true,2023-04-02,2023-04-03,29000000,36,20000000,false
L10,B2,E8,true,2023-07-03,2023-07-04,2000000,12,1500000,false
L12,B2,E10,true,2024-05-06,2024-05-07,2000000,12,1500000,false
"""
CLAIMS = """\
claim_id,loan_id,filed_on,classification,legal_effective_on,npl_balance
C1,L1,2024-03-01,次级,2024-01-15,900000
C2,L4,2024-03-01,次级,2024-01-15,100000
C3,L10,2024-07-01,次级,2024-01-15,100000
C4,L10,2024-03-01,关注,2024-01-15,100000
C5,L10,2024-03-01,损失,,100000
C6,L10,2024-03-01,可疑,2024-01-31,100000
C7,L10,2024-03-02,可疑,2024-01-31,400000000
C8,L9,2024-03-03,次级,2024-01-15,100
C9,L1,2024-04-01,次级,2024-01-15,2000000
C10,L2,2025-03-03,损失,2025-01-15,1000000
C11,L10,2025-03-04,损失,2025-01-15,400000000
"""
RECOVERIES = """\
recovery_id,loan_id,received_on,gross,fees
R1,L1,2024-09-30,100000,10000
R2,L1,2024-02-29,100000,0
R3,L10,2024-12-02,1000000.00,0
R4,L4,2024-05-01,5000,0
"""
# By hand. 2023 registered lending: B1 1,000,000 (L1); B2 31,000,000 (L9 reaches E1's
# 30,000,000 with L1 after L8 would pass it; L10) → 2024 caps 6,250,000 and 193,750,000.
# 2024: B1 2,000,000 (L2), B2 2,000,000 (L12) → 2025 caps 100,000,000 each.
DECISIONS = """\
record,id,decision,reason,amount_cny,due_on
loan,L1,registered,,1000000.00,
loan,L2,registered,,2000000.00,
loan,L3,refused,late_report,500000.00,
loan,L4,refused,not_eligible,500000.00,
loan,L5,refused,term,3000000.00,
loan,L6,refused,credit_part,1000000.00,
loan,L7,refused,financing_guarantee,1000000.00,
loan,L8,refused,enterprise_year_cap,29000000.01,
loan,L9,registered,,29000000.00,
loan,L10,registered,,2000000.00,
loan,L12,registered,,2000000.00,
claim,C1,approved,,450000.00,2024-12-31
claim,C2,refused,loan_not_registered,0.00,
claim,C3,refused,not_in_window,0.00,
claim,C4,refused,classification,0.00,
claim,C5,refused,no_legal_action,0.00,
claim,C6,refused,legal_too_recent,0.00,
claim,C7,partial,bank_cap,193750000.00,2024-12-31
claim,C8,refused,bank_cap_reached,0.00,
claim,C9,refused,loan_cap_reached,0.00,
claim,C10,approved,,500000.00,2025-12-31
claim,C11,partial,loan_cap,6250000.00,2025-12-31
recovery,R1,refund,,45000.00,2024-11-15
recovery,R2,none,,0.00,
recovery,R3,refund,,484375.00,2025-01-14
recovery,R4,none,,0.00,
fee,2023,fee,,2019200.00,
fee,2024,fee,,2002400.00,
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def settle(folder: Path, *extra: str, recoveries: bool = True) -> Result:
    arguments = [
        "settle",
        "--loans",
        str(folder / "loans.csv"),
        "--claims",
        str(folder / "claims.csv"),
        "--out",
        str(folder / "out" / "decisions.csv"),
        *extra,
    ]
    if recoveries:
        arguments += ["--recoveries", str(folder / "recoveries.csv")]
    return RUNNER.invoke(app, arguments)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write(tmp_path, "loans.csv", LOANS)
    write(tmp_path, "claims.csv", CLAIMS)
    write(tmp_path, "recoveries.csv", RECOVERIES)
    return tmp_path


def test_every_decision_and_reason_end_to_end(folder: Path) -> None:
    result = settle(folder)
    assert result.exit_code == 0, (result.stderr, result.exception)
    assert (folder / "out" / "decisions.csv").read_text(encoding="utf-8") == DECISIONS
    assert "入池贷款" in result.stdout and "2,019,200.00" in result.stdout


@pytest.mark.parametrize(
    ("loans", "claims"), [("utf-8-sig", "gb18030"), ("gb18030", "utf-8-sig"), ("gbk", "utf-8")]
)
def test_bom_and_gb18030_files_give_the_same_decisions(
    folder: Path, loans: str, claims: str
) -> None:
    write(folder, "loans.csv", LOANS, loans)
    write(folder, "claims.csv", CLAIMS, claims)
    assert (folder / "claims.csv").read_bytes().startswith(codecs.BOM_UTF8) == (
        claims == "utf-8-sig"
    )
    result = settle(folder)
    assert result.exit_code == 0, (result.stderr, result.exception)
    assert (folder / "out" / "decisions.csv").read_text(encoding="utf-8") == DECISIONS


def test_recoveries_are_optional(folder: Path) -> None:
    result = settle(folder, recoveries=False)
    assert result.exit_code == 0, (result.stderr, result.exception)
    lines = (folder / "out" / "decisions.csv").read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if line.startswith("recovery,")]
    assert lines[-2:] == ["fee,2023,fee,,2019200.00,", "fee,2024,fee,,2002400.00,"]


def test_a_calendar_file_entry_wins_over_the_library(folder: Path) -> None:
    # Declaring Sunday 18 Feb 2024 (worked after the Spring Festival) a rest day moves the
    # 7th working day after 2 Feb to Monday 19 Feb: L3, reported then, is on time.
    write(folder, "calendar.csv", "date,day_type,holiday_name\n2024-02-18,restday,\n")
    result = settle(folder, "--calendar", str(folder / "calendar.csv"))
    assert result.exit_code == 0, (result.stderr, result.exception)
    text = (folder / "out" / "decisions.csv").read_text(encoding="utf-8")
    assert "loan,L3,registered,,500000.00," in text.splitlines()
    assert "fee,2024,fee,,2002700.00," in text.splitlines()  # 0.06 % of 4,500,000


def test_a_year_no_calendar_covers_is_bad_input(folder: Path) -> None:
    write(folder, "recoveries.csv", RECOVERIES + "R5,L1,2026-12-20,100,0\n")
    result = settle(folder)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"错误：{folder / 'recoveries.csv'} 第 6 行 received_on 列：工作日历未覆盖 2027-01-01"
        "（内置日历覆盖 2004–2026 年），请用 --calendar 提供 2027 年的国务院节假日安排"
    )
    assert not (folder / "out").exists()
    # The State Council's 2027 schedule (here: just New Year's Day) makes it settle.
    write(folder, "calendar.csv", "date,day_type,holiday_name\n2027-01-01,holiday,New Year's Day\n")
    result = settle(folder, "--calendar", str(folder / "calendar.csv"))
    assert result.exit_code == 0, (result.stderr, result.exception)
    # 30 working days after Sunday 20 Dec 2026: 21 Dec … 31 Dec (9), then 4 Jan 2027 on.
    assert "recovery,R5,refund,,50.00,2027-02-01" in (folder / "out" / "decisions.csv").read_text()


LOAN_HEADER = LOANS.splitlines()[0]
GOOD_LOAN = "L1,B1,E1,true,2023-03-01,2023-03-10,1000000.00,12,600000,false"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("L1,B1,E1,true,2023-03-01,2023-03-10,1,12,1,false", "loan_id 列：'L1' 重复，第 2 行已有"),
        (",B1,E1,true,2023-03-01,2023-03-10,1,12,1,false", "loan_id 列：为空"),
        (
            "X,B1,E1,True,2023-03-01,2023-03-10,1,12,1,false",
            "enterprise_eligible 列：'True' 应为 true 或 false（小写）",
        ),
        (
            "X,B1,E1,true,2023-3-01,2023-03-10,1,12,1,false",
            "disbursed_on 列：'2023-3-01' 不是日期（应为 YYYY-MM-DD）",
        ),
        (
            "X,B1,E1,true,2023-02-29,2023-03-10,1,12,1,false",
            "disbursed_on 列：'2023-02-29' 不是日期（应为 YYYY-MM-DD）",
        ),
        (
            "X,B1,E1,true,2023-03-01,2023/03/10,1,12,1,false",
            "reported_on 列：'2023/03/10' 不是日期（应为 YYYY-MM-DD）",
        ),
        (
            "X,B1,E1,true,2023-03-01,2023-02-28,1,12,1,false",
            "reported_on 列：2023-02-28 早于 disbursed_on 2023-03-01",
        ),
        ("X,B1,E1,true,2023-03-01,2023-03-10,-1,12,1,false", "amount 列：-1 为负数"),
        (
            "X,B1,E1,true,2023-03-01,2023-03-10,1.234,12,1,false",
            "amount 列：'1.234' 不是金额（数字，最多两位小数，不超过 999999999999.99）",
        ),
        (
            "X,B1,E1,true,2023-03-01,2023-03-10,1e6,12,1,false",
            "amount 列：'1e6' 不是金额（数字，最多两位小数，不超过 999999999999.99）",
        ),
        ("X,B1,E1,true,2023-03-01,2023-03-10,0.00,12,0,false", "amount 列：不能为 0"),
        (
            "X,B1,E1,true,2023-03-01,2023-03-10,1,0,1,false",
            "term_months 列：'0' 不是不小于 1 的整数",
        ),
        (
            "X,B1,E1,true,2023-03-01,2023-03-10,1,12.5,1,false",
            "term_months 列：'12.5' 不是不小于 1 的整数",
        ),
        (
            "X,B1,E1,true,2023-03-01,2023-03-10,1,12,1.01,false",
            "credit_part 列：1.01 大于 amount 1",
        ),
        (
            "X,B1,E1,true,2023-03-01,2023-03-10,1,12,1,no",
            "financing_guarantee 列：'no' 应为 true 或 false（小写）",
        ),
    ],
)
def test_bad_loans_name_file_line_and_reason(folder: Path, row: str, reason: str) -> None:
    write(folder, "loans.csv", f"{LOAN_HEADER}\n{GOOD_LOAN}\n\n{row}\n")
    result = settle(folder, recoveries=False)
    assert result.exit_code == 2
    # The blank line 3 is skipped but counted: the bad row is line 4.
    assert result.stderr.strip() == f"错误：{folder / 'loans.csv'} 第 4 行 {reason}"
    assert not (folder / "out").exists()


@pytest.mark.parametrize(
    ("name", "row", "reason"),
    [
        (
            "claims.csv",
            "C99,L404,2024-03-01,次级,2024-01-15,100",
            "loan_id 列：'L404' 不在贷款文件中",
        ),
        (
            "claims.csv",
            "C1,L1,2024-03-01,次级,2024-01-15,100",
            "claim_id 列：'C1' 重复，第 2 行已有",
        ),
        (
            "claims.csv",
            "C99,L1,2024-03-01,坏账,2024-01-15,100",
            "classification 列：'坏账' 不是 正常、关注、次级、可疑、损失 之一",
        ),
        (
            "claims.csv",
            "C99,L1,2024-03-01,次级,2024-13-01,100",
            "legal_effective_on 列：'2024-13-01' 不是日期（应为 YYYY-MM-DD）",
        ),
        ("claims.csv", "C99,L1,2024-03-01,次级,,0", "npl_balance 列：不能为 0"),
        ("claims.csv", "C99,L1,2024-03-01,次级,,-5.00", "npl_balance 列：-5.00 为负数"),
        ("recoveries.csv", "R99,L404,2024-03-01,1,0", "loan_id 列：'L404' 不在贷款文件中"),
        ("recoveries.csv", "R99,L1,2024-03-01,1.00,1.01", "fees 列：1.01 大于 gross 1.00"),
        ("recoveries.csv", "R99,L1,2024-03-01,1.00,-0.01", "fees 列：-0.01 为负数"),
        ("recoveries.csv", "R1,L1,2024-03-01,1,0", "recovery_id 列：'R1' 重复，第 2 行已有"),
    ],
)
def test_bad_claims_and_recoveries(folder: Path, name: str, row: str, reason: str) -> None:
    text = {"claims.csv": CLAIMS, "recoveries.csv": RECOVERIES}[name]
    write(folder, name, text + row + "\n")
    line = len(text.splitlines()) + 1
    result = settle(folder)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"错误：{folder / name} 第 {line} 行 {reason}"
    assert not (folder / "out").exists()


def test_missing_column_and_bad_bytes(folder: Path) -> None:
    write(folder, "claims.csv", "claim_id,loan_id,filed_on\n")
    result = settle(folder)
    assert result.stderr.strip() == (
        f"错误：{folder / 'claims.csv'} 第 1 行：缺少列 'classification'：应为 "
        "claim_id,loan_id,filed_on,classification,legal_effective_on,npl_balance，"
        "实为 claim_id,loan_id,filed_on"
    )
    (folder / "loans.csv").write_bytes(LOANS.encode() + b"L99,B1,E\x80\xff,true\n")
    result = settle(folder)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"错误：{folder / 'loans.csv'} 第 13 行：不是有效的 gb18030 文本（支持 UTF-8、带 BOM 的 "
        "UTF-8、GB18030）"
    )


def test_an_existing_output_is_left_alone_on_error(folder: Path) -> None:
    (folder / "out").mkdir()
    (folder / "out" / "decisions.csv").write_text("old\n", encoding="utf-8")
    write(folder, "recoveries.csv", RECOVERIES + "R9,L1,2024-03-01,1,2\n")
    assert settle(folder).exit_code == 2
    assert (folder / "out" / "decisions.csv").read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in (folder / "out").iterdir()] == ["decisions.csv"]


def test_a_loan_whose_deadline_no_calendar_covers_is_bad_input(folder: Path) -> None:
    write(folder, "loans.csv", LOANS + "L13,B1,E11,false,2026-12-28,2026-12-29,1,12,1,false\n")
    result = settle(folder)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"错误：{folder / 'loans.csv'} 第 13 行 disbursed_on 列：工作日历未覆盖 2027-01-01"
    )
    assert not (folder / "out").exists()


def test_an_empty_file_is_named(folder: Path) -> None:
    write(folder, "loans.csv", "")
    result = settle(folder)
    assert result.stderr.strip() == (
        f"错误：{folder / 'loans.csv'}：文件为空：第一行应为表头 {LOAN_HEADER}"
    )


def test_a_missing_file_is_named(folder: Path) -> None:
    (folder / "claims.csv").unlink()
    result = settle(folder)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"错误：{folder / 'claims.csv'}：无法读取：文件不存在"
