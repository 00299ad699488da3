"""Standards: the city's monthly tiers, the 100+ payment and district standards (L2, L3).

Money is integer fen (分). :func:`yuan` turns fen into Decimal CNY at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import numpy as np
import numpy.typing as npt

from gzlongevity.core.calendar import IntArray

TIERS: Final = (70, 80, 90, 100)
"""The age bands of 第四条: 70–79, 80–89, 90–99, 100 and over."""
CITY_MONTHLY_FEN: Final = np.array([3_000, 10_000, 20_000, 30_000], dtype=np.int64)
"""第四条: 30, 100, 200 and 300 CNY a month for the four tiers, in fen."""
CENTENARIAN_FEN: Final = 100_000
"""第四条 second paragraph: 1,000 CNY once a year to each person aged 100 and over (L3)."""
CENTENARIAN_MONTH: Final = 9
"""October (month index 9): 敬老月, when the 100+ payment is made **[reading, L3 default]**."""

GUANGZHOU_DISTRICTS: Final = {
    "440103": "荔湾区",
    "440104": "越秀区",
    "440105": "海珠区",
    "440106": "天河区",
    "440111": "白云区",
    "440112": "黄埔区",
    "440113": "番禺区",
    "440114": "花都区",
    "440115": "南沙区",
    "440117": "从化区",
    "440118": "增城区",
}
"""Guangzhou's 11 districts by 6-digit division code (GB/T 2260): the places that pay."""
MILITARY: Final = "military"
"""The payer of the retired military cadres managed by the army (第二十五条): their own channel."""
PAYERS: Final = {**GUANGZHOU_DISTRICTS, MILITARY: "退役军人事务部门"}
"""Who pays a run's lines and approves its own list (第十三条, 第二十五条): each district for
the people registered there, the military channel for its cadres, wherever registered."""


def tier_index(ages: IntArray) -> IntArray:
    """Index into :data:`TIERS` of each age (L2, 第四条, 第十五条); ages under 70 give 0.

    The tier rises in the month of the 80th, 90th and 100th birthday, automatically.
    """
    return np.clip((ages - 70) // 10, 0, 3).astype(np.int32)


def yuan(fen: int) -> Decimal:
    """Fen as Decimal CNY with two decimals."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fen_of(amount: Decimal) -> int:
    """Decimal CNY as whole fen, half-up to the fen."""
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class DistrictStandard:
    """One district's monthly standard for one tier from a month on (L2, 第五条).

    Parameters
    ----------
    district : str
        6-digit division code.
    tier : int
        70, 80, 90 or 100.
    monthly_fen : int
        The district's monthly standard in fen, at least the city's for the tier.
    from_month : int
        Month number from which it applies, until a later row for the same district and tier.
    """

    district: str
    tier: int
    monthly_fen: int
    from_month: int


@dataclass(frozen=True)
class StandardTable:
    """Monthly amounts by place, tier and month as dense arrays, for vectorised look-up.

    ``extra_fen[d, t, c]`` is district ``d``'s extra over the city standard for tier ``t`` in
    month ``first_month + c`` (第五条: the excess is paid from the district's budget).
    """

    first_month: int
    districts: tuple[str, ...]
    extra_fen: npt.NDArray[np.int64]

    @classmethod
    def build(
        cls,
        standards: list[DistrictStandard],
        districts: tuple[str, ...],
        first_month: int,
        last_month: int,
    ) -> StandardTable:
        """Lay ``standards`` out for ``districts`` over ``first_month..last_month``.

        Each (district, tier) takes the row with the latest ``from_month`` at or before each
        month; with no such row the city standard applies and the extra is 0.
        """
        columns = last_month - first_month + 1
        extra = np.zeros((len(districts), len(TIERS), max(columns, 0)), dtype=np.int64)
        where = {code: index for index, code in enumerate(districts)}
        for standard in sorted(standards, key=lambda row: row.from_month):
            if standard.district not in where:
                continue
            tier = TIERS.index(standard.tier)
            start = max(standard.from_month - first_month, 0)
            extra[where[standard.district], tier, start:] = (
                standard.monthly_fen - CITY_MONTHLY_FEN[tier]
            )
        return cls(first_month, districts, extra)

    def extra(
        self, district_index: IntArray, tiers: IntArray, months: IntArray
    ) -> npt.NDArray[np.int64]:
        """District extra in fen for each (district index, tier index, month number)."""
        return self.extra_fen[district_index, tiers, months - self.first_month]
