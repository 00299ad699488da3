"""The operator's calendar file (R3): day types that override the built-in schedule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gzkit.calendar import DayInfo, DayType
from gzkit.calendarfile import read_calendar
from gzkit.inputs import InputError

HEADER = "date,day_type,holiday_name\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_become_the_schedule_and_win(tmp_path: Path) -> None:
    text = HEADER + (
        "2031-10-01,holiday,National Day\n"
        "2031-09-28,workday,\n"
        "2031-10-11,restday,\n"
        "2025-10-01,workday,\n"  # overrides the built-in National Day
    )
    calendar = read_calendar(write(tmp_path, text))
    assert calendar.schedule == {
        dt.date(2031, 10, 1): DayInfo(DayType.HOLIDAY, "National Day"),
        dt.date(2031, 9, 28): DayInfo(DayType.WORKDAY),
        dt.date(2031, 10, 11): DayInfo(DayType.RESTDAY),
        dt.date(2025, 10, 1): DayInfo(DayType.WORKDAY),
    }
    assert calendar.day_info(dt.date(2025, 10, 1)) == DayInfo(DayType.WORKDAY)
    assert calendar.day_info(dt.date(2031, 10, 2)) == DayInfo(DayType.WORKDAY)  # a Thursday


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("2031/10/01,workday,", "date", "'2031/10/01' 不是日期（应为 YYYY-MM-DD）"),
        ("2031-02-29,workday,", "date", "'2031-02-29' 不是日期（应为 YYYY-MM-DD）"),
        ("2031-10-01,festival,", "day_type", "'festival' 不是 workday、restday、holiday 之一"),
        ("2031-10-01,holiday,", "holiday_name", "节假日须填写节日名称（R3、R4）"),
        (
            "2031-10-01,workday,National Day",
            "holiday_name",
            "'National Day'：day_type 为 workday，只有 holiday 才填节日名称",
        ),
        ("2031-10-03,workday,", "date", "2031-10-03 已在第 2 行列出"),
        (
            "2031-10-04,holiday,国庆节",
            "holiday_name",
            "'国庆节' 不是内置的节日名称之一：New Year's Day、Spring Festival、Tomb-sweeping Day、"
            "Labour Day、Dragon Boat Festival、National Day、Mid-autumn Festival、"
            "Anti-Fascist 70th Day",
        ),
    ],
)
def test_faults_name_the_line(tmp_path: Path, row: str, column: str, reason: str) -> None:
    path = write(tmp_path, HEADER + "2031-10-03,holiday,National Day\n" + row + "\n")
    with pytest.raises(InputError) as caught:
        read_calendar(path)
    assert (caught.value.row, caught.value.column, caught.value.reason) == (3, column, reason)
    assert str(caught.value) == f"{path} 第 3 行 {column} 列：{reason}"


def test_missing_column(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_calendar(write(tmp_path, "date,day_type\n2031-10-01,workday\n"))
    assert (caught.value.row, caught.value.reason) == (
        1,
        "缺少列 'holiday_name'：应为 date,day_type,holiday_name，实为 date,day_type",
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_bom_and_gb18030_files_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "calendar.csv"
    path.write_bytes((HEADER + "2031-10-01,holiday,National Day\n").encode(encoding))
    assert read_calendar(path).schedule == {
        dt.date(2031, 10, 1): DayInfo(DayType.HOLIDAY, "National Day")
    }


def test_undecodable_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "calendar.csv"
    path.write_bytes(HEADER.encode() + b"2031-10-01,restday,\n2031-10-02,restday,\x80\xff\n")
    with pytest.raises(InputError) as caught:
        read_calendar(path)
    assert caught.value.row == 3
    assert caught.value.reason.startswith("不是有效的 gb18030 文本")


def test_a_gb18030_calendar_with_chinese_notes_is_read(tmp_path: Path) -> None:
    path = tmp_path / "calendar.csv"
    path.write_bytes(
        ("备注," + HEADER + "国务院办公厅,2031-10-01,holiday,National Day\n").encode("gb18030")
    )
    assert read_calendar(path).day_info(dt.date(2031, 10, 1)) == DayInfo(
        DayType.HOLIDAY, "National Day"
    )
