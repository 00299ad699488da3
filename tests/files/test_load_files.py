"""Meter loads and system load from CSV and Parquet: values, filters, and every input fault."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gzkit.inputs import InputError
from gzvpp.core.timeseries import IntervalCube, day_number
from gzvpp.files import intervalcube, loadtable, parquetloads
from gzvpp.files.loads import read_interval_file

D = day_number(dt.date(2025, 7, 1))
HEADER = "account_id,ts,kw\n"
T00, T15, T30 = "2025-07-01 00:00", "2025-07-01 00:15", "2025-07-01 00:30"


def write_csv(tmp_path: Path, text: str, name: str = "loads.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_parquet(tmp_path: Path, columns: dict[str, Any], name: str = "loads.parquet") -> Path:
    path = tmp_path / name
    pq.write_table(pa.table(columns), path)
    return path


def stamps(*texts: str | None, tz: str | None = None, unit: str = "us") -> pa.Array:
    """A timestamp column from local wall-clock texts (UTC texts when ``tz`` is given)."""
    ticks = [None if t is None else int(np.datetime64(t, unit).astype(np.int64)) for t in texts]
    return pa.array(ticks, type=pa.int64()).cast(pa.timestamp(unit, tz=tz))


def accounts(*names: str | None) -> pa.Array:
    return pa.array(names, type=pa.string()).dictionary_encode()


def read(
    path: Path,
    series: list[str] | None = None,
    keep_days: list[int] | None = None,
    value_column: str = "kw",
) -> IntervalCube:
    days = None if keep_days is None else np.array(keep_days, dtype=np.int64)
    return read_interval_file(
        path,
        value_column=value_column,  # type: ignore[arg-type]
        series=series,
        keep_days=days,
    )


def fault(path: Path, **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as caught:
        read(path, **kwargs)
    return caught.value


# --- values and layout ---------------------------------------------------------------------


def test_csv_values_land_on_series_day_and_interval(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        HEADER + "B,2025-07-01 00:00,1.5\n"
        "A,2025-07-01 14:00,-20\n"  # negative: the site exports
        "A,2025-07-02 23:45,7\n",
    )
    cube = read(path)
    assert cube.series == ("A", "B")  # sorted
    assert cube.days.tolist() == [D, D + 1]
    assert cube.values.shape == (2, 2, 96)
    assert cube.values[1, 0, 0] == 1.5
    assert cube.values[0, 0, 56] == -20.0
    assert cube.values[0, 1, 95] == 7.0
    assert np.count_nonzero(~np.isnan(cube.values)) == 3  # every gap stays NaN


def test_iso_times_with_offsets_are_converted_to_guangzhou_time(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        HEADER + "A,2025-07-01T14:00:00+08:00,1\n"
        "A,2025-07-01T06:15:00Z,2\n"
        "A,2025-07-01T15:30:00+09:00,3\n"
        "A,2025-07-01T14:45,4\n"
        "A,2025-06-30T16:00:00-00:00,5\n",
    )
    cube = read(path)
    assert cube.days.tolist() == [D]
    row = cube.values[0, 0]
    assert row[56:60].tolist() == [1.0, 2.0, 3.0, 4.0]  # 14:00, 14:15, 14:30, 14:45
    assert row[0] == 5.0  # 16:00 UTC the day before is midnight in Guangzhou


def test_series_order_absent_account_and_dropped_accounts(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        HEADER + "A,2025-07-01 00:00,1\nB,2025-07-01 00:00,2\nC,2025-07-01 00:00,3\n",
    )
    cube = read(path, series=["C", "Z", "A"])
    assert cube.series == ("C", "Z", "A")
    assert cube.values[:, 0, 0].tolist()[::2] == [3.0, 1.0]
    assert np.isnan(cube.values[1]).all()  # Z has no rows


def test_keep_days_holds_exactly_those_days(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        HEADER + "A,2025-07-01 00:00,1\nA,2025-07-02 00:15,2\nA,2025-07-04 00:30,4\n",
    )
    cube = read(path, keep_days=[D + 4, D + 1, D])  # unsorted, one day beyond the data
    assert cube.days.tolist() == [D, D + 1, D + 4]
    assert cube.values[0, 0, 0] == 1.0
    assert cube.values[0, 1, 1] == 2.0
    assert np.isnan(cube.values[0, 2]).all()
    assert np.count_nonzero(~np.isnan(cube.values)) == 2  # the 4 July row is dropped


def test_days_default_to_days_with_data(tmp_path: Path) -> None:
    path = write_csv(tmp_path, HEADER + "A,2025-07-03 00:00,1\nA,2025-07-01 00:00,2\n")
    assert read(path).days.tolist() == [D, D + 2]  # 2 July has no data, so is not held


@pytest.mark.parametrize("kept", [None, ["A"]])
def test_header_only_file_is_an_error(tmp_path: Path, kept: list[str] | None) -> None:
    # Not a cube of nothing, which would make every baseline unavailable.
    error = fault(write_csv(tmp_path, HEADER), series=kept, keep_days=[D])
    assert (error.row, error.reason) == (None, "没有数据：文件只有表头")
    empty = {"account_id": accounts(), "ts": stamps(), "kw": pa.array([], type=pa.float64())}
    error = fault(write_parquet(tmp_path, empty), series=kept)
    assert error.reason == "没有数据：文件只有表头"


def test_system_load_is_one_series(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "ts,mw\n2025-07-01 10:00,18000.5\n2025-07-01 10:15,18100\n")
    cube = read(path, value_column="mw")
    assert cube.series == ("system",)
    assert cube.values[0, 0, 40:42].tolist() == [18000.5, 18100.0]


def test_parquet_naive_timestamps_are_local(tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path,
        {
            "account_id": accounts("A", "A", "B"),
            "ts": stamps("2025-07-01 14:00", "2025-07-01 14:15", "2025-07-02 00:00", unit="ms"),
            "kw": pa.array([1.0, 2.0, 3.0]),
        },
    )
    cube = read(path)
    assert cube.series == ("A", "B")
    assert cube.values[0, 0, 56:58].tolist() == [1.0, 2.0]
    assert cube.values[1, 1, 0] == 3.0


def test_parquet_aware_timestamps_are_converted(tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path,
        {
            "account_id": accounts("A", "A"),
            "ts": stamps("2025-07-01 06:00", "2025-06-30 16:00", tz="UTC"),
            "kw": pa.array([1, 2], type=pa.int32()),  # whole kW are numbers too
        },
    )
    cube = read(path)
    assert cube.days.tolist() == [D]
    assert cube.values[0, 0, 56] == 1.0  # 06:00 UTC = 14:00 in Guangzhou
    assert cube.values[0, 0, 0] == 2.0


def test_parquet_text_timestamps_and_plain_text_accounts(tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path,
        {
            "account_id": pa.array(["A", "A"]),
            "ts": pa.array(["2025-07-01 14:00", "2025-07-01T07:15:00+01:00"]),
            "kw": pa.array([1.0, 2.0]),
        },
    )
    cube = read(path)
    assert cube.values[0, 0, 56:58].tolist() == [1.0, 2.0]


def test_parquet_series_and_days_filters(tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path,
        {
            "account_id": accounts("A", "B", "A"),
            "ts": stamps("2025-07-01 00:00", "2025-07-01 00:00", "2025-07-05 00:00"),
            "kw": pa.array([1.0, 2.0, 3.0]),
        },
    )
    cube = read(path, series=["B", "A"], keep_days=[D])
    assert cube.series == ("B", "A")
    assert cube.values[:, 0, 0].tolist() == [2.0, 1.0]
    assert np.count_nonzero(~np.isnan(cube.values)) == 2


def test_rows_sorted_by_time_then_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loadtable, "_CHUNK_ROWS", 2)
    path = write_parquet(
        tmp_path,
        {
            "account_id": accounts("A", "B", "A", "B", "A", "B"),
            "ts": stamps(T00, T00, T15, T15, T30, T30),
            "kw": pa.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        },
    )
    cube = read(path)
    assert cube.values[:, 0, :3].tolist() == [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]


def test_accounts_grouped_in_any_order_are_read_in_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dataset written by participant group lists every account in each file's dictionary, in
    sorted order, while the files hold the accounts in another: each account's rows together
    and in time order is order enough, so no earlier row is read again."""
    names = pa.array(["A", "B", "C"]).dictionary_encode().dictionary
    for folder, codes in (("g=1", [2, 2, 0, 0]), ("g=0", [1, 1])):
        column = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), names)
        times = [T00, T15] * (len(codes) // 2)
        (tmp_path / "set" / folder).mkdir(parents=True)
        table = pa.table(
            {"account_id": column, "ts": stamps(*times), "kw": pa.array(codes, pa.float64())}
        )
        pq.write_table(table, tmp_path / "set" / folder / "part.parquet")

    def read_again(*_: object) -> None:
        raise AssertionError("rows read a second time")

    monkeypatch.setattr(loadtable, "_CHUNK_ROWS", 2)
    monkeypatch.setattr(intervalcube.Repeats, "_mark_before", read_again)
    cube = read(tmp_path / "set", series=["A", "B", "C"])
    assert cube.values[:, 0, :2].tolist() == [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]
    monkeypatch.undo()  # a repeat across the files is still found
    repeat = pa.DictionaryArray.from_arrays(pa.array([0, 0], pa.int32()), names)
    pq.write_table(
        pa.table({"account_id": repeat, "ts": stamps(T00, T15), "kw": pa.array([9.0, 9.0])}),
        tmp_path / "set" / "g=0" / "part.parquet",
    )
    assert "重复" in fault(tmp_path / "set").reason


# --- faults ----------------------------------------------------------------------------------


def test_csv_missing_column(tmp_path: Path) -> None:
    error = fault(write_csv(tmp_path, "account_id,ts,load\nA,2025-07-01 00:00,1\n"))
    assert error.row == 1
    assert error.reason == "缺少列 'kw'：应为 account_id,ts,kw，实为 account_id,ts,load"
    assert str(error).startswith(f"{tmp_path / 'loads.csv'} 第 1 行：缺少列 'kw'")


def test_parquet_missing_column(tmp_path: Path) -> None:
    path = write_parquet(tmp_path, {"ts": stamps("2025-07-01 00:00"), "kw": pa.array([1.0])})
    error = fault(path)
    assert error.row is None
    assert error.reason.startswith("缺少列 'account_id'")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "为空"),
        ("abc", "'abc' 不是数字"),
        ("1,5", "'1,5' 不是数字"),
        (" 1.5", "' 1.5' 不是数字"),  # CSV readers that trim would take it
        ("0x10", "'0x10' 不是数字"),
        ("nan", "nan 不是有限的数"),
        ("NaN", "nan 不是有限的数"),  # not read as an empty value
        ("-inf", "-inf 不是有限的数"),
    ],
)
def test_csv_bad_number(tmp_path: Path, value: str, reason: str) -> None:
    text = HEADER + "A,2025-07-01 00:00,1\n" + f'A,2025-07-01 00:15,"{value}"\n'
    error = fault(write_csv(tmp_path, text))
    assert (error.row, error.column, error.reason) == (3, "kw", reason)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "为空"),
        (float("nan"), "nan 不是有限的数"),
        (float("inf"), "inf 不是有限的数"),
    ],
)
def test_parquet_bad_number(tmp_path: Path, value: float | None, reason: str) -> None:
    path = write_parquet(
        tmp_path,
        {
            "account_id": accounts("A", "A"),
            "ts": stamps("2025-07-01 00:00", "2025-07-01 00:15"),
            "kw": pa.array([1.0, value], type=pa.float64()),
        },
    )
    error = fault(path)
    assert (error.row, error.column, error.reason) == (2, "kw", reason)
    assert str(error) == f"{path} 第 2 条记录 kw 列：{reason}"


