"""Hostile and implausible meter uploads, on SQLite and PostgreSQL: memory in proportion to the
upload, plausible readings only, a body limit of the meter routes' own."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from meter_scenario import days_between, enrol_aggregator, enrol_user, load_frame, upload, write
from service_api import Api
from sqlalchemy import select

from gzvpp.meterdata.plausibility import HISTORY_REACH, MeterSettings
from gzvpp.meterdata.repository import decode_day
from gzvpp.models import MeterDay

BUDGET = 100  # bytes of memory per byte uploaded, beyond what any request costs


def stored(api: Api, account_id: str) -> dict[dt.date, np.ndarray[Any, Any]]:
    with api.session() as session:
        rows = session.execute(
            select(MeterDay.day, MeterDay.kw).where(MeterDay.account_id == account_id)
        )
        return {day: decode_day(blob) for day, blob in rows}


def peak_of_upload(api: Api, path: Path) -> tuple[int, int, dict[str, Any]]:
    """Upload ``path`` as the metering identity, tracing allocations (NumPy's included): the
    status, the traced peak in bytes and the body."""
    tracemalloc.start()
    try:
        response = upload(api, path, api.metering)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    body: dict[str, Any] = response.json()
    return response.status_code, peak, body


def request_overhead(api: Api, tmp_path: Path, row: str) -> int:
    """The traced peak of an upload of one row: what any request costs."""
    path = tmp_path / "one.csv"
    path.write_text(f"account_id,ts,kw\n{row}\n")
    return peak_of_upload(api, path)[1]


def test_the_27_kib_bomb_of_unknown_accounts_costs_little(api: Api, tmp_path: Path) -> None:
    """1,000 rows `A{i},<2000-01-01 + i days>` were sized as 1,000 accounts × 1,000 days × 96
    × 8 bytes (+820 MiB) before anyone asked whose the accounts were."""
    path = tmp_path / "bomb.csv"
    first = dt.date(2000, 1, 1)
    lines = [f"A{i},{first + dt.timedelta(days=i)} 00:00,1" for i in range(1000)]
    path.write_text("account_id,ts,kw\n" + "\n".join(lines) + "\n")
    size = path.stat().st_size
    assert 20_000 < size < 30_000
    overhead = request_overhead(api, tmp_path, "A0,2000-01-01 00:00,1")
    status, peak, body = peak_of_upload(api, path)
    assert status == 422
    assert "not held by any participant: A0, A1, A10," in body["detail"][0]["msg"]
    assert peak - overhead < BUDGET * size, f"{peak / 2**20:.1f} MiB for {size / 1024:.0f} KiB"


def test_scattered_readings_of_known_accounts_cost_memory_by_rows(api: Api, tmp_path: Path) -> None:
    """Readings of 100 enrolled accounts scattered over two years: memory follows the 1,000
    readings sent, not 100 accounts × 700 days."""
    aggregator = enrol_aggregator(api, members=[api.member() for _ in range(100)])
    earliest = api.clock.now().date() - HISTORY_REACH + dt.timedelta(days=2)
    rows = [
        f"{account},{earliest + dt.timedelta(days=(7 * k + 3 * i) % 700)} 10:00,{100 + k}"
        for i, account in enumerate(aggregator.accounts)
        for k in range(10)
    ]
    path = tmp_path / "scattered.csv"
    path.write_text("account_id,ts,kw\n" + "\n".join(rows) + "\n")
    size = path.stat().st_size
    overhead = request_overhead(api, tmp_path, rows[0])
    status, peak, body = peak_of_upload(api, path)
    assert status == 200, body
    assert (body["values"], body["new_values"], body["series"]) == (1000, 999, 100)
    assert peak - overhead < BUDGET * size, f"{peak / 2**20:.1f} MiB for {size / 1024:.0f} KiB"
    assert len(stored(api, aggregator.accounts[0])) == 10


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "meter.csv"
    path.write_text("account_id,ts,kw\n" + "".join(f"{r}\n" for r in rows))
    return path


@pytest.mark.parametrize(
    ("ts", "kw", "reason"),
    [
        ("2030-01-01 00:00", "1", "is in the future"),
        ("9999-12-31 23:45", "1", "is in the future"),
        ("{now} 09:00", "1", "is in the future"),  # the interval 09:00–09:15 has not ended
        ("2000-01-01 00:00", "1", "before its enrolment"),
        ("2025-03-03 00:00", "1e300", "exceeds account"),
        ("2025-03-03 00:00", "-50001", "exceeds account"),  # 10 × 5000 kW declared maximum load
    ],
)
def test_implausible_readings_are_refused_naming_the_line(
    api: Api, tmp_path: Path, ts: str, kw: str, reason: str
) -> None:
    user = enrol_user(api, max_load_kw="5000")
    account = user.accounts[0]
    text = ts.format(now=api.clock.now().date())
    path = _csv(tmp_path, f"{account},2025-03-03 00:15,100", f"{account},{text},{kw}")
    response = upload(api, path, api.metering)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "file"]
    assert error["msg"].startswith("meter.csv 第 3 行：")
    assert reason in error["msg"]
    assert stored(api, account) == {}


def test_net_export_is_allowed_and_counted(api: Api, tmp_path: Path) -> None:
    user = enrol_user(api, max_load_kw="5000")
    account = user.accounts[0]
    path = _csv(
        tmp_path,
        f"{account},2025-03-03 00:00,-120.5",
        f"{account},2025-03-03 00:15,-49999",
        f"{account},2025-03-03 00:30,300",
        # the last interval that has ended by the clock (09:00)
        f"{account},{api.clock.now():%Y-%m-%d} 08:45,10",
    )
    response = upload(api, path, api.metering)
    assert response.status_code == 200, response.text
    assert (response.json()["values"], response.json()["negative_values"]) == (4, 2)
    assert stored(api, account)[dt.date(2025, 3, 3)][:3].tolist() == [-120.5, -49999.0, 300.0]


@pytest.mark.parametrize(
    ("reading", "loc", "text"),
    [
        ({"ts": "2030-06-01T00:00:00"}, "ts", "is in the future"),
        ({"ts": "2000-01-01T00:00:00"}, "ts", "before its enrolment"),
        ({"kw": 1e300}, "kw", "exceeds account"),
    ],
)
def test_implausible_json_readings_name_the_field(
    api: Api, reading: dict[str, Any], loc: str, text: str
) -> None:
    user = enrol_user(api)
    first = {"account_id": user.accounts[0], "ts": "2025-03-10T08:00:00", "kw": 1}
    second = {**first, "ts": "2025-03-10T08:15:00", **reading}
    response = api.client.post(
        "/api/meterdata/loads", json={"readings": [first, second]}, headers=api.metering
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "readings", 1, loc]
    assert text in error["msg"]
    assert stored(api, user.accounts[0]) == {}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_non_finite_json_readings_name_the_field(api: Api, number: str) -> None:
    user = enrol_user(api)
    first = f'{{"account_id": "{user.accounts[0]}", "ts": "2025-03-10T08:00:00", "kw": 1}}'
    second = first.replace("08:00", "08:15").replace('"kw": 1', f'"kw": {number}')
    body = f'{{"readings": [{first}, {second}]}}'
    response = api.client.post(
        "/api/meterdata/loads",
        content=body,
        headers={**api.metering, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "readings", 1, "kw"]
    assert "not a finite number" in error["msg"]


@pytest.fixture
def small_limit(api: Api) -> Iterator[int]:
    """The meter routes' body limit lowered to 2,000 bytes for one test."""
    settings = api.app.state.meter_settings
    api.app.state.meter_settings = dataclasses.replace(settings, max_upload_bytes=2000)
    yield 2000
    api.app.state.meter_settings = settings


def _leftovers() -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob("gzvpp-upload-*"))


