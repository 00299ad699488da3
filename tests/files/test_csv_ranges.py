"""CSV loads read in ranges side by side: the same cube and the same faults, on the same lines,
wherever the ranges are cut (inside a quoted field, between CR and LF, inside a character)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gzkit.inputs import InputError
from gzvpp.core.timeseries import IntervalCube, day_number
from gzvpp.files import csvloads
from gzvpp.files.loads import read_interval_file

D = day_number(dt.date(2025, 7, 1))
# Quoted ids holding a comma or a doubled quote, multibyte names, and an ignored column of
# quoted text: a cut can fall anywhere in any of them.
ACCOUNTS = ['"GZ,01"', "荔湾一号", '"天河""二"""', "B"]
EXPECTED_NAMES = ("B", "GZ,01", '天河"二"', "荔湾一号")
ORDER_IN_FILE = (3, 0, 2, 1)  # of each expected name


def loads_text(rows_per_account: int, newline: str) -> str:
    lines = ["account_id,ts,kw,note"]
    for k, account in enumerate(ACCOUNTS):
        for slot in range(rows_per_account):
            when = dt.datetime(2025, 7, 1) + dt.timedelta(minutes=15 * slot)
            note = f'"备注,第{slot}行 ""引号"""' if slot % 3 else ""
            lines.append(f"{account},{when:%Y-%m-%d %H:%M},{k * 100 + slot / 4},{note}")
    return newline.join(lines) + newline


def read(path: Path, encoding: str | None = None) -> IntervalCube:
    return read_interval_file(
        path, value_column="kw", series=None, keep_days=None, encoding=encoding
    )


def fault(path: Path, encoding: str | None = None) -> InputError:
    with pytest.raises(InputError) as caught:
        read(path, encoding)
    return caught.value


def count_ranges(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Patch the range reader to record the start of each range read."""
    starts: list[int] = []
    read_range = csvloads._csv_range

    def counted(source: Any, start: int, *args: Any) -> list[Any]:
        starts.append(start)
        return read_range(source, start, *args)

    monkeypatch.setattr(csvloads, "_csv_range", counted)
    return starts


@pytest.mark.parametrize(
    ("encoding", "newline"), [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("gb18030", "\r\n")]
)
def test_any_cut_reads_as_one_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str, newline: str
) -> None:
    path = tmp_path / "loads.csv"
    path.write_bytes(loads_text(12, newline).encode(encoding))
    whole = read(path)
    assert whole.series == EXPECTED_NAMES
    expected = np.full((4, 1, 96), np.nan)
    expected[:, 0, :12] = [[k * 100 + slot / 4 for slot in range(12)] for k in ORDER_IN_FILE]
    np.testing.assert_array_equal(whole.values, expected)
    starts = count_ranges(monkeypatch)
    # Ranges of 1 byte put a cut at every byte; the others put cuts at varied places.
    for size in (1, 2, 3, 7, 16, 61, 200):
        monkeypatch.setattr(csvloads, "_RANGE_BYTES", size)
        starts.clear()
        cut = read(path)
        assert len(starts) > 1
        assert cut.series == whole.series
        np.testing.assert_array_equal(cut.days, whole.days)
        np.testing.assert_array_equal(cut.values, whole.values, err_msg=f"ranges of {size} B")


@pytest.mark.parametrize("size", [1, 64, 1 << 22])
def test_faults_name_their_line_in_any_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(csvloads, "_RANGE_BYTES", size)
    lines = loads_text(12, "\n").splitlines(keepends=True)
    path = tmp_path / "loads.csv"

    assert lines[40].startswith("B,2025-07-01 00:45,300.75,")
    bad_value = [*lines[:40], lines[40].replace(",300.75,", ",1.0.0,"), *lines[41:]]
    path.write_text("".join(bad_value), encoding="utf-8")
    error = fault(path)
    assert (error.row, error.column, error.reason) == (41, "kw", "'1.0.0' 不是数字")

    repeated = [*lines[:44], lines[4], *lines[44:]]
    path.write_text("".join(repeated), encoding="utf-8")
    assert (fault(path).row, fault(path).reason) == (
        45,
        "重复：'GZ,01' 在 2025-07-01 00:45 的读数已见于第 5 行",
    )

    # GB18030 converted range by range: a byte that is no character names its own line.
    broken = "".join(lines[:29]).encode("gb18030") + b"\x81\x20" + "".join(lines[29:]).encode()
    path.write_bytes(broken)
    error = fault(path, encoding="gb18030")
    assert (error.row, error.reason.split("（")[0]) == (30, "不是有效的 gb18030 文本")


def test_ranges_are_read_a_few_ahead_of_the_rows_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Memory stays flat: taking the first batch has read no more than a few ranges.
    monkeypatch.setattr(csvloads, "_RANGE_BYTES", 256)
    path = tmp_path / "loads.csv"
    path.write_text(loads_text(96, "\n"), encoding="utf-8")
    starts = count_ranges(monkeypatch)
    columns = ["account_id", "ts", "kw"]
    with csvloads.csv_table(path, columns, None) as table:
        batches = table.read(columns)
        next(batches)
        started = len(starts)
        rest = sum(1 for _ in batches)
    assert started <= csvloads._RANGES_AHEAD + 1
    assert rest + 1 == len(starts) > 20
    readers = [t for t in threading.enumerate() if t.name.startswith("gzvpp-csv")]
    assert not readers  # the reading threads end with the read


@pytest.mark.parametrize("size", [1, 5, 64, 1 << 22])
def test_a_line_break_in_a_quoted_value_is_named_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    # A row on two lines would put every later line number out by one; refused wherever the
    # value lies, also in a column not read and across a range's end, after the rows before.
    monkeypatch.setattr(csvloads, "_RANGE_BYTES", size)
    lines = loads_text(12, "\r\n").splitlines(keepends=True)
    path = tmp_path / "loads.csv"
    assert lines[20].endswith(',"备注,第7行 ""引号"""\r\n')
    broken = lines[20].replace("第7行", "第7\r\n行")
    path.write_text("".join([*lines[:20], broken, *lines[21:]]), encoding="utf-8", newline="")
    error = fault(path)
    assert (error.row, error.reason) == (
        21,
        "引号内的值含有换行：每条记录须写在一行内",
    )
    no_account = lines[19].replace("荔湾一号,", ",")
    path.write_text("".join([*lines[:19], no_account, broken, *lines[21:]]), newline="")
    error = fault(path)
    assert (error.row, error.column, error.reason) == (20, "account_id", "为空")
