"""The one error for bad input files in its one Chinese form (pickling: tests/cli)."""

from __future__ import annotations

import pytest

from gzkit.inputs import InputError, position


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (
            InputError("loans.csv", "为空", 5, column="loan_id"),
            "loans.csv 第 5 行 loan_id 列：为空",
        ),
        (
            InputError("a.csv", "有 2 个字段，表头有 3 个", 3),
            "a.csv 第 3 行：有 2 个字段，表头有 3 个",
        ),
        (InputError("a.parquet", "为空", 7, "row", "kw"), "a.parquet 第 7 条记录 kw 列：为空"),
        (InputError("e.json", "缺少字段 'id'", 2, "event"), "e.json 第 2 个事件：缺少字段 'id'"),
        (
            InputError("a.parquet", "类型为 int64，应为文本", column="ts"),
            "a.parquet ts 列：类型为 int64，应为文本",
        ),
        (InputError("nowhere.csv", "无法读取：文件不存在"), "nowhere.csv：无法读取：文件不存在"),
    ],
)
def test_one_chinese_form(error: InputError, text: str) -> None:
    assert str(error) == text


def test_the_file_can_be_named_as_sent() -> None:
    error = InputError("/tmp/upload-x1/upload.csv", "为空", 3, column="kw")
    assert error.where("meter.csv") == "meter.csv 第 3 行 kw 列"


def test_an_unknown_unit_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="cell"):
        InputError("a.csv", "为空", 1, "cell")
    assert position(4, "event") == "第 4 个事件"