@pytest.mark.parametrize(
    ("ts", "reason"),
    [
        ("", "为空"),
        ("01/07/2025 00:15", "'01/07/2025 00:15' 不是时间"),
        ("2025-07-01", "'2025-07-01' 不是时间"),
        ("2025-02-30 00:15", "'2025-02-30 00:15' 不是时间"),
        ("2025-07-01 00:07", "2025-07-01 00:07 不在 15 分钟整刻上"),
        ("2025-07-01 00:15:30", "2025-07-01 00:15:30 不在 15 分钟整刻上"),
        ("2025-07-01T00:15:00+05:37", "2025-07-01 02:38 不在 15 分钟整刻上"),
        ("1969-12-31 23:45", "1969-12-31 23:45 超出 1970–9999 年"),
    ],
)
def test_csv_bad_time(tmp_path: Path, ts: str, reason: str) -> None:
    text = HEADER + "A,2025-07-01 00:00,1\n" + f"A,{ts},2\n"
    error = fault(write_csv(tmp_path, text))
    assert (error.row, error.column) == (3, "ts")
    assert error.reason.startswith(reason)


def test_parquet_null_and_off_grid_timestamps(tmp_path: Path) -> None:
    columns = {"account_id": accounts("A", "A", "A"), "kw": pa.array([1.0, 2.0, 3.0])}
    ts = stamps("2025-07-01 00:00", None, None, unit="s")
    error = fault(write_parquet(tmp_path, {**columns, "ts": ts}))
    assert (error.row, error.column, error.reason) == (2, "ts", "为空")
    ts = stamps("2025-07-01 00:00", "2025-07-01 00:15", "2025-07-01 00:20:00.5")
    error = fault(write_parquet(tmp_path, {**columns, "ts": ts}))
    assert (error.row, error.column, error.reason) == (
        3,
        "ts",
        "2025-07-01 00:20:00.500 不在 15 分钟整刻上（应为 :00、:15、:30、:45）",
    )


