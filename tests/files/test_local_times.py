"""The one parser of local times shared by the load and event files."""

from __future__ import annotations

import datetime as dt

import pytest

from gzvpp.files.timestamps import parse_local_time


@pytest.mark.parametrize(
    ("text", "local"),
    [
        ("2025-07-01 14:00", dt.datetime(2025, 7, 1, 14, 0)),
        ("2025-07-01T14:00", dt.datetime(2025, 7, 1, 14, 0)),
        ("2025-07-01 14:00:30", dt.datetime(2025, 7, 1, 14, 0, 30)),
        ("2025-07-01T14:00:00+08:00", dt.datetime(2025, 7, 1, 14, 0)),
        ("2025-07-01T14:00:00+0800", dt.datetime(2025, 7, 1, 14, 0)),
        ("2025-07-01T06:00:00Z", dt.datetime(2025, 7, 1, 14, 0)),
        ("2025-07-01T06:00:00.250Z", dt.datetime(2025, 7, 1, 14, 0, 0, 250000)),
        ("2025-06-30T23:00:00-09:00", dt.datetime(2025, 7, 1, 16, 0)),
    ],
)
def test_accepted_forms_give_guangzhou_wall_clock(text: str, local: dt.datetime) -> None:
    assert parse_local_time(text) == local


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2025-07-01",
        "2025-07-01 14",
        "20250701T1400",
        "2025-07-01 14:00 ",
        "2025-13-01 00:00",
        "01/07/2025 14:00",
        "2025-W27-2 14:00",
    ],
)
def test_other_text_is_not_a_time(text: str) -> None:
    assert parse_local_time(text) is None
