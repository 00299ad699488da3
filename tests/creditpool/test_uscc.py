"""统一社会信用代码 (GB 32100-2015): the check character and the other structural checks."""

from __future__ import annotations

import pytest

from gzcreditpool.core.uscc import uscc_check_character, uscc_problem


@pytest.mark.parametrize(
    "code",
    ["914403001922038216", "91110000600037341L", "9144030071526726XG"],
)
def test_published_codes_are_valid(code: str) -> None:
    assert uscc_problem(code) is None


def test_check_character_from_the_first_seventeen() -> None:
    # Weights 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 (3^i mod 31).
    assert uscc_check_character("91440300192203821") == "6"
    assert uscc_check_character("91110000600037341") == "L"


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("914403001922038217", "统一社会信用代码校验码错误：第 18 位应为 '6'，实为 '7'"),
        ("91440300192203821", "统一社会信用代码应为 18 位，实为 17 位"),
        (
            "91440300192203821I",
            "统一社会信用代码含有不允许的字符 'I'（不用 I、O、Z、S、V 及小写字母）",
        ),
        (
            "914403001922038a16",
            "统一社会信用代码含有不允许的字符 'a'（不用 I、O、Z、S、V 及小写字母）",
        ),
        ("014403001922038216", "统一社会信用代码第 1 位（登记管理部门代码）不能是 '0'"),
        ("904403001922038216", "统一社会信用代码第 2 位（机构类别代码）不能是 '0'"),
    ],
)
def test_problems_are_named(code: str, problem: str) -> None:
    assert uscc_problem(code) == problem


def test_seventeen_characters_are_needed() -> None:
    with pytest.raises(ValueError, match="17 characters"):
        uscc_check_character("9144")
