"""Readings as sent (:class:`IntervalRows`): the days they cover."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gzvpp.core.grid import INTERVALS_PER_DAY
from gzvpp.core.timeseries import IntervalRows


@given(st.sets(st.tuples(st.integers(0, 4), st.integers(0, 40 * INTERVALS_PER_DAY)), max_size=300))
def test_days_are_the_distinct_days_of_every_reading(pairs: set[tuple[int, int]]) -> None:
    codes = np.array([c for c, _ in pairs], dtype=np.int64)
    slots = np.array([s for _, s in pairs], dtype=np.int64)
    rows = IntervalRows.of(tuple("abcde"), codes, slots, np.zeros(len(pairs)))
    days = rows.days()
    assert days.dtype == np.int64
    assert days.tolist() == sorted({s // INTERVALS_PER_DAY for _, s in pairs})
