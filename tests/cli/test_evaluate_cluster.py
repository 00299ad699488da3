"""``gzvpp evaluate --cluster``: the settlement partitioned by participant on a Dask LocalCluster
of 2 worker processes gives the single-process result file byte for byte; loads may be a
partitioned Parquet dataset on both paths.

The data is the benchmark's generator at a small size: users and aggregators of 2–50 members,
10 events with 400 awards, non-executions enough that some participants are suspended.
"""

from __future__ import annotations

import csv
import io
import pickle
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from gzkit.inputs import InputError
from gzvpp.cli import app
from gzvpp.demo.scenario import ScenarioFiles, ScenarioSize, write_scenario
from gzvpp.evaluation.cluster import partition_count, partition_groups, partition_participants
from gzvpp.evaluation.layout import GROUP_KEY, participant_groups
from gzvpp.evaluation.run import EvaluationInputs, plan_evaluation

RUNNER = CliRunner()
WIDE = {"COLUMNS": "1000"}
SIZE = ScenarioSize(accounts=150, history_days=160, events=10, awards=400)
BUCKETS = 3


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> ScenarioFiles:
    return write_scenario(tmp_path_factory.mktemp("scenario"), SIZE, loads_format="parquet")


def evaluate(
    files: ScenarioFiles, out: Path, *extra: str, loads: Path | str | None = None
) -> Result:
    args = [
        "evaluate",
        "--loads", str(loads or files.loads),
        "--system-load", str(files.system_load),
        "--participants", str(files.participants),
        "--events", str(files.events),
        "--out", str(out),
        *extra,
    ]  # fmt: skip
    result = RUNNER.invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    return result


def write_dataset(files: ScenarioFiles, folder: Path) -> Path:
    """The loads as a hive-partitioned dataset, ``bucket=K/part.parquet`` by account hash."""
    table = pq.read_table(files.loads)
    accounts = table.column("account_id").to_pylist()
    buckets = [zlib.crc32(a.encode()) % BUCKETS for a in accounts]
    for bucket in range(BUCKETS):
        rows = pa.array([b == bucket for b in buckets])
        (folder / f"bucket={bucket}").mkdir(parents=True)
        pq.write_table(table.filter(rows), folder / f"bucket={bucket}" / "part.parquet")
    return folder


