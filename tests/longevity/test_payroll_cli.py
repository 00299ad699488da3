"""``gzlongevity payroll`` end to end: the exact files, GBK input, and bad input refused with
one line naming the file, the line and the reason, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from longevity_files import (
    CONFIRMATION_HEADER,
    OVERPAYMENTS_HEADER,
    PAYMENTS_HEADER,
    REGISTER_HEADER,
    STANDARDS_HEADER,
    citizen_id,
)
from typer.testing import CliRunner

from gzlongevity.cli import app

ELDER = citizen_id("1921-10-25", 1, "440104")
YOUNGER = citizen_id("1951-10-15")
REGISTER = [
    REGISTER_HEADER,
    f"{YOUNGER},张三,1951-10-15,registered,1990-01-01,2021-08-01,440103,沙面街",
    f"{ELDER},李四,1921-10-25,registered,1990-01-01,2021-08-01,440104,北京街",
    f"{ELDER},李四,1921-10-25,moved,2021-11-01,2021-11-05,440105,南华西街",
    f"{ELDER},李四,1921-10-25,died,2022-01-10,2022-03-02,,",
]
CONFIRMATIONS = [
    CONFIRMATION_HEADER,
    f"{YOUNGER},2021-12-01,app",
    f"{ELDER},2021-09-01,street",
]
STANDARDS = [STANDARDS_HEADER, "440105,100,350,2021-01"]


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def invoke(tmp_path: Path, *extra: str, register: list[str] = REGISTER,
           confirmations: list[str] = CONFIRMATIONS, encoding: str = "utf-8"):  # type: ignore[no-untyped-def]  # fmt: skip
    args = [
        "payroll",
        "--register", str(write(tmp_path / "register.csv", register, encoding)),
        "--confirmations", str(write(tmp_path / "confirmations.csv", confirmations, encoding)),
        "--standards", str(write(tmp_path / "standards.csv", STANDARDS, encoding)),
        "--from", "2021-09", "--to", "2022-04",
        "--out", str(tmp_path / "payments.csv"),
        "--overpayments", str(tmp_path / "overpayments.csv"),
        *extra,
    ]  # fmt: skip
    return CliRunner().invoke(app, args)


def invoke_files(tmp_path: Path, register: Path, *extra: str):  # type: ignore[no-untyped-def]
    """Payroll 2021-09…2021-10 over files already in ``tmp_path``."""
    args = [
        "payroll", "--register", str(register),
        "--confirmations", str(tmp_path / "confirmations.csv"),
        "--from", "2021-09", "--to", "2021-10", "--out", str(tmp_path / "payments.csv"),
        *extra,
    ]  # fmt: skip
    return CliRunner().invoke(app, args)


EXPECTED_PAYMENTS = f"""{PAYMENTS_HEADER}
2021-09,{ELDER},440104,北京街,monthly,2021-09,90,200.00,0.00,200.00
2021-10,{ELDER},440104,北京街,centenarian,2021-10,100,1000.00,0.00,1000.00
2021-10,{ELDER},440104,北京街,monthly,2021-10,100,300.00,0.00,300.00
2021-11,{ELDER},440104,北京街,monthly,2021-11,100,300.00,0.00,300.00
2021-12,{YOUNGER},440103,沙面街,arrears,2021-10,70,30.00,0.00,30.00
2021-12,{YOUNGER},440103,沙面街,arrears,2021-11,70,30.00,0.00,30.00
2021-12,{YOUNGER},440103,沙面街,monthly,2021-12,70,30.00,0.00,30.00
2021-12,{ELDER},440105,南华西街,monthly,2021-12,100,300.00,50.00,350.00
2022-01,{YOUNGER},440103,沙面街,monthly,2022-01,70,30.00,0.00,30.00
2022-01,{ELDER},440105,南华西街,monthly,2022-01,100,300.00,50.00,350.00
2022-02,{YOUNGER},440103,沙面街,monthly,2022-02,70,30.00,0.00,30.00
2022-02,{ELDER},440105,南华西街,monthly,2022-02,100,300.00,50.00,350.00
2022-03,{YOUNGER},440103,沙面街,monthly,2022-03,70,30.00,0.00,30.00
2022-04,{YOUNGER},440103,沙面街,monthly,2022-04,70,30.00,0.00,30.00
"""
EXPECTED_OVERPAYMENTS = f"""{OVERPAYMENTS_HEADER}
{ELDER},2022-02,monthly,350.00,2022-02,2022-03,died
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_payroll_writes_the_contract_exactly(tmp_path: Path, encoding: str) -> None:
    # 李四 turns 100 on 25 October 2021, moves on 1 November (越秀 pays November), dies on
    # 10 January 2022, known on 2 March: February is overpaid. 张三 turns 70 in October 2021 and
    # confirms on 1 December: October and November are back-paid.
    result = invoke(tmp_path, encoding=encoding)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "payments.csv").read_text(encoding="utf-8") == EXPECTED_PAYMENTS
    assert (tmp_path / "overpayments.csv").read_text(encoding="utf-8") == EXPECTED_OVERPAYMENTS
    assert "百岁慰问金" in result.stdout
    assert "多领" in result.stdout


