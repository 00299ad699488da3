"""R3 day types: the State Council schedule from the library, overlaid by the operator's file."""

from __future__ import annotations

import pytest
from builders import d

from gzvpp.core.calendar import Calendar, CalendarError, DayInfo, DayType

WORKDAY = DayInfo(DayType.WORKDAY)
RESTDAY = DayInfo(DayType.RESTDAY)


def test_ordinary_weekday_is_workday() -> None:
    assert Calendar().day_info(d("2024-07-17")) == WORKDAY  # a Wednesday in July


def test_adjusted_working_sunday_is_workday() -> None:
    # 2025 National Day: 1–8 Oct off; Sunday 28 Sep and Saturday 11 Oct are worked (调休补班).
    assert d("2025-09-28").isoweekday() == 7
    assert Calendar().day_info(d("2025-09-28")) == WORKDAY
    assert Calendar().day_info(d("2025-10-11")) == WORKDAY


def test_ordinary_weekend_is_restday() -> None:
    assert Calendar().day_info(d("2024-07-13")) == RESTDAY  # Saturday
    assert Calendar().day_info(d("2024-07-14")) == RESTDAY  # Sunday


def test_weekend_inside_national_day_is_holiday() -> None:
    # 2024 National Day: 1–7 Oct; the 5th is a Saturday inside the period.
    assert d("2024-10-05").isoweekday() == 6
    assert Calendar().day_info(d("2024-10-05")) == DayInfo(DayType.HOLIDAY, "National Day")


def test_mid_autumn_inside_national_day_keeps_its_name() -> None:
    # 2025: Mid-autumn (6 Oct) falls inside the National Day period 1–8 Oct.
    cal = Calendar()
    assert cal.day_info(d("2025-10-06")) == DayInfo(DayType.HOLIDAY, "Mid-autumn Festival")
    assert cal.day_info(d("2025-10-05")) == DayInfo(DayType.HOLIDAY, "National Day")
    assert cal.day_info(d("2025-10-07")) == DayInfo(DayType.HOLIDAY, "National Day")


def test_new_year_period_crosses_the_year_end() -> None:
    cal = Calendar()
    for text in ("2023-12-30", "2023-12-31", "2024-01-01"):
        assert cal.day_info(d(text)) == DayInfo(DayType.HOLIDAY, "New Year's Day")
    assert cal.day_info(d("2024-01-02")) == WORKDAY


def test_operator_schedule_row_wins_over_library() -> None:
    cal = Calendar({d("2025-09-28"): RESTDAY, d("2024-07-17"): DayInfo(DayType.HOLIDAY, "Typhoon")})
    assert cal.day_info(d("2025-09-28")) == RESTDAY
    assert cal.day_info(d("2024-07-17")) == DayInfo(DayType.HOLIDAY, "Typhoon")
    # Days without a row still come from the library.
    assert cal.day_info(d("2025-10-11")) == WORKDAY
    assert cal.day_info(d("2024-10-05")) == DayInfo(DayType.HOLIDAY, "National Day")


def test_year_without_any_schedule_raises_naming_the_date() -> None:
    with pytest.raises(CalendarError, match="2027-03-08"):
        Calendar().day_info(d("2027-03-08"))


def test_scheduled_year_follows_the_week_for_unlisted_days() -> None:
    schedule = {
        d("2027-01-01"): DayInfo(DayType.HOLIDAY, "New Year's Day"),
        d("2027-02-20"): WORKDAY,  # a Saturday worked
    }
    cal = Calendar(schedule)
    assert cal.day_info(d("2027-01-01")) == DayInfo(DayType.HOLIDAY, "New Year's Day")
    assert cal.day_info(d("2027-02-20")) == WORKDAY
    assert d("2027-03-06").isoweekday() == 6
    assert cal.day_info(d("2027-03-06")) == RESTDAY
    assert d("2027-03-08").isoweekday() == 1
    assert cal.day_info(d("2027-03-08")) == WORKDAY
    # A schedule for 2027 says nothing about 2028.
    with pytest.raises(CalendarError, match="2028-03-06"):
        cal.day_info(d("2028-03-06"))