@pytest.mark.parametrize("account", ["", "  "])
def test_csv_empty_account(tmp_path: Path, account: str) -> None:
    text = HEADER + "A,2025-07-01 00:00,1\n" + f'"{account}",2025-07-01 00:15,2\n'
    error = fault(write_csv(tmp_path, text))
    assert (error.row, error.column, error.reason) == (3, "account_id", "为空")


@pytest.mark.parametrize("account", [None, ""])
def test_parquet_empty_account(tmp_path: Path, account: str | None) -> None:
    path = write_parquet(
        tmp_path,
        {
            "account_id": accounts("A", "A", account),
            "ts": stamps("2025-07-01 00:00", "2025-07-01 00:15", "2025-07-01 00:30"),
            "kw": pa.array([1.0, 2.0, 3.0]),
        },
    )
    error = fault(path)
    assert (error.row, error.column, error.reason) == (3, "account_id", "为空")


def test_parquet_numeric_account_ids_are_refused(tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path,
        {"account_id": pa.array([301]), "ts": stamps("2025-07-01 00:00"), "kw": pa.array([1.0])},
    )
    error = fault(path)
    assert (error.row, error.column, error.reason) == (None, "account_id", "类型为 int64，应为文本")


def test_csv_duplicate_row_names_both_lines(tmp_path: Path) -> None:
    text = HEADER + "A,2025-07-01 00:00,1\nA,2025-07-01 00:15,2\nA,2025-07-01T00:00+08:00,3\n"
    error = fault(write_csv(tmp_path, text))
    assert error.row == 4
    assert error.reason == "重复：'A' 在 2025-07-01 00:00 的读数已见于第 2 行"


