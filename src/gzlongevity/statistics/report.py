"""The monthly report to the city as xlsx: the month's totals and one row per district."""

from __future__ import annotations

import io

import xlsxwriter

from gzlongevity.statistics.schemas import MonthFigures

TOTALS = (
    ("享受人数", "beneficiaries"),
    ("发放总额（元）", "amount_cny"),
    ("市级承担（元）", "city_share_cny"),
    ("区级承担（元）", "district_share_cny"),
    ("其中区标准高出部分（元）", "district_extra_cny"),
    ("百岁老人慰问金人数", "centenarian_count"),
    ("百岁老人慰问金（元）", "centenarian_cny"),
    ("补发（元）", "arrears_cny"),
    ("本月发现多领（元）", "overpaid_cny"),
    ("截至月末累计应追回（元）", "owed_cny"),
    ("截至月末累计已追回（元）", "recovered_cny"),
)
DISTRICT_COLUMNS = (
    ("区划代码", "district"),
    ("区", "name"),
    ("享受人数", "beneficiaries"),
    ("发放总额（元）", "amount_cny"),
    ("市级承担（元）", "city_share_cny"),
    ("区级承担（元）", "district_share_cny"),
    ("区标准高出部分（元）", "district_extra_cny"),
    ("百岁老人慰问金（元）", "centenarian_cny"),
    ("补发（元）", "arrears_cny"),
)
TIER_NAMES = {"70": "70–79 岁", "80": "80–89 岁", "90": "90–99 岁", "100": "100 岁以上"}


def monthly_report(figures: MonthFigures) -> bytes:
    """The workbook: sheet 汇总 (totals, by tier) and sheet 分区 (by district)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    sheet = book.add_worksheet("汇总")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 18)
    sheet.write(
        0,
        0,
        f"广州市长者长寿保健金 {figures.month} 发放统计"
        f"（{'全部审批完成' if figures.status == 'approved' else '审批中'}）",
        bold,
    )
    row = 2
    for label, key in TOTALS:
        value = getattr(figures, key)
        sheet.write(row, 0, label)
        sheet.write_number(row, 1, float(value), money if "cny" in key else None)
        row += 1
    sheet.write(row, 0, "截至月末追回率")
    sheet.write(row, 1, "—" if figures.recovery_rate is None else f"{figures.recovery_rate:.2%}")
    row += 2
    sheet.write(row, 0, "按档次（人数）", bold)
    for tier, count in figures.by_tier.items():
        row += 1
        sheet.write(row, 0, TIER_NAMES.get(tier, tier))
        sheet.write_number(row, 1, count)
    districts = book.add_worksheet("分区")
    districts.set_column(0, len(DISTRICT_COLUMNS), 16)
    for c, (label, _) in enumerate(DISTRICT_COLUMNS):
        districts.write(0, c, label, bold)
    for r, item in enumerate(figures.districts, start=1):
        for c, (_, key) in enumerate(DISTRICT_COLUMNS):
            value = getattr(item, key)
            if isinstance(value, str):
                districts.write_string(r, c, value)
            else:
                districts.write_number(r, c, float(value), money if "cny" in key else None)
    book.close()
    return out.getvalue()
