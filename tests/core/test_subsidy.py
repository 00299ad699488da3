"""R7 subsidy: effective energy × price × coefficient, in decimals, half-up to the fen."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from builders import single_user_case

from gzvpp.core.model import Direction, Mode
from gzvpp.core.subsidy import (
    PriceError,
    effective_energy_kwh,
    response_energy_kwh,
    subsidy_cny,
    subsidy_price,
)

D = Decimal


def test_half_a_fen_rounds_up() -> None:
    # 0.333 kWh × 1.5 CNY/kWh × 1 = 0.4995 → 0.50
    assert subsidy_cny(D("0.333"), D("1.5"), D(1)) == D("0.50")
    # 0.111 kWh × 1.5 × 3 = 0.4995 → 0.50
    assert subsidy_cny(D("0.111"), D("1.5"), D(3)) == D("0.50")
    # 0.331 kWh × 1.5 × 1 = 0.4965 → 0.50; 0.329 × 1.5 = 0.4935 → 0.49
    assert subsidy_cny(D("0.331"), D("1.5"), D(1)) == D("0.50")
    assert subsidy_cny(D("0.329"), D("1.5"), D(1)) == D("0.49")


def test_half_a_fen_end_to_end() -> None:
    result = single_user_case(10.0, 9.334, "0.6", n_intervals=2, price="1.5")
    # W = 14:00–14:30, 0.5 h. response 10 − 9.334 = 0.666 kW; ratio 0.666 / 0.6 = 1.11 → effective
    # energy min(0.666, 1.2 × 0.6 = 0.72) × 0.5 h = 0.333 kWh; 0.333 × 1.5 × 1 = 0.4995 → 0.50
    assert result.response_ratio.tolist() == [1.11]
    assert result.effective_energy_kwh[0] == pytest.approx(0.333, abs=1e-12)
    assert result.subsidy_cny == (D("0.50"),)


@pytest.mark.parametrize(
    ("mode", "coefficient", "subsidy"),
    [
        (Mode.DAY_AHEAD, D(1), D("4800.00")),  # 1600 kWh × 3 × 1
        (Mode.HOURS_AHEAD, D("1.5"), D("7200.00")),  # 1600 × 3 × 1.5
        (Mode.REALTIME, D(3), D("14400.00")),  # 1600 × 3 × 3
    ],
)
def test_response_coefficient_by_mode(mode: Mode, coefficient: Decimal, subsidy: Decimal) -> None:
    # baseline 1000 (for real time: the flat level before W, also 1000), actual 200, award 800:
    # response 800 kW, ratio 1.0, 2 h → 1600 kWh
    result = single_user_case(1000.0, 200.0, 800, mode=mode)
    assert result.effective_energy_kwh.tolist() == [1600.0]
    assert result.coefficient == coefficient
    assert result.price == (D("3"),)
    assert result.subsidy_cny == (subsidy,)


def test_bid_price_wins_over_event_price() -> None:
    result = single_user_case(1000.0, 200.0, 800, price="3", bid_price="2.5")
    assert result.price == (D("2.5"),)
    assert result.subsidy_cny == (D("4000.00"),)  # 1600 kWh × 2.5 × 1


def test_price_functions_and_caps() -> None:
    assert subsidy_price(D("2.5"), D("3"), Direction.PEAK) == D("2.5")
    assert subsidy_price(None, D("3"), Direction.PEAK) == D("3")
    assert subsidy_price(None, D("5"), Direction.PEAK) == D("5")  # at the cap
    assert subsidy_price(D("2"), None, Direction.VALLEY) == D("2")  # at the cap
    with pytest.raises(PriceError):
        subsidy_price(None, D("5.01"), Direction.PEAK)
    with pytest.raises(PriceError):
        subsidy_price(D("2.01"), D("1"), Direction.VALLEY)
    with pytest.raises(PriceError):
        subsidy_price(D("5.5"), D("1"), Direction.PEAK)  # a bid above the cap
    with pytest.raises(PriceError):
        subsidy_price(None, None, Direction.PEAK)


def test_price_above_cap_raises_in_assessment() -> None:
    with pytest.raises(PriceError):
        single_user_case(1000.0, 200.0, 800, price="5.01")
    with pytest.raises(PriceError):
        single_user_case(1000.0, 1800.0, 800, direction=Direction.VALLEY, price="2.01")
    with pytest.raises(PriceError):
        single_user_case(1000.0, 200.0, 800, price="3", bid_price="5.01")


def test_valley_at_its_cap_is_paid() -> None:
    result = single_user_case(1000.0, 1800.0, 800, direction=Direction.VALLEY, price="2")
    # response 800, ratio 1.0, 1600 kWh × 2 × 1 = 3200.00
    assert result.subsidy_cny == (D("3200.00"),)


def test_not_effective_is_paid_nothing() -> None:
    result = single_user_case(1000.0, 300.0, 1000)  # 700 / 1000 = 0.7
    assert not result.effective[0]
    assert result.response_energy_kwh[0] == 1400.0  # 700 × 2 h, reported but not paid
    assert result.effective_energy_kwh[0] == 0.0
    assert result.subsidy_cny == (D("0.00"),)


def test_energy_functions() -> None:
    response = np.array([650.0, 600.0, 500.0, 0.6665])
    awarded = np.array([500.0, 500.0, 500.0, 1.0])
    effective = np.array([True, True, False, True])
    # 650 × 0.25 = 162.5; 600 × 0.25 = 150; 500 × 0.25 = 125; 0.6665 × 0.25 = 0.166625 → 0.167
    np.testing.assert_array_equal(response_energy_kwh(response, 0.25), [162.5, 150.0, 125.0, 0.167])
    # min(650, 600) × 0.25 = 150; 150; not effective 0; min(0.6665, 1.2) × 0.25 → 0.167
    np.testing.assert_array_equal(
        effective_energy_kwh(response, awarded, effective, 0.25), [150.0, 150.0, 0.0, 0.167]
    )


def test_cap_with_a_fractional_award() -> None:
    result = single_user_case(1000.0, 0.0, "333.3")
    # response 1000; 1000 / 333.3 = 3.000300… → effective; cap 1.2 × 333.3 = 399.96 kW
    # energy 399.96 × 2 h = 799.92 kWh; × 3 CNY/kWh = 2399.76
    assert result.effective_energy_kwh[0] == pytest.approx(799.92, abs=1e-9)
    assert result.subsidy_cny == (D("2399.76"),)
