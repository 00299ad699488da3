"""GB 11643 check digits, birth dates from IDs, 周岁 ages and run dates (pure functions)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gzlongevity.core.calendar import (
    age_at_month_end,
    age_on,
    day_number,
    day_of,
    month_number,
    month_text,
    months_of_days,
    parse_month,
    run_date,
)
from gzlongevity.core.identity import (
    birth_date_from_id,
    check_character,
    check_characters_valid,
    id_problem,
)

# The worked example of GB 11643-1999 (appendix A): 11010519491231002X.
STANDARD_EXAMPLE = "11010519491231002X"


def test_the_standard_s_worked_example() -> None:
    assert check_character(STANDARD_EXAMPLE[:17]) == "X"
    assert id_problem(STANDARD_EXAMPLE) is None
    assert birth_date_from_id(STANDARD_EXAMPLE) == dt.date(1949, 12, 31)


@pytest.mark.parametrize(
    ("person_id", "problem"),
    [
        ("110105194912310021", "校验码错误（应为 X）"),
        ("11010519491231002", "不是 18 位"),
        ("1101051949123100AX", "前 17 位不全是数字"),
        ("110105194902300025", "出生日期不是有效日期"),
    ],
)
def test_bad_ids_say_why(person_id: str, problem: str) -> None:
    assert problem in (id_problem(person_id) or "")


def test_vectorised_check_agrees_with_the_scalar_one() -> None:
    ids = [STANDARD_EXAMPLE, "110105194912310021", "440103195110150018"]
    raw = np.frombuffer("".join(ids).encode(), dtype=np.uint8).reshape(-1, 18)
    expected = [id_problem(i) is None for i in ids]
    assert check_characters_valid(raw).tolist() == expected


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        ("1952-02-29", "2022-02-27", 69),
        ("1952-02-29", "2022-02-28", 70),  # common year: the anniversary is 28 February
        ("1952-02-29", "2024-02-28", 71),  # leap year: not yet
        ("1952-02-29", "2024-02-29", 72),
        ("1951-10-25", "2021-10-24", 69),
        ("1951-10-25", "2021-10-25", 70),
    ],
)
def test_age_on_a_day(birth: str, day: str, age: int) -> None:
    assert age_on(dt.date.fromisoformat(birth), dt.date.fromisoformat(day)) == age


def test_age_at_month_end_counts_from_the_birth_month() -> None:
    births = months_of_days(
        np.array([day_number(dt.date(1952, 2, 29)), day_number(dt.date(1921, 10, 31))])
    )
    months = np.array([month_number(2022, 1), month_number(2022, 2), month_number(2021, 10)])
    assert age_at_month_end(births[:, None], months[None, :]).tolist() == [
        [69, 70, 69],
        [100, 100, 100],
    ]


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(month_number(1900, 1), month_number(2040, 12)),
)
def test_age_at_month_end_is_the_age_on_the_month_s_last_day(birth: dt.date, month: int) -> None:
    last_day = day_of(run_date(month, 31))
    births = months_of_days(np.array([day_number(birth)], dtype=np.int32))
    reached = age_at_month_end(births, np.array([month], dtype=np.int32))
    assert reached.tolist() == [age_on(birth, last_day)]


@pytest.mark.parametrize(
    ("month", "run_day", "expected"),
    [("2022-02", 31, "2022-02-28"), ("2024-02", 30, "2024-02-29"), ("2022-03", 20, "2022-03-20")],
)
def test_a_run_day_past_the_month_end_is_the_last_day(
    month: str, run_day: int, expected: str
) -> None:
    assert day_of(run_date(parse_month(month), run_day)) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize("text", ["2022-13", "2022-1", "22-01", "2022/01", ""])
def test_months_are_yyyy_mm(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)
    assert month_text(parse_month("2021-09")) == "2021-09"
