"""The trustee's yearly fee (C8; 第二十四条)."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from gzcreditpool.core.money import cny, half_up

BASE_FEE_FEN: Final = cny(2_000_000)
PERFORMANCE_CAP_FEN: Final = cny(5_000_000)
PERFORMANCE_RATE: Final = (6, 10_000)  # 万分之六


def trustee_fee(lent_fen: int) -> int:
    """The fee for a year in fen: 2,000,000 + min(5,000,000, 0.06 % × the year's lending).

    C8, 第二十四条: 基本管理费 200 万元 a year plus 绩效管理费 at 万分之六 of 科技信贷当年实际放贷额
    (the registered loans disbursed that year), at most 500 万元, for all trustees together;
    rounded half-up to the fen.
    """
    rate, per = PERFORMANCE_RATE
    return BASE_FEE_FEN + min(PERFORMANCE_CAP_FEN, half_up(lent_fen * rate, per))


def yearly_fees(
    disbursed_on: npt.NDArray[np.datetime64],
    amount_fen: npt.NDArray[np.int64],
    registered: npt.NDArray[np.bool_],
) -> dict[int, int]:
    """:func:`trustee_fee` for each year with registered loans, in ascending year."""
    year = disbursed_on[registered].astype("datetime64[Y]").astype(np.int64) + 1970
    years, inverse = np.unique(year, return_inverse=True)
    lent = np.zeros(years.size, dtype=np.int64)
    np.add.at(lent, inverse, amount_fen[registered])
    return {int(y): trustee_fee(int(s)) for y, s in zip(years, lent, strict=True)}
