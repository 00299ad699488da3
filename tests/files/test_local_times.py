"""The one parser of local times shared by the load and event files."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from gzvpp.files.timestamps import local_ticks, parse_local_time


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


def _one_by_one(texts: list[str]) -> list[int] | None:
    moments = [parse_local_time(t) for t in texts]
    if any(m is None for m in moments):
        return None
    micro = dt.timedelta(microseconds=1)
    return [(m - dt.datetime(1970, 1, 1)) // micro for m in moments if m is not None]


_AGREEING_TEXTS = [
    "2025-07-01 14:00",
    "2025-07-01T14:00:30",
    "2024-02-29 23:45",
    "1970-01-01 00:00:00",
    "9999-12-31 23:59",
    "2025-07-01T14:00:00+08:00",
    "2025-07-01 14:00Z",
    "2025-07-01T14:00:00+0800",
    "2025-06-30T23:00:00-09:30",
    "2025-07-01T06:00:00.250Z",
    "2025-07-01 14:00+08:60",  # Python reads +09:00
    "2025-07-01 14:00+08",  # not an accepted form
    "2025-07-01 14+08:00",
    "2025-02-29 00:00",
    "2025-07-01 24:00",
    "2025-07-01 14:00:60",
    "2025-7-01 14:00:00",
    "2025-07-01 14:00 ",
    "2025-07-01",
    "２０２５-07-01 14:00",  # full-width digits are not \\d in ASCII mode
]


@pytest.mark.parametrize("text", _AGREEING_TEXTS)
@pytest.mark.parametrize("company", ["2025-07-01 00:15", "2025-07-01T00:15:00+08:00"])
def test_bulk_parser_agrees_with_the_one_by_one_parser(text: str, company: str) -> None:
    # In bulk, a batch is either read whole with the same times as parse_local_time gives,
    # or left to parse_local_time: never read differently.
    texts = [company, text]
    bulk = local_ticks(pa.array(texts))
    expected = _one_by_one(texts)
    if bulk is not None:
        assert bulk.tolist() == expected
    alone = local_ticks(pa.array([text]))
    if alone is not None:
        assert alone.tolist() == _one_by_one([text])


def test_bulk_parser_reads_the_common_forms() -> None:
    for texts in (["2025-07-01 14:00", "2025-07-01T14:15:00"], ["2025-07-01T06:00:00Z"]):
        assert local_ticks(pa.array(texts)) is not None