def test_duplicate_straddling_two_chunks_of_a_sorted_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loadtable, "_CHUNK_ROWS", 2)
    path = write_parquet(
        tmp_path,
        {
            "account_id": accounts("A", "A", "A", "B"),
            "ts": stamps(
                "2025-07-01 00:00", "2025-07-01 00:15", "2025-07-01 00:15", "2025-07-01 00:00"
            ),
            "kw": pa.array([1.0, 2.0, 3.0, 4.0]),
        },
    )
    error = fault(path)
    assert (error.row, error.reason) == (
        3,
        "重复：'A' 在 2025-07-01 00:15 的读数已见于第 2 条记录",
    )


def test_duplicate_of_a_dropped_account_in_a_file_sorted_by_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loadtable, "_CHUNK_ROWS", 2)
    path = write_parquet(
        tmp_path,
        {
            # Chunks A00 B00 | A15 B15 | B15: the repeat opens a chunk, and B is not kept.
            "account_id": accounts("A", "B", "A", "B", "B"),
            "ts": stamps(T00, T00, T15, T15, T15),
            "kw": pa.array([1.0, 2.0, 3.0, 4.0, 5.0]),
        },
    )
    error = fault(path, series=["A"])
    assert (error.row, error.reason) == (
        5,
        "重复：'B' 在 2025-07-01 00:15 的读数已见于第 4 条记录",
    )


