"""standards.csv ``district,tier,monthly_cny,from_month``: district standards above the city's."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from gzkit.inputs import InputError
from gzlongevity.core.calendar import parse_month
from gzlongevity.core.standards import (
    CITY_MONTHLY_FEN,
    GUANGZHOU_DISTRICTS,
    TIERS,
    DistrictStandard,
    fen_of,
    yuan,
)
from gzlongevity.files.table import LINE, read_table

COLUMNS = ("district", "tier", "monthly_cny", "from_month")


def read_standards(path: Path) -> list[DistrictStandard]:
    """Read district standards (L2, 第五条: a higher district standard is kept, the excess
    district-funded).

    Raises
    ------
    InputError
        At a line with a district that is not one of Guangzhou's, a tier other than 70, 80, 90
        or 100, an amount that is not CNY to the fen or is below the city standard, a month not
        written ``YYYY-MM``, or a repeat of an earlier line's district, tier and month.
    """
    seen: dict[tuple[str, int, int], int] = {}
    standards = []
    for row in read_table(path, COLUMNS).iter_rows(named=True):
        line = int(row[LINE])
        district = str(row["district"]).strip()
        if district not in GUANGZHOU_DISTRICTS:
            raise InputError(path, f"{district!r} 不是广州市的区划代码", line, column="district")
        tier_text = str(row["tier"]).strip()
        if tier_text not in {str(tier) for tier in TIERS}:
            raise InputError(path, f"{tier_text!r} 应为 70、80、90 或 100", line, column="tier")
        tier = int(tier_text)
        try:
            amount = Decimal(str(row["monthly_cny"]).strip())
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise InputError(
                path, f"{row['monthly_cny']!r} 不是精确到分的金额", line, column="monthly_cny"
            )
        city = int(CITY_MONTHLY_FEN[TIERS.index(tier)])
        if fen_of(amount) < city:
            raise InputError(
                path, f"{amount} 低于市标准 {yuan(city)}（{tier} 档）", line, column="monthly_cny"
            )
        try:
            month = parse_month(str(row["from_month"]))
        except ValueError as err:
            raise InputError(path, str(err), line, column="from_month") from None
        key = (district, tier, month)
        if key in seen:
            raise InputError(path, f"与第 {seen[key]} 行的区、档次和起始月重复", line)
        seen[key] = line
        standards.append(DistrictStandard(district, tier, fen_of(amount), month))
    return standards