def test_help_is_chinese() -> None:
    result = CliRunner().invoke(app, ["payroll", "--help"])
    assert result.exit_code == 0
    assert "长寿保健金" in result.stdout
    assert "--run-day" in result.stdout


def bad_register(line: str) -> list[str]:
    return [*REGISTER[:2], line, *REGISTER[2:]]


WRONG_CHECK = YOUNGER[:-1] + ("0" if YOUNGER[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("register", "confirmations", "file", "where", "reason"),
    [
        (
            bad_register(
                f"{WRONG_CHECK},王五,1951-10-15,registered,1990-01-01,2021-08-01,440103,x"
            ),
            CONFIRMATIONS,
            "register.csv",
            "第 3 行 person_id 列",
            "校验码错误",
        ),
        (
            bad_register(f"{YOUNGER},张三,1951-10-15,married,2022-01-01,2022-01-02,440103,x"),
            CONFIRMATIONS,
            "register.csv",
            "第 3 行 event 列",
            "未知事件 'married'",
        ),
        (
            bad_register(f"{YOUNGER},张三,1951-10-15,moved,2022-02-30,2022-03-02,440103,x"),
            CONFIRMATIONS,
            "register.csv",
            "第 3 行 event_date 列",
            "'2022-02-30' 不是日期",
        ),
        (
            bad_register(f"{YOUNGER},张三,1951-10-15,moved,2022-03-01,,440103,x"),
            CONFIRMATIONS,
            "register.csv",
            "第 3 行 known_on 列",
            "'' 不是日期",
        ),
        (
            bad_register(f"{YOUNGER},张三,1951-10-15,moved,,2022-03-02,440103,x"),
            CONFIRMATIONS,
            "register.csv",
            "第 3 行 event_date 列",
            "'' 不是日期",
        ),
        (
            bad_register(f"{YOUNGER},张三,1951-10-15,died,2022-03-05,2022-03-02,,"),
            CONFIRMATIONS,
            "register.csv",
            "第 3 行 known_on 列",
            "2022-03-02 早于 event_date 2022-03-05",
        ),
        (
            bad_register(f"{YOUNGER},张三,1951-10-16,moved,2022-03-01,2022-03-02,440103,x"),
            CONFIRMATIONS,
            "register.csv",
            "第 3 行 birth_date 列",
            "1951-10-16 与身份证号中的出生日期不符",
        ),
        (
            bad_register(f"{YOUNGER},张三,1951-10-15,moved,2022-03-01,2022-03-02,110101,x"),
            CONFIRMATIONS,
            "register.csv",
            "第 3 行 district 列",
            "'110101' 不是广州市的区划代码",
        ),
        (
            [*REGISTER, f"{citizen_id('1940-01-01')},赵六,1940-01-01,died,,2022-01-02,,"],
            CONFIRMATIONS,
            "register.csv",
            "第 6 行 person_id 列",
            "没有 registered 行",
        ),
        (
            REGISTER,
            [*CONFIRMATIONS, f"{YOUNGER},2022-01-01,sms"],
            "confirmations.csv",
            "第 4 行 channel 列",
            "未知渠道 'sms'",
        ),
        (
            REGISTER,
            [*CONFIRMATIONS, f"{citizen_id('1940-01-01')},2022-01-01,app"],
            "confirmations.csv",
            "第 4 行 person_id 列",
            "不在户籍名册",
        ),
        (
            REGISTER,
            [*CONFIRMATIONS, f"{YOUNGER},2022-13-01,app"],
            "confirmations.csv",
            "第 4 行 confirmed_on 列",
            "'2022-13-01' 不是日期",
        ),
    ],
)
def test_bad_input_names_file_line_and_reason_and_writes_nothing(
    tmp_path: Path,
    register: list[str],
    confirmations: list[str],
    file: str,
    where: str,
    reason: str,
) -> None:
    result = invoke(tmp_path, register=register, confirmations=confirmations, encoding="gbk")
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert "\n" not in message
    assert f"{file} {where}：" in message
    assert reason in message
    assert not (tmp_path / "payments.csv").exists()
    assert not (tmp_path / "overpayments.csv").exists()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("standard", "where", "reason"),
    [
        ("440105,70,25,2021-01", "第 3 行 monthly_cny 列：", "25 低于市标准 30.00"),
        ("440105,75,50,2021-01", "第 3 行 tier 列：", "'75' 应为 70、80、90 或 100"),
        ("440105,70,50.123,2021-01", "第 3 行 monthly_cny 列：", "'50.123' 不是精确到分的金额"),
        ("440105,100,350,2021-1", "第 3 行 from_month 列：", "'2021-1' 不是 YYYY-MM"),
        ("440105,100,360,2021-01", "第 3 行：", "与第 2 行的区、档次和起始月重复"),
    ],
)
def test_bad_standards_are_refused(tmp_path: Path, standard: str, where: str, reason: str) -> None:
    write(tmp_path / "standards.csv", [*STANDARDS, standard])
    paths = [tmp_path / name for name in ("register.csv", "confirmations.csv")]
    write(paths[0], REGISTER)
    write(paths[1], CONFIRMATIONS)
    result = invoke_files(tmp_path, paths[0], "--standards", str(tmp_path / "standards.csv"))
    assert result.exit_code == 2
    assert f"standards.csv {where}{reason}" in result.stderr
    assert not (tmp_path / "payments.csv").exists()