def test_duplicate_in_an_unsorted_file_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loadtable, "_CHUNK_ROWS", 2)
    path = write_parquet(
        tmp_path,
        {
            "account_id": accounts("B", "A", "A", "C", "A"),
            "ts": stamps(
                *["2025-07-01 00:15"] * 2,
                "2025-07-01 00:00",
                "2025-07-01 00:00",
                "2025-07-01 00:15",
            ),
            "kw": pa.array([1.0, 2.0, 3.0, 4.0, 5.0]),
        },
    )
    error = fault(path)
    assert (error.row, error.reason) == (
        5,
        "重复：'A' 在 2025-07-01 00:15 的读数已见于第 2 条记录",
    )


def test_rows_of_dropped_accounts_and_days_are_still_validated(tmp_path: Path) -> None:
    text = HEADER + "A,2025-07-01 00:00,1\nB,2025-07-01 00:00,x\n"
    assert fault(write_csv(tmp_path, text), series=["A"]).row == 3
    text = HEADER + "A,2025-07-01 00:00,1\nA,2025-07-09 00:05,1\n"
    assert fault(write_csv(tmp_path, text), keep_days=[D]).row == 3
    text = HEADER + "B,2025-07-09 00:00,1\nB,2025-07-09 00:00,1\n"
    assert fault(write_csv(tmp_path, text), series=["A"], keep_days=[D]).row == 3


def test_unreadable_files(tmp_path: Path) -> None:
    path = tmp_path / "loads.parquet"
    path.write_bytes(b"not parquet at all")
    assert fault(path).reason.startswith("不是可读的 Parquet 文件（")
    assert fault(tmp_path / "missing.csv").reason == "无法读取：文件不存在"
    assert fault(write_csv(tmp_path, "", name="empty.csv")).reason == (
        "文件为空：第一行应为表头 account_id,ts,kw"
    )
    bad_suffix = write_csv(tmp_path, HEADER, name="loads.xlsx")
    assert fault(bad_suffix).reason == (
        "不支持的文件类型 '.xlsx'：负荷文件应为 .csv 或 .parquet，或 .parquet 文件的目录或通配模式"
    )


# --- sorted files copied run by run, and everything else cell by cell -------------------------


def expected_cube(rows: list[tuple[str, int, float]], series: list[str], days: list[int]) -> Any:
    """The cube built the slow, obvious way from (account, interval number, kW) rows."""
    values = np.full((len(series), len(days), 96), np.nan)
    for name, slot, kw in rows:
        day, interval = divmod(slot, 96)
        if name in series and day in days:
            values[series.index(name), days.index(day), interval] = kw
    return values


def rows_to_parquet(tmp_path: Path, rows: list[tuple[str, int, float]], name: str) -> Path:
    minutes = np.array([slot * 15 for _, slot, _ in rows], dtype="datetime64[m]")
    return write_parquet(
        tmp_path,
        {
            "account_id": accounts(*(account for account, _, _ in rows)),
            "ts": pa.array(minutes.astype("datetime64[us]")),
            "kw": pa.array([kw for _, _, kw in rows]),
        },
        name=name,
    )


