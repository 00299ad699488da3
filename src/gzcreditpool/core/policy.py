"""The policy's validity and the versions a loan may fall under (C10; 第三十一条, 第三十二条)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Window:
    """A rule version's code and the days it is in force, both ends included."""

    code: str
    starts_on: dt.date
    ends_on: dt.date

    def holds(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def text(self) -> str:
        return f"{self.starts_on} 至 {self.ends_on}"


# 第三十二条: 自 2021 年 7 月 1 日起施行，有效期 5 年 (the last day is 2026-06-30).
CURRENT: Final = Window("2021", dt.date(2021, 7, 1), dt.date(2026, 6, 30))
CURRENT_TITLE: Final = "穗科规字〔2021〕2号"


def version_of(windows: Sequence[Window], disbursed_on: dt.date) -> Window | None:
    """The version a loan disbursed on ``disbursed_on`` is registered under: the first of
    ``windows`` in force that day, None when none is (C10, 第三十二条: the pool takes in no
    loan disbursed outside the policy's validity)."""
    return next((w for w in windows if w.holds(disbursed_on)), None)


def earlier_window_problem(window: Window, first_current: dt.date) -> str | None:
    """Why ``window`` cannot be an earlier policy's (第三十一条: loans confirmed before this
    policy took effect), None when it can: it must end before ``first_current``, the first day
    of this policy, and not end before it starts."""
    if window.ends_on < window.starts_on:
        return "有效期止日不能早于起日"
    if window.ends_on >= first_current:
        return f"原政策的有效期须在 {first_current} 之前结束（第三十一条）"
    return None
