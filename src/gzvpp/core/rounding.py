"""Half-up rounding (四舍五入) of kW, kWh, ratios and money (R6, R7).

Floating-point sums carry noise in the last bits (1000.1 + 1000.3 is not exactly 2000.4), so a
value is first settled to 12 significant digits — far above the noise (about 16 digits down) and
far below any meter's precision — and only then rounded half-up. A value that is a half in
decimal (0.0005 at 3 places) therefore rounds away from zero, and one just below a half
(0.79999949995 at 6 places) rounds down, as by hand.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

FEN = Decimal("0.01")
SIGNIFICANT_DIGITS = 12  # where float noise is settled before rounding


def round_half_up(values: npt.ArrayLike, decimals: int) -> npt.NDArray[np.float64]:
    """Round half away from zero to ``decimals`` places, elementwise.

    Parameters
    ----------
    values : array_like of float
        NaN passes through.
    decimals : int
        Places after the point, e.g. 3 for kW (0.001 kW) and 6 for the response ratio (R6).

    Returns
    -------
    ndarray of float64
        The nearest floats to the rounded decimal values.
    """
    x = np.asarray(values, dtype=np.float64)
    scale = 10.0**decimals
    scaled = np.abs(x) * scale
    with np.errstate(invalid="ignore", divide="ignore"):
        digits = np.floor(np.log10(np.maximum(scaled, 1.0))) + 1
    settle = 10.0 ** (SIGNIFICANT_DIGITS - digits)
    settled = np.round(scaled * settle) / settle
    result: npt.NDArray[np.float64] = np.sign(x) * np.floor(settled + 0.5) / scale
    return result


def to_decimal(value: float, decimals: int) -> Decimal:
    """The exact decimal of a value already rounded to ``decimals`` places."""
    return Decimal(f"{value:.{decimals}f}")


def quantize_half_up(value: Decimal, step: Decimal) -> Decimal:
    """Round a Decimal half-up to ``step`` (``FEN`` for money, R7)."""
    return value.quantize(step, rounding=ROUND_HALF_UP)
