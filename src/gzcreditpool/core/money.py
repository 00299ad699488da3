"""Money in integer fen (分): exact sums, half-up division, CNY text.

Every amount the pool handles is a whole number of fen; a rule that takes a share (50 %, a
bank's part of 2 亿, 万分之六) divides exactly and rounds half-up (四舍五入) to the fen once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import numpy as np
import numpy.typing as npt

FEN_PER_CNY: Final = 100
INT64_SAFE: Final = 1 << 62  # products below this cannot overflow int64


def cny(amount: int) -> int:
    """Fen in ``amount`` whole CNY (``cny(30_000_000)`` is the enterprise cap in fen)."""
    return amount * FEN_PER_CNY


def half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up to a whole fen (``denominator`` > 0).

    A negative quotient rounds toward +∞ at the half, which only matters for caps already
    exhausted (what is left is then 0 or less either way).
    """
    return (2 * numerator + denominator) // (2 * denominator)


def half_up_array(
    numerator: npt.NDArray[np.int64] | npt.NDArray[np.object_],
    denominator: npt.NDArray[np.int64] | npt.NDArray[np.object_] | int,
) -> npt.NDArray[np.int64]:
    """Elementwise :func:`half_up` of non-negative numerators over positive denominators."""
    quotient = (2 * numerator + denominator) // (2 * np.asarray(denominator))
    return np.asarray(quotient, dtype=np.int64)


def product_dtype(
    left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> type[np.int64] | type[object]:
    """``int64`` when every ``left × right × 2`` fits, else Python integers (``object``)."""
    if left.size == 0 or right.size == 0:
        return np.int64
    bound = int(np.abs(left).max()) * int(np.abs(right).max()) * 2
    return np.int64 if bound < INT64_SAFE else object


def fen_to_decimal(fen: int) -> Decimal:
    """The amount as CNY with two places (``12345`` → ``Decimal('123.45')``)."""
    return Decimal(fen).scaleb(-2).quantize(Decimal("0.01"))