@pytest.fixture(scope="module")
def single_process(scenario: ScenarioFiles, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("single") / "results.csv"
    evaluate(scenario, out)
    return out.read_bytes()


def test_cluster_gives_the_single_process_file_byte_for_byte(
    scenario: ScenarioFiles, single_process: bytes, tmp_path: Path
) -> None:
    out = tmp_path / "cluster.csv"
    evaluate(scenario, out, "--cluster", "local:2", "--worker-memory", "1GiB")
    # The scenario exercises what runs across events: aggregators, suspensions, rank scores.
    rows = list(csv.DictReader(io.StringIO(single_process.decode())))
    assert len(rows) == SIZE.awards
    assert any(r["participant_id"].startswith("A") for r in rows)  # aggregators (A0001 …)
    assert any(r["suspended"] == "true" for r in rows)
    assert len({r["rank_score"] for r in rows}) > 10
    assert out.read_bytes() == single_process


def test_loads_as_a_partitioned_dataset_on_both_paths(
    scenario: ScenarioFiles, single_process: bytes, tmp_path: Path
) -> None:
    dataset = write_dataset(scenario, tmp_path / "loads")
    for name, loads in [("folder", dataset), ("glob", dataset / "bucket=*" / "*.parquet")]:
        out = tmp_path / f"{name}.csv"
        evaluate(scenario, out, loads=loads)
        assert out.read_bytes() == single_process, name
    out = tmp_path / "cluster.csv"
    evaluate(scenario, out, "--cluster", "local:2", "--worker-memory", "1GiB", loads=dataset)
    assert out.read_bytes() == single_process


def test_loads_grouped_by_participant_give_the_same_file_on_both_paths(
    scenario: ScenarioFiles, single_process: bytes, tmp_path: Path
) -> None:
    grouped = tmp_path / "grouped"
    result = RUNNER.invoke(
        app,
        ["loads", "group", str(scenario.loads), str(grouped),
         "--participants", str(scenario.participants), "--groups", "5"],
        env=WIDE,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (grouped / "_layout.json").is_file()
    # Every account's rows lie in its participant's group, and only there.
    plan = plan_evaluation(
        EvaluationInputs(grouped, scenario.system_load, scenario.participants, scenario.events)
    )
    owner = {a: p for p in sorted(plan.participants) for a in plan.participants[p].accounts}
    for folder in sorted(grouped.glob(f"{GROUP_KEY}=*")):
        group = int(folder.name.split("=")[1])
        accounts = set(pq.read_table(folder / "part-0.parquet").column("account_id").to_pylist())
        owners = sorted({owner[a] for a in accounts})
        assert set(participant_groups(owners, 5).tolist()) == {group}
    for extra in [(), ("--cluster", "local:2", "--worker-memory", "1GiB")]:
        out = tmp_path / f"grouped{len(extra)}.csv"
        evaluate(scenario, out, *extra, loads=grouped)
        assert out.read_bytes() == single_process, extra
    # Loads grouped for other participants are refused: rows of accounts then unowned were
    # left out, and a member that changed aggregator may have changed group.
    fewer = tmp_path / "participants-fewer.csv"
    lines = scenario.participants.read_text(encoding="utf-8").splitlines()
    fewer.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    result = RUNNER.invoke(
        app,
        ["evaluate", "--loads", str(grouped), "--system-load", str(scenario.system_load),
         "--participants", str(fewer), "--events", str(scenario.events),
         "--out", str(tmp_path / "stale.csv"), "--cluster", "local:1"],
        env=WIDE,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "gzvpp loads group" in result.stderr and "_layout.json" in result.stderr


@pytest.mark.parametrize("order", ["by_account", "by_time"])
def test_each_group_file_holds_its_accounts_rows_in_the_input_order(
    scenario: ScenarioFiles, tmp_path: Path, order: str
) -> None:
    # By account, a batch holds a few runs of each group, written as slices; by time, accounts
    # interleave row by row and the batch is first put in group order.
    table = pq.read_table(scenario.loads)
    if order == "by_time":
        table = table.sort_by([("ts", "ascending"), ("account_id", "descending")])
    loads = tmp_path / "loads.parquet"
    pq.write_table(table, loads)
    grouped = tmp_path / "grouped"
    result = RUNNER.invoke(
        app,
        ["loads", "group", str(loads), str(grouped),
         "--participants", str(scenario.participants), "--groups", "4"],
        env=WIDE,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    plan = plan_evaluation(
        EvaluationInputs(loads, scenario.system_load, scenario.participants, scenario.events)
    )
    ids = sorted(plan.participants)
    group_of = dict(zip(ids, participant_groups(ids, 4).tolist(), strict=True))
    account_group = {a: group_of[p] for p in reversed(ids) for a in plan.participants[p].accounts}
    accounts = table.column("account_id").to_pylist()
    for group in range(4):
        path = grouped / f"{GROUP_KEY}={group}" / "part-0.parquet"
        expected = table.filter(pa.array([account_group.get(a) == group for a in accounts]))
        written = pq.read_table(path, partitioning=None)
        assert written.equals(expected.cast(written.schema)), group
        # The account column is plain text (each file's own dictionary, not the input's); the
        # 15-minute timestamps are delta-encoded.
        assert written.schema.field("account_id").type == pa.string()
        encodings = pq.ParquetFile(path).metadata.row_group(0).column(1).encodings
        assert "DELTA_BINARY_PACKED" in encodings


def test_grouping_refuses_an_existing_folder_and_a_file_that_is_not_parquet(
    scenario: ScenarioFiles, tmp_path: Path
) -> None:
    args = ["--participants", str(scenario.participants)]
    taken = tmp_path / "taken"
    taken.mkdir()
    result = RUNNER.invoke(app, ["loads", "group", str(scenario.loads), str(taken), *args])
    assert result.exit_code == 2 and "输出目录已存在" in result.stderr
    text = tmp_path / "loads.csv"
    text.write_text("account_id,ts,kw\nA1,2025-07-01 00:00,1\n", encoding="utf-8")
    result = RUNNER.invoke(app, ["loads", "group", str(text), str(tmp_path / "out"), *args])
    assert result.exit_code == 2 and "loads.csv" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()
    assert not (tmp_path / "out.partial").exists()


def test_partitions_of_whole_groups_cover_every_awarded_participant_once(
    scenario: ScenarioFiles,
) -> None:
    plan = plan_evaluation(
        EvaluationInputs(
            scenario.loads, scenario.system_load, scenario.participants, scenario.events
        )
    )
    parts = partition_groups(plan.events, plan.participants, 2, 7)
    awarded = {w.participant_id for e in plan.events for w in e.awards}
    listed = [p for members, _ in parts for p in members]
    assert sorted(listed) == sorted(awarded)
    for members, groups in parts:  # a participant goes with its group, a group with one task
        assert set(participant_groups(members, 7).tolist()) <= set(groups)
    every_group = [g for _, groups in parts for g in groups]
    assert len(every_group) == len(set(every_group)) and len(parts) == 2


def test_partitions_keep_each_aggregator_whole_and_balance_accounts(
    scenario: ScenarioFiles,
) -> None:
    plan = plan_evaluation(
        EvaluationInputs(
            scenario.loads, scenario.system_load, scenario.participants, scenario.events
        )
    )
    groups = partition_participants(plan.events, plan.participants, 3)
    awarded = {w.participant_id for e in plan.events for w in e.awards}
    listed = [p for group in groups for p in group]
    assert sorted(listed) == sorted(awarded)  # each awarded participant in exactly one group
    sizes = [sum(len(plan.participants[p].accounts) for p in group) for group in groups]
    largest = max(len(plan.participants[p].accounts) for p in awarded)
    assert len(groups) == 3 and max(sizes) - min(sizes) <= largest


def test_an_input_error_raised_on_a_worker_reaches_the_client_whole() -> None:
    error = InputError("loads.parquet", "inf 不是有限的数", row=7, unit="row", column="kw")
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.path, copy.row, copy.unit, copy.column, copy.reason) == (
        "loads.parquet 第 7 条记录 kw 列：inf 不是有限的数",
        "loads.parquet",
        7,
        "row",
        "kw",
        "inf 不是有限的数",
    )


@pytest.mark.parametrize("spec", ["local:0", "local:two"])
def test_a_bad_local_cluster_is_a_one_line_error(
    scenario: ScenarioFiles, tmp_path: Path, spec: str
) -> None:
    args = [
        "evaluate",
        "--loads", str(scenario.loads),
        "--system-load", str(scenario.system_load),
        "--participants", str(scenario.participants),
        "--events", str(scenario.events),
        "--out", str(tmp_path / "out.csv"),
        "--cluster", spec,
    ]  # fmt: skip
    result = RUNNER.invoke(app, args, env=WIDE)
    assert result.exit_code == 2
    assert f"--cluster local:N 需要正整数 N（工作进程数），收到 '{spec}'" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_partitions_enough_for_each_cube_to_take_a_quarter_of_a_worker() -> None:
    # 10,000 accounts × 100 days × 96 intervals × 8 B = 768 MB; a quarter of 1 GiB is 268 MB.
    assert partition_count(2, 10_000, 100, 2**30) == 3
    assert partition_count(4, 10_000, 100, 2**30) == 4  # at least one per worker
    assert partition_count(2, 10_000, 100, 0) == 2  # no memory limit


def test_a_glob_matching_no_file_is_a_one_line_error(
    scenario: ScenarioFiles, tmp_path: Path
) -> None:
    pattern = tmp_path / "loads" / "*.parquet"
    args = [
        "evaluate",
        "--loads", str(pattern),
        "--system-load", str(scenario.system_load),
        "--participants", str(scenario.participants),
        "--events", str(scenario.events),
        "--out", str(tmp_path / "out.csv"),
    ]  # fmt: skip
    result = RUNNER.invoke(app, args, env=WIDE)
    assert result.exit_code == 2
    assert f"错误：{pattern}：没有与此模式匹配的 Parquet 文件" in result.output
    assert not (tmp_path / "out.csv").exists()