@pytest.mark.parametrize("chunk", [64, 1000])
def test_sorted_gap_free_shuffled_and_gappy_files_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(loadtable, "_CHUNK_ROWS", chunk)
    copied: list[int] = []  # chunks stored run by run rather than cell by cell
    run_copy = intervalcube.Placement.copy
    monkeypatch.setattr(
        intervalcube.Placement, "copy", lambda *args: copied.append(1) or run_copy(*args)
    )
    rng = np.random.default_rng(7)
    slots = range(D * 96, (D + 4) * 96)
    rows = [(name, slot, float(rng.integers(-50, 1000))) for name in "ABC" for slot in slots]
    gaps = set(rng.choice(len(rows), size=9, replace=False).tolist())
    gappy = [row for k, row in enumerate(rows) if k not in gaps]
    shuffled = [rows[k] for k in rng.permutation(len(rows))]
    series, days = ["C", "A", "Z"], [D, D + 2, D + 3]  # B dropped, Z absent, 2 blocks of days
    for name, data in (("sorted", rows), ("gappy", gappy), ("shuffled", shuffled)):
        copied.clear()
        cube = read(rows_to_parquet(tmp_path, data, f"{name}.parquet"), series, days)
        np.testing.assert_array_equal(cube.values, expected_cube(data, series, days), name)
        chunks = -(-len(data) // chunk)
        if name == "sorted":
            assert len(copied) == chunks
        elif name == "shuffled":
            assert not copied
        else:  # 9 gaps among 18 chunks of 64 rows leave some chunks gap-free
            assert len(copied) < chunks and (chunk > 64 or copied)


def test_duplicate_opening_a_chunk_of_a_gap_free_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loadtable, "_CHUNK_ROWS", 64)
    rows = [("A", D * 96 + k, 1.0) for k in range(96)]
    rows.insert(64, rows[63])  # the first 64 rows are one clean run; the repeat opens chunk 2
    error = fault(rows_to_parquet(tmp_path, rows, "loads.parquet"))
    assert (error.row, error.reason) == (
        65,
        "重复：'A' 在 2025-07-01 15:45 的读数已见于第 64 条记录",
    )


# --- a repeat anywhere in the file, kept or not --------------------------------------------


@pytest.mark.parametrize("folder", ["export[1]", "a*b?", "[ab]"])
def test_files_in_a_folder_named_like_a_glob_pattern(tmp_path: Path, folder: str) -> None:
    where = tmp_path / folder
    where.mkdir()
    csv = write_csv(where, HEADER + f"A,{T00},1\nA,{T15},2\n")
    assert read(csv).values[0, 0, :2].tolist() == [1.0, 2.0]
    parquet = write_parquet(
        where, {"account_id": accounts("A"), "ts": stamps(T00), "kw": pa.array([3.0])}
    )
    assert read(parquet).values[0, 0, 0] == 3.0


def slot_text(slot: int) -> str:
    return (dt.datetime(1970, 1, 1) + dt.timedelta(minutes=15 * slot)).strftime("%Y-%m-%d %H:%M")


def rows_to_csv(tmp_path: Path, rows: list[tuple[str, int, float]], name: str) -> Path:
    lines = [f"{account},{slot_text(slot)},{kw}\n" for account, slot, kw in rows]
    return write_csv(tmp_path, HEADER + "".join(lines), name=name)


def write_rows(tmp_path: Path, rows: list[tuple[str, int, float]], fmt: str) -> Path:
    if fmt == "csv":
        return rows_to_csv(tmp_path, rows, "loads.csv")
    return rows_to_parquet(tmp_path, rows, "loads.parquet")