def test_a_file_over_the_limit_is_413_and_nothing_is_kept(
    api: Api, tmp_path: Path, small_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server spools uploads under the temporary directory: a private one, so that what
    # other processes on the machine upload meanwhile is not counted as left over.
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    user = enrol_user(api)
    account = user.accounts[0]
    days = days_between(dt.date(2025, 3, 3), dt.date(2025, 3, 3))
    values = np.full((1, 96), 100.0)
    path = write(load_frame({account: values}, days), tmp_path)
    assert path.stat().st_size > small_limit
    assert _leftovers() == []

    declared = upload(api, path, api.metering)
    assert declared.status_code == 413
    assert "上限" in declared.json()["detail"]
    assert "exceeds the limit of 2000 bytes" in declared.json()["detail"]

    # Sent in chunks without a Content-Length: refused once the limit is passed.
    boundary = "gzvppboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()

    def body() -> Iterator[bytes]:
        yield head
        data = path.read_bytes()
        for start in range(0, len(data), 500):
            yield data[start : start + 500]
        yield f"\r\n--{boundary}--\r\n".encode()

    streamed = api.client.post(
        "/api/meterdata/loads:upload",
        content=body(),
        headers={**api.metering, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert streamed.status_code == 413
    assert stored(api, account) == {}
    assert _leftovers() == []

    small = path.with_name("small.csv")
    small.write_text("\n".join(path.read_text().splitlines()[:11]) + "\n")
    assert upload(api, small, api.metering).status_code == 200


def test_a_participants_upload_is_refused_before_its_body_is_read(
    api: Api, small_limit: int
) -> None:
    user = enrol_user(api)
    response = api.client.post(
        "/api/meterdata/loads:upload",
        files={"file": ("m.csv", b"x" * 10 * small_limit)},
        headers=user.headers,
    )
    assert response.status_code == 403


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GZVPP_METER_UPLOAD_MAX_BYTES", "1048576")
    monkeypatch.setenv("GZVPP_METER_MAX_LOAD_FACTOR", "4")
    settings = MeterSettings.from_env()
    assert (settings.max_upload_bytes, settings.max_load_factor) == (1048576, 4.0)
    assert settings.max_rows == 1048576 // 16


def test_a_parquet_file_is_capped_by_its_rows(api: Api, tmp_path: Path) -> None:
    """Compressed Parquet holds more rows per byte than CSV: its rows are capped as if it were
    CSV, before any reading is kept."""
    settings = api.app.state.meter_settings
    api.app.state.meter_settings = dataclasses.replace(settings, max_upload_bytes=10_000)
    try:
        user = enrol_user(api)
        days = days_between(dt.date(2025, 3, 1), dt.date(2025, 3, 21))
        values = np.full((len(days), 96), 100.0)
        path = write(load_frame({user.accounts[0]: values}, days), tmp_path, ".parquet")
        assert path.stat().st_size < 10_000
        response = upload(api, path, api.metering)
    finally:
        api.app.state.meter_settings = settings
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].endswith(
        f"有 {len(days) * 96} 条记录，一次上传最多 {10_000 // 16} 条"
    )
    assert stored(api, user.accounts[0]) == {}


def test_the_form_takes_only_file_and_reason(api: Api) -> None:
    user = enrol_user(api)
    body = f"account_id,ts,kw\n{user.accounts[0]},2025-03-03 00:00,1\n".encode()
    misspelt = api.client.post(
        "/api/meterdata/loads:upload",
        files={"file": ("m.csv", body)},
        data={"reasn": "换表"},
        headers=api.metering,
    )
    assert misspelt.status_code == 422
    assert misspelt.json()["detail"][0]["loc"] == ["body", "reasn"]
    no_file = api.client.post(
        "/api/meterdata/loads:upload", data={"reason": "换表"}, headers=api.metering
    )
    assert no_file.status_code == 422
    assert stored(api, user.accounts[0]) == {}
