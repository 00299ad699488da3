"""R6 表 1 score bands and the monthly non-execution sanction."""

from __future__ import annotations

import numpy as np
import pytest
from builders import single_user_case

from gzvpp.core.model import Mode
from gzvpp.core.scoring import is_suspended, month_non_executions, response_score


@pytest.mark.parametrize(
    ("ratio", "score"),
    [
        (-0.5, 0.0),  # negative response
        (0.0, 0.0),
        (0.499999, 0.0),  # < 0.5 → 0
        (0.5, 0.5),  # [0.5, 0.75) → 0.5
        (0.749999, 0.5),
        (0.75, 0.8),  # [0.75, 0.9) → 0.8
        (0.8, 0.8),
        (0.899999, 0.8),
        (0.9, 1.0),  # [0.9, 1.2) → 1
        (1.0, 1.0),
        (1.199999, 1.0),
        (1.2, 0.8),  # ≥ 1.2 → 0.8
        (1.3, 0.8),
        (5.0, 0.8),
    ],
)
def test_score_bands_of_table_1(ratio: float, score: float) -> None:
    assert response_score(np.array([ratio])).tolist() == [score]


def test_score_of_no_result_stays_nan() -> None:
    assert np.isnan(response_score(np.array([np.nan]))[0])


@pytest.mark.parametrize(
    ("actual", "score"),
    [
        (500.0, 0.5),  # response 500, ratio 500 / 1000 = 0.5
        (500.001, 0.0),  # 499.999 / 1000 = 0.499999
        (250.0, 0.8),  # 750 / 1000 = 0.75
        (250.001, 0.5),  # 749.999 / 1000 = 0.749999
        (100.0, 1.0),  # 900 / 1000 = 0.9
        (100.001, 0.8),  # 899.999 / 1000 = 0.899999
    ],
)
def test_score_from_an_invited_response(actual: float, score: float) -> None:
    result = single_user_case(1000.0, actual, 1000)
    assert result.score.tolist() == [score]


@pytest.mark.parametrize(
    ("actual", "awarded", "score"),
    [
        (400.0, 500, 0.8),  # 600 / 500 = 1.2
        (400.0005, 500, 1.0),  # actual 400.0005 → 400.001; 599.999 / 500 = 1.199998
    ],
)
def test_score_at_the_1_2_edge(actual: float, awarded: int, score: float) -> None:
    assert single_user_case(1000.0, actual, awarded).score.tolist() == [score]


def test_realtime_response_has_no_score() -> None:
    result = single_user_case(1000.0, 100.0, 1000, mode=Mode.REALTIME)
    assert result.response_ratio.tolist() == [0.9]  # flat real-time baseline 1000; 900 / 1000
    assert np.isnan(result.score[0])


def month(year: int, number: int) -> int:
    return year * 12 + number - 1


def test_three_non_executions_in_a_month_suspend_and_a_new_month_resets() -> None:
    ids = ["p", "p", "p", "q", "p", "p", "p"]
    months = np.array(
        [
            month(2024, 12),
            month(2024, 12),
            month(2024, 12),
            month(2024, 12),
            month(2024, 12),
            month(2025, 1),  # new month (and a new year): the count restarts
            month(2025, 1),
        ]
    )
    failed = np.array([True, False, True, True, True, True, False])
    counts = month_non_executions(ids, months, failed)
    # p: 1, still 1, 2; q: 1 (its own count); p: 3rd in December; January: 1, still 1
    assert counts.tolist() == [1, 1, 2, 1, 3, 1, 1]
    assert is_suspended(counts).tolist() == [False, False, False, False, True, False, False]


def test_same_month_of_another_year_is_another_month() -> None:
    counts = month_non_executions(
        ["p"] * 3,
        np.array([month(2024, 3), month(2024, 3), month(2025, 3)]),
        np.ones(3, dtype=bool),
    )
    assert counts.tolist() == [1, 2, 1]
    assert not is_suspended(counts).any()


def test_two_non_executions_do_not_suspend() -> None:
    assert is_suspended(np.array([0, 1, 2, 3, 4])).tolist() == [False, False, False, True, True]
