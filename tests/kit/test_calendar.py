"""The shared calendar: day types (VPP R3) and working-day counts (credit pool C4, C7)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gzkit.calendar import (
    Calendar,
    CalendarError,
    DayInfo,
    DayType,
    UncoveredDayError,
    nth_workday_after,
)

WORKDAY = DayInfo(DayType.WORKDAY)
RESTDAY = DayInfo(DayType.RESTDAY)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def after(day: str, n: int, calendar: Calendar | None = None) -> str:
    return str(nth_workday_after(calendar or Calendar(), [d(day)], n)[0])


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


@pytest.mark.parametrize(
    ("start", "seventh"),
    [
        # 2024 Spring Festival: 10–17 Feb off; Sunday 4 Feb and Sunday 18 Feb worked.
        ("2024-02-01", "2024-02-09"),  # Thursday: 2, 4 (Sun, worked), 5, 6, 7, 8, 9
        ("2024-02-02", "2024-02-18"),  # Friday: …, 9, then the worked Sunday after the festival
        ("2024-02-08", "2024-02-23"),
        ("2024-02-10", "2024-02-26"),  # from inside the festival: 18, 19, 20, 21, 22, 23, 26
        # 2024 National Day: 1–7 Oct off; Sunday 29 Sep and Saturday 12 Oct worked.
        ("2024-09-27", "2024-10-12"),  # 29 (Sun), 30, 8, 9, 10, 11, 12 (Sat)
        ("2024-09-30", "2024-10-15"),
        ("2024-10-07", "2024-10-15"),
        ("2023-12-29", "2024-01-10"),  # across New Year's Day and the year end
    ],
)
def test_seventh_working_day_after(start: str, seventh: str) -> None:
    assert after(start, 7) == seventh


def test_a_count_from_a_holiday_is_not_shifted() -> None:
    # From Tuesday 1 October 2024 the working days are 8, 9, 10, 11, 12 (Sat), 14, 15 October.
    assert after("2024-10-01", 7) == "2024-10-15"
    # chinese-calendar's find_workday first moves the start to 8 October, one day too far.
    assert chinese_calendar.find_workday(7, d("2024-10-01")) == d("2024-10-16")


def test_thirty_working_days_across_national_day() -> None:
    # From Friday 20 Sep 2024: 23–27, 29, 30 Sep (7); 8–12 (12), 14–18 (17), 21–25 (22),
    # 28–31 Oct (26), 1 Nov (27), 4, 5, 6 Nov (30).
    assert after("2024-09-20", 30) == "2024-11-06"


def test_vectorised_keeps_shape_and_order() -> None:
    days = np.array([["2024-10-01", "2024-02-02"], ["2024-07-17", "2024-07-19"]], "datetime64[D]")
    result = nth_workday_after(Calendar(), days, 1)
    expected = np.array(
        [["2024-10-08", "2024-02-04"], ["2024-07-18", "2024-07-22"]], "datetime64[D]"
    )
    assert result.shape == (2, 2)
    assert (result == expected).all()
    assert nth_workday_after(Calendar(), np.array([], "datetime64[D]"), 7).size == 0


def test_schedule_rows_win_in_counts() -> None:
    # The operator declares Monday 8 Oct 2024 a day off: the count moves one day on.
    calendar = Calendar({d("2024-10-08"): RESTDAY})
    assert after("2024-10-01", 7, calendar) == "2024-10-16"


def test_a_new_calendar_does_not_ask_the_library_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every request builds its own Calendar(): the library's own year stays computed.
    assert after("2024-03-01", 5) == "2024-03-08"
    asked: list[dt.date] = []
    library = chinese_calendar.get_holiday_detail
    monkeypatch.setattr(
        chinese_calendar, "get_holiday_detail", lambda day: asked.append(day) or library(day)
    )
    assert after("2024-03-01", 5) == "2024-03-08"
    assert Calendar().workday_flags(2024).sum() == 251  # 2024: 251 working days
    assert asked == []


def test_schedule_rows_win_over_the_shared_library_year() -> None:
    assert after("2024-10-01", 7) == "2024-10-15"
    assert after("2024-10-01", 7, Calendar({d("2024-10-08"): RESTDAY})) == "2024-10-16"
    assert after("2024-10-01", 7) == "2024-10-15"


def test_a_long_run_of_days_off_widens_the_search() -> None:
    schedule = {d("2027-01-01") + dt.timedelta(days=i): RESTDAY for i in range(120)}
    assert after("2026-12-31", 1, Calendar(schedule)) == "2027-05-03"  # Monday after 30 April


def test_an_uncovered_year_names_the_day_and_the_first_count() -> None:
    days = [d("2026-12-01"), d("2026-12-29"), d("2026-12-30")]
    assert after("2026-12-01", 7) == "2026-12-10"
    with pytest.raises(UncoveredDayError) as caught:
        nth_workday_after(Calendar(), days, 7)
    assert (caught.value.day, caught.value.position) == (d("2027-01-01"), 1)
    assert isinstance(caught.value, CalendarError)
    with pytest.raises(UncoveredDayError, match="2003-12-31"):
        nth_workday_after(Calendar(), [d("2003-12-30")], 1)


def test_n_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        nth_workday_after(Calendar(), [d("2024-10-01")], 0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.dates(dt.date(2005, 1, 1), dt.date(2025, 6, 30)), min_size=1, max_size=8),
    st.integers(1, 40),
)
def test_matches_counting_day_by_day(days: list[dt.date], n: int) -> None:
    calendar = Calendar()
    expected = []
    for day in days:
        found, current = 0, day
        while found < n:
            current += dt.timedelta(days=1)
            found += calendar.day_info(current).day_type is DayType.WORKDAY
        expected.append(np.datetime64(current, "D"))
    assert list(nth_workday_after(calendar, days, n)) == expected
