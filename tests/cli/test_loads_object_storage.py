"""Loads on object storage: ``gzvpp evaluate --loads s3://…`` and ``gzvpp loads group s3://…``
read Parquet through fsspec — on a cluster each worker reads its own groups from the bucket —
and give the result file of the same loads read from local disk, byte for byte.

The bucket is served by moto's S3 server on a local port (real HTTP, real S3 protocol, s3fs
as a deployment would use it); credentials and endpoint come from the environment, as the
workers of a real cluster get them.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from gzvpp.cli import app
from gzvpp.demo.scenario import ScenarioFiles, ScenarioSize, write_scenario

RUNNER = CliRunner()
WIDE = {"COLUMNS": "1000"}
SIZE = ScenarioSize(accounts=120, history_days=150, events=8, awards=240)
BUCKET = "meter-exports"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3() -> Iterator[object]:
    """An S3 endpoint on 127.0.0.1 with an empty bucket; the environment points at it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.setenv("AWS_ENDPOINT_URL_S3", f"http://{host}:{port}")
        import s3fs

        s3fs.S3FileSystem.clear_instance_cache()
        filesystem = s3fs.S3FileSystem()
        filesystem.mkdir(BUCKET)
        yield filesystem
        s3fs.S3FileSystem.clear_instance_cache()
    server.stop()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> ScenarioFiles:
    return write_scenario(tmp_path_factory.mktemp("scenario"), SIZE, loads_format="parquet")


def invoke(*args: str) -> Result:
    return RUNNER.invoke(app, list(args), env=WIDE)


def evaluate(files: ScenarioFiles, loads: str, out: Path, *extra: str) -> Result:
    return invoke(
        "evaluate",
        "--loads", loads,
        "--system-load", str(files.system_load),
        "--participants", str(files.participants),
        "--events", str(files.events),
        "--out", str(out),
        *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def local_result(scenario: ScenarioFiles, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("local") / "results.csv"
    result = evaluate(scenario, str(scenario.loads), out)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def test_one_file_in_a_bucket_gives_the_local_result(
    s3: object, scenario: ScenarioFiles, local_result: bytes, tmp_path: Path
) -> None:
    s3.put(str(scenario.loads), f"{BUCKET}/single/loads.parquet")  # type: ignore[attr-defined]
    out = tmp_path / "results.csv"
    result = evaluate(scenario, f"s3://{BUCKET}/single/loads.parquet", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == local_result


def test_grouped_loads_in_a_bucket_are_read_by_the_cluster_workers(
    s3: object, scenario: ScenarioFiles, local_result: bytes, tmp_path: Path
) -> None:
    # Grouped straight from the bucket, then the grouped dataset copied into it.
    s3.put(str(scenario.loads), f"{BUCKET}/raw/loads.parquet")  # type: ignore[attr-defined]
    grouped = tmp_path / "grouped"
    result = invoke(
        "loads", "group", f"s3://{BUCKET}/raw/loads.parquet", str(grouped),
        "--participants", str(scenario.participants), "--groups", "4",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    s3.put(str(grouped), f"{BUCKET}/grouped", recursive=True)  # type: ignore[attr-defined]
    out = tmp_path / "cluster.csv"
    result = evaluate(
        scenario, f"s3://{BUCKET}/grouped/", out, "--cluster", "local:2", "--worker-memory", "1GiB"
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == local_result
    # A glob pattern in the bucket is a dataset as well.
    out = tmp_path / "glob.csv"
    result = evaluate(scenario, f"s3://{BUCKET}/grouped/participant_group=*/*.parquet", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == local_result


def test_a_layout_for_other_participants_is_refused_from_the_bucket(
    s3: object, scenario: ScenarioFiles, tmp_path: Path
) -> None:
    grouped = tmp_path / "grouped"
    result = invoke(
        "loads", "group", str(scenario.loads), str(grouped),
        "--participants", str(scenario.participants), "--groups", "3",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    s3.put(str(grouped), f"{BUCKET}/stale", recursive=True)  # type: ignore[attr-defined]
    fewer = tmp_path / "participants.csv"
    lines = scenario.participants.read_text(encoding="utf-8").splitlines()
    fewer.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    files = ScenarioFiles(fewer, scenario.events, scenario.loads, scenario.system_load)
    out = tmp_path / "results.csv"
    result = evaluate(files, f"s3://{BUCKET}/stale/", out, "--cluster", "local:1")
    assert result.exit_code == 2
    assert f"s3://{BUCKET}/stale/_layout.json" in result.output
    assert "另一份参与者名单" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("loads", "said"),
    [
        (f"s3://{BUCKET}/nowhere/loads.parquet", f"s3://{BUCKET}/nowhere/loads.parquet"),
        (f"s3://{BUCKET}/nowhere/part=*/*.parquet", "没有与此模式匹配的 Parquet 文件"),
        (f"s3://{BUCKET}/exports/loads.csv", "远程存储上的负荷须为 Parquet"),
        ("nosuchstore://bucket/loads.parquet", "不支持的存储协议 nosuchstore://"),
    ],
)
def test_bad_locations_are_one_line_naming_them(
    s3: object, scenario: ScenarioFiles, tmp_path: Path, loads: str, said: str
) -> None:
    out = tmp_path / "results.csv"
    result = evaluate(scenario, loads, out)
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert "\n" not in message and "Traceback" not in message
    assert said in message, message
    assert not out.exists()