def first_repeat(rows: list[tuple[str, int, float]], fmt: str) -> tuple[int, str] | None:
    """The error the reader owes for ``rows``, found the obvious way: (row, reason) or None."""
    first: dict[tuple[str, int], int] = {}
    offset = 2 if fmt == "csv" else 1  # CSV lines count the header
    unit = "行" if fmt == "csv" else "条记录"
    for k, (account, slot, _) in enumerate(rows):
        if (account, slot) in first:
            earlier = first[account, slot] + offset
            text = f"重复：{account!r} 在 {slot_text(slot)} 的读数已见于"
            return k + offset, f"{text}第 {earlier} {unit}"
        first[account, slot] = k
    return None


def layout(rows: list[tuple[str, int, float]], order: str, seed: int = 0) -> list[Any]:
    """``rows`` sorted by account then time, by time then account, or shuffled."""
    if order == "account":
        return sorted(rows)
    if order == "time":
        return sorted(rows, key=lambda row: (row[1], row[0]))
    return [rows[k] for k in np.random.default_rng(seed).permutation(len(rows))]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("order", ["account", "time", "shuffled"])
@pytest.mark.parametrize("dropped", ["day", "account"])
def test_repeat_far_apart_on_a_dropped_day_or_of_a_dropped_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, order: str, dropped: str
) -> None:
    # Small chunks and batches: the two rows lie many chunks and batches apart, and the cube
    # holds neither (B is not kept, nor is day D + 1).
    monkeypatch.setattr(loadtable, "_CHUNK_ROWS", 64)
    monkeypatch.setattr(parquetloads, "_BATCH_ROWS", 256)
    slots = range(D * 96, (D + 3) * 96)
    rows = layout([(name, slot, 1.0) for name in "ABC" for slot in slots], order)
    dropped_row = (
        (lambda row: row[1] // 96 == D + 1) if dropped == "day" else (lambda row: row[0] == "B")
    )
    repeated = next(k for k, row in enumerate(rows) if dropped_row(row))
    rows.insert(len(rows) - 3, rows[repeated])
    expected = first_repeat(rows, fmt)
    assert expected is not None and expected[0] - repeated > 500  # far apart
    error = fault(write_rows(tmp_path, rows, fmt), series=["C", "A"], keep_days=[D, D + 2])
    assert (error.row, error.reason) == expected


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_repeat_far_apart_in_a_large_unsorted_file(tmp_path: Path, fmt: str) -> None:
    # More rows than a chunk of 65,536, at the reader's own sizes; the repeated cell is dropped.
    slots = range(D * 96, (D + 250) * 96)
    rows = layout([(name, slot, 2.5) for name in "ABC" for slot in slots], "shuffled", seed=3)
    repeated = next(k for k, row in enumerate(rows) if row[0] == "B")
    rows.append(rows[repeated])
    error = fault(write_rows(tmp_path, rows, fmt), series=["A"], keep_days=[D])
    assert (error.row, error.reason) == first_repeat(rows, fmt)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("seed", range(12))
def test_the_first_repeat_is_found_in_any_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, seed: int
) -> None:
    # Random files: some rows missing, sorted one way or the other or not at all, or sorted
    # with a stretch moved; a repeat (or none) anywhere. The reader must name the first row
    # that repeats an earlier one, and that earlier one, whatever it keeps.
    monkeypatch.setattr(loadtable, "_CHUNK_ROWS", 32)
    monkeypatch.setattr(parquetloads, "_BATCH_ROWS", 128)
    rng = np.random.default_rng(seed)
    names = [f"M{k}" for k in range(int(rng.integers(1, 6)))]
    days = rng.choice(np.arange(D - 30, D + 30), size=int(rng.integers(1, 4)), replace=False)
    slots = [int(day) * 96 + k for day in days for k in range(96)]
    rows = [(name, slot, 1.0) for name in names for slot in slots if rng.random() < 0.8]
    rows = layout(rows, str(rng.choice(["account", "time", "shuffled"])), seed)
    if rng.random() < 0.3:  # a stretch moved from the start to the end
        cut = int(rng.integers(0, len(rows)))
        rows = rows[cut:] + rows[:cut]
    for _ in range(int(rng.integers(0, 3))):
        rows.insert(int(rng.integers(0, len(rows) + 1)), rows[int(rng.integers(0, len(rows)))])
    path = write_rows(tmp_path, rows, fmt)
    kept_days = [int(days[0]) + 1, int(days[0])]
    expected = first_repeat(rows, fmt)
    if expected is None:
        cube = read(path, series=names[:1], keep_days=kept_days)
        np.testing.assert_array_equal(
            cube.values, expected_cube(rows, names[:1], sorted(kept_days))
        )
    else:
        error = fault(path, series=names[:1], keep_days=kept_days)
        assert (error.row, error.reason) == expected


