"""Subsidy (补贴计算, 第九条 (三), 表 2) — R7.

补贴费用 = 有效响应电量 × 补贴标准 × 响应系数, in decimal arithmetic, rounded half-up to the fen.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from gzvpp.core.evaluation import CAP_RATIO
from gzvpp.core.invitation import price_cap
from gzvpp.core.model import Direction, Mode
from gzvpp.core.rounding import FEN, quantize_half_up, round_half_up
from gzvpp.core.timeseries import BoolArray, FloatArray

ENERGY_DECIMALS = 3
# 表 2 响应系数: 提前 1 天 1, >4 小时 1.5, 实时 3.
RESPONSE_COEFFICIENT = {
    Mode.DAY_AHEAD: Decimal(1),
    Mode.HOURS_AHEAD: Decimal("1.5"),
    Mode.REALTIME: Decimal(3),
}


class PriceError(ValueError):
    """A subsidy price that is missing, negative or above the cap of 表 2."""


def response_energy_kwh(response: FloatArray, hours: float) -> FloatArray:
    """Response energy (响应电量), kWh: response kW × window hours, rounded to 0.001 kWh."""
    return round_half_up(response * hours, ENERGY_DECIMALS)


def effective_energy_kwh(
    response: FloatArray, awarded_kw: FloatArray, effective: BoolArray, hours: float
) -> FloatArray:
    """Effective energy (有效响应电量), kWh (R7).

    min(response, 1.2 × awarded) × hours when the response is effective, else 0; rounded half-up
    to 0.001 kWh.
    """
    capped = np.minimum(response, round_half_up(CAP_RATIO * awarded_kw, 3))
    return round_half_up(np.where(effective, capped * hours, 0.0), ENERGY_DECIMALS)


def subsidy_price(
    award_price: Decimal | None, event_price: Decimal | None, direction: Direction
) -> Decimal:
    """The price that pays a response, CNY/kWh (R7).

    The bid price in bidding mode, else the event's fixed price; neither may exceed the cap
    (peak 5, valley 2 CNY/kWh, 表 2).

    Raises
    ------
    PriceError
        If there is no price, or it is negative or above the cap.
    """
    price = award_price if award_price is not None else event_price
    if price is None:
        raise PriceError(
            "无补贴价格：中标未申报价格，事件也无固定价格 / "
            "no price: the award has no bid price and the event no fixed price"
        )
    cap = price_cap(direction)
    if price < 0 or price > cap:
        raise PriceError(
            f"价格 {price} 元/kWh 超出{direction.chinese}响应的 0–{cap} 元/kWh（表 2） / "
            f"price {price} CNY/kWh is outside 0–{cap} for {direction.value} responses (表 2)"
        )
    return price


def subsidy_cny(effective_energy: Decimal, price: Decimal, coefficient: Decimal) -> Decimal:
    """补贴费用 = 有效响应电量 × 补贴标准 × 响应系数, CNY rounded half-up to the fen."""
    return quantize_half_up(effective_energy * price * coefficient, FEN)


def expected_subsidy_cny(kw: Decimal, hours: Decimal, price: Decimal, mode: Mode) -> Decimal:
    """The subsidy a bid would earn if awarded in full and met exactly (R7), CNY.

    The effective energy is then ``kw`` × ``hours`` (to 0.001 kWh, as :func:`effective_energy_kwh`
    rounds it), paid at ``price`` × 表 2's coefficient of ``mode`` by :func:`subsidy_cny`. A
    response above the award earns up to 1.2 × this; a partial award or a response below half
    the award (not effective, R5) less.

    Parameters
    ----------
    kw : Decimal
        The bid's kW for the whole window.
    hours : Decimal
        The window's length.
    price : Decimal
        What pays the response: :func:`subsidy_price` of the bid and the event.
    mode : Mode
        The event's mode, for the response coefficient.
    """
    energy = quantize_half_up(kw * hours, Decimal(1).scaleb(-ENERGY_DECIMALS))
    return subsidy_cny(energy, price, RESPONSE_COEFFICIENT[mode])