def test_an_existing_output_is_left_alone_on_error(tmp_path: Path) -> None:
    (tmp_path / "payments.csv").write_text("earlier\n", encoding="utf-8")
    result = invoke(tmp_path, register=bad_register("x,y,z,registered,,,,"))
    assert result.exit_code == 2
    assert (tmp_path / "payments.csv").read_text(encoding="utf-8") == "earlier\n"


def test_from_after_to_is_refused(tmp_path: Path) -> None:
    result = invoke(tmp_path, "--from", "2022-05")
    assert result.exit_code == 2
    assert "--to" in result.stderr
    assert not (tmp_path / "payments.csv").exists()


def test_bytes_that_are_not_text_name_their_line(tmp_path: Path) -> None:
    # 0x80 alone is neither UTF-8 nor GB18030: the file and the line are named.
    lines = [line.encode("gbk") for line in REGISTER]
    lines.insert(2, b"\x80\x80\x80")
    (tmp_path / "register.csv").write_bytes(b"\n".join(lines) + b"\n")
    write(tmp_path / "confirmations.csv", CONFIRMATIONS)
    result = invoke_files(tmp_path, tmp_path / "register.csv")
    assert result.exit_code == 2
    assert "register.csv 第 3 行：不是有效的 gb18030 文本" in result.stderr
    assert not (tmp_path / "payments.csv").exists()


def test_a_month_that_is_not_a_month_is_one_line(tmp_path: Path) -> None:
    result = invoke(tmp_path, "--to", "2022-13")
    assert result.exit_code == 2
    assert result.stderr.strip() == "错误：--to：'2022-13' 不是 YYYY-MM 格式的月份"


def test_an_empty_register_writes_the_headers(tmp_path: Path) -> None:
    result = invoke(tmp_path, register=[REGISTER_HEADER], confirmations=[CONFIRMATION_HEADER])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "payments.csv").read_text(encoding="utf-8") == PAYMENTS_HEADER + "\n"
    assert (tmp_path / "overpayments.csv").read_text(encoding="utf-8") == (
        OVERPAYMENTS_HEADER + "\n"
    )


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    write(tmp_path / "confirmations.csv", CONFIRMATIONS)
    result = invoke_files(tmp_path, tmp_path / "nowhere.csv")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "nowhere.csv：无法读取：文件不存在" in result.stderr