def test_repeat_among_days_centuries_apart(tmp_path: Path) -> None:
    # Days are numbered as they appear: rows in 1970 and in 9999 cost no more than adjacent days.
    last = day_number(dt.date(9999, 12, 31)) * 96 + 95
    rows = [("A", 0, 1.0), ("B", last, 2.0), ("A", D * 96, 3.0), ("B", 5, 4.0), ("A", 0, 5.0)]
    error = fault(write_rows(tmp_path, rows, "parquet"), keep_days=[D])
    assert (error.row, error.reason) == first_repeat(rows, "parquet")
    cube = read(write_rows(tmp_path, rows[:-1], "csv"), keep_days=[D])
    assert cube.values[0, 0, 0] == 3.0


def test_system_load_repeat_far_apart_on_a_dropped_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loadtable, "_CHUNK_ROWS", 16)
    slots = [int(s) for s in np.random.default_rng(5).permutation(np.arange(D * 96, (D + 2) * 96))]
    slots.append(slots[3])
    text = "".join(f"{slot_text(slot)},{k}\n" for k, slot in enumerate(slots))
    error = fault(write_csv(tmp_path, "ts,mw\n" + text), value_column="mw", keep_days=[D + 5])
    when = slot_text(slots[3])
    assert (error.row, error.reason) == (
        len(slots) + 1,
        f"重复：'system' 在 {when} 的读数已见于第 5 行",
    )


# --- encodings: UTF-8, UTF-8 with BOM, GB18030 (Excel on a Chinese Windows) -----------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding_reads_alike(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "loads.csv"
    path.write_bytes((HEADER + f"荔湾1,{T00},1.5\n荔湾1,{T15},2\n").encode(encoding))
    cube = read(path)
    assert cube.series == ("荔湾1",)
    assert cube.values[0, 0, :2].tolist() == [1.5, 2.0]


def test_gbk_named_explicitly_and_a_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "loads.csv"
    path.write_bytes((HEADER + f"A,{T00},1\n荔湾1,{T15},2\n").encode("gbk"))
    names = read_interval_file(
        path, value_column="kw", series=None, keep_days=None, encoding="gbk"
    ).series
    assert names == ("A", "荔湾1")
    with pytest.raises(InputError) as caught:
        read_interval_file(path, value_column="kw", series=None, keep_days=None, encoding="utf-8")
    assert caught.value.row == 3
    assert caught.value.reason.startswith("不是有效的 utf-8 文本")


def test_stray_bytes_far_into_a_utf8_file_name_their_line(tmp_path: Path) -> None:
    # Judged UTF-8 by its head, the file is checked in full by the reader all the same.
    rows = [
        f"A,{np.datetime64('2025-07-01T00:00') + np.timedelta64(15 * k, 'm')},1\n"
        for k in range(200_000)
    ]
    body = "".join(rows).replace("T", " ").encode()
    path = tmp_path / "loads.csv"
    path.write_bytes(HEADER.encode() + body + "荔,2030-01-01 00:00,1\n".encode("gbk"))
    error = fault(path)
    assert (error.row, error.reason.split("（")[0]) == (200_002, "不是有效的 utf-8 文本")


def test_a_row_with_too_few_fields_is_named_by_line(tmp_path: Path) -> None:
    error = fault(write_csv(tmp_path, HEADER + f"A,{T00},1\nA,{T15}\n"))
    assert (error.row, error.reason) == (3, "有 2 个字段，表头有 3 个")
