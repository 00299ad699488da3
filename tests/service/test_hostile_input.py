"""Hostile and broken input at the edge (issue #9 §2), on SQLite and PostgreSQL alike: bodies
over their limit are a 413, non-finite numbers and control characters a 422 naming the field,
and a 422 stays small and serialisable whatever was sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_api import Api

from gzkit.errors import MAX_ERRORS
from gzkit.limits import DEFAULT_MAX_BYTES
from gzvpp.app import create_app
from gzvpp.kit.policy import METER_UPLOAD_MAX_BYTES_ENV

MiB = 1 << 20
SAME_ORIGIN = {"Origin": "http://testserver"}


def raw_post(api: Api, path: str, text: str) -> Any:
    """POST ``text`` as a JSON body, as the grid operator (``json=`` would refuse NaN)."""
    headers = {**api.grid, "Content-Type": "application/json"}
    return api.client.post(path, content=text.encode(), headers=headers)


def loc_tail(response: Any) -> list[Any]:
    """The last part of each error's ``loc``."""
    return [error["loc"][-1] for error in response.json()["detail"]]


# ---- request size -------------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_before_it_is_read(api: Api) -> None:
    body = api.user(name="x" * (DEFAULT_MAX_BYTES + 1))
    response = api.client.post("/api/participants", json=body, headers=api.grid)
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "请求体过大" in detail and "1 MiB" in detail and "too large" in detail


def test_a_chunked_body_is_cut_off_at_the_limit(api: Api) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"kind": "user", "name": "'
        for _ in range(4 * 16):  # 4 MiB in 64 KiB pieces, no Content-Length
            sent += 1
            yield b"x" * (64 << 10)
        yield b'"}'

    headers = {**api.grid, "Content-Type": "application/json"}
    response = api.client.post("/api/participants", content=chunks(), headers=headers)
    assert response.status_code == 413 and "请求体过大" in response.json()["detail"]


def test_meter_files_have_their_own_larger_limit(api: Api) -> None:
    # 1.2 MiB of readings of an account nobody holds: read (and refused for the account), not
    # cut off at the default 1 MiB.
    rows = [
        f"{account},2024-{1 + d // 28:02d}-{1 + d % 28:02d} {h:02d}:{m:02d},1.5"
        for account in ("A404", "A405")
        for d in range(336)
        for h in range(24)
        for m in (0, 15, 30, 45)
    ]
    data = ("account_id,ts,kw\n" + "\n".join(rows) + "\n").encode()
    assert len(data) > 1.2 * MiB
    response = api.client.post(
        "/api/meterdata/loads:upload",
        files={"file": ("big.csv", data, "text/csv")},
        headers=api.grid,
    )
    assert response.status_code == 422 and "A404" in response.text


def test_the_meter_file_limit_is_a_setting(
    api: Api, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv(METER_UPLOAD_MAX_BYTES_ENV, "2048")
    app = create_app(database_url=f"sqlite:///{tmp_path / 'small.sqlite'}", clock=api.clock)
    try:
        client = TestClient(app)
        data = b"account_id,ts,kw\n" + b"A1,2025-06-01 00:00,1\n" * 200
        answer = client.post(
            "/api/meterdata/loads:upload", files={"file": ("m.csv", data)}, headers=api.grid
        )
        assert answer.status_code == 413 and "2 KiB" in answer.json()["detail"]
    finally:
        app.state.engine.dispose()
    monkeypatch.setenv(METER_UPLOAD_MAX_BYTES_ENV, "lots")
    with pytest.raises(ValueError, match=METER_UPLOAD_MAX_BYTES_ENV):
        create_app(database_url=f"sqlite:///{tmp_path / 'other.sqlite'}", clock=api.clock)


def test_a_huge_field_is_not_echoed_back(api: Api) -> None:
    long = "名" * 250_000  # 750 KB of UTF-8: with the rest, under the body limit
    body = api.user(name=long, feeder="f" * 50_000, substation="s" * 50_000)
    response = api.client.post("/api/participants", json=body, headers=api.grid)
    assert response.status_code == 422
    assert len(response.content) < 2_000
    assert sorted(loc_tail(response)) == ["feeder", "name", "substation"]
    assert all(len(e["input"]) <= 101 for e in response.json()["detail"])


def test_a_422_lists_a_bounded_number_of_errors(api: Api) -> None:
    members = [api.member(capability_kw="-1") for _ in range(3 * MAX_ERRORS)]
    response = api.client.post(
        "/api/participants", json=api.aggregator(members=members), headers=api.grid
    )
    detail = response.json()["detail"]
    assert response.status_code == 422 and len(detail) == MAX_ERRORS + 1
    assert detail[-1]["type"] == "more_errors" and f"{2 * MAX_ERRORS} more" in detail[-1]["msg"]


# ---- NaN, Infinity, 1e309 -----------------------------------------------------------------

NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e309"]
EVENT = {
    "direction": "peak",
    "mode": "hours_ahead",
    "start_at": "2025-06-03T10:00:00",
    "end_at": "2025-06-03T11:00:00",
    "demand_kw": "1000",
    "price_mode": "fixed",
    "fixed_price": "3",
}
# (path, body, the field a number is put in, given as a JSON path of keys and indexes)
NUMBER_FIELDS = [
    ("/api/participants", "user", ("capability_kw",)),
    ("/api/participants", "user", ("max_load_kw",)),
    ("/api/participants", "user", ("realtime_capability_kw",)),
    ("/api/participants", "user", ("unknown_field",)),
    ("/api/participants", "aggregator", ("registered_capital_cny",)),
    ("/api/participants", "aggregator", ("members", 1, "capability_kw")),
    ("/api/events", "event", ("demand_kw",)),
    ("/api/events", "event", ("fixed_price",)),
    ("/api/events", "event", ("forecast_max_mw",)),
    ("/api/events/DR20250603-01/bids", "bid", ("kw",)),
    ("/api/events/DR20250603-01/bids", "bid", ("price",)),
    ("/api/meterdata/loads", "readings", ("readings", 0, "kw")),
]


def _body(api: Api, kind: str) -> dict[str, Any]:
    if kind == "user":
        return api.user()
    if kind == "aggregator":
        return api.aggregator()
    if kind == "event":
        return dict(EVENT)
    if kind == "bid":
        return {"kw": "100", "price": "2"}
    reading = {"account_id": api.account_id(), "ts": "2025-06-01T00:00:00", "kw": 1.0}
    return {"readings": [reading]}


@pytest.mark.parametrize("literal", NON_FINITE)
@pytest.mark.parametrize(("path", "kind", "field"), NUMBER_FIELDS)
def test_non_finite_numbers_are_a_422_naming_the_field(
    api: Api, path: str, kind: str, field: tuple[str | int, ...], literal: str
) -> None:
    body = _body(api, kind)
    target = body
    for key in field[:-1]:
        target = target[key]
    target[field[-1]] = "__NUMBER__"
    response = raw_post(api, path, json.dumps(body).replace('"__NUMBER__"', literal))
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any(tuple(e["loc"][-len(field) :]) == field for e in errors), errors


# ---- control characters -------------------------------------------------------------------


def _console(api: Api) -> TestClient:
    """A second client signed in to the console as the grid operator."""
    client = TestClient(api.app)
    token = api.grid["Authorization"].removeprefix("Bearer ")
    signed = client.post(
        "/console/login", data={"token": token}, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert signed.status_code == 303, signed.text
    return client


def _csv(api: Api, account: str) -> Any:
    data = f"account_id,ts,kw\n{account},2025-06-01 00:00,1\n".encode()
    files = {"file": ("nul.csv", data, "text/csv")}
    return api.client.post("/api/meterdata/loads:upload", files=files, headers=api.grid)


NUL = "广州\x00某厂"
# The eleven places a NUL reached PostgreSQL, and a few more: (name, request, field named).
PLACES = {
    "name": (
        lambda api: api.client.post("/api/participants", json=api.user(name=NUL), headers=api.grid),
        "name",
    ),
    "substation": (
        lambda api: api.client.post(
            "/api/participants", json=api.user(substation=NUL), headers=api.grid
        ),
        "substation",
    ),
    "member name": (
        lambda api: api.client.post(
            "/api/participants",
            json=api.aggregator(members=[api.member(member_name=NUL)]),
            headers=api.grid,
        ),
        "member_name",
    ),
    "event scope": (
        lambda api: api.client.post(
            "/api/events", json={**EVENT, "scope": {"substations": [NUL]}}, headers=api.grid
        ),
        "substations",
    ),
    "rejection reason": (
        lambda api: api.client.post(
            f"/api/participants/{api.enrol(api.user())['id']}/reject",
            json={"reason": NUL},
            headers=api.grid,
        ),
        "reason",
    ),
    "cancellation reason": (
        lambda api: api.client.post(
            "/api/events/DR20250603-01/cancel", json={"reason": NUL}, headers=api.grid
        ),
        "reason",
    ),
    "?q=": (
        lambda api: api.client.get("/api/participants", params={"q": NUL}, headers=api.grid),
        "q",
    ),
    "?substation=": (
        lambda api: api.client.get(
            "/api/participants", params={"substation": NUL}, headers=api.grid
        ),
        "substation",
    ),
    "participant id": (
        lambda api: api.client.get("/api/participants/a%00b", headers=api.grid),
        "participant_id",
    ),
    "event id": (lambda api: api.client.get("/api/events/DR%00", headers=api.grid), "event_id"),
    "?account_id=": (
        lambda api: api.client.get(
            "/api/meterdata/loads",
            params={"account_id": NUL, "from": "2025-06-01T00:00", "to": "2025-06-02T00:00"},
            headers=api.grid,
        ),
        "account_id",
    ),
    "CSV account_id": (lambda api: _csv(api, "A\x00B"), "file"),
    "console search": (
        lambda api: _console(api).get("/console/participants", params={"q": NUL}),
        None,
    ),
    "console path id": (lambda api: _console(api).get("/console/participants/a%00b"), None),
}


@pytest.mark.parametrize("place", PLACES)
def test_control_characters_are_a_422_naming_the_field(api: Api, place: str) -> None:
    call, field = PLACES[place]
    response = call(api)
    assert response.status_code == 422, response.text
    if field is None:  # a console page
        assert "输入有误" in response.text and "控制字符" in response.text
        return
    errors = response.json()["detail"]
    assert field in loc_tail(response), errors
    assert any("控制字符" in e["msg"] or "control character" in e["msg"] for e in errors)


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x7f", "\t", "\n"])
def test_names_refuse_every_control_character(api: Api, character: str) -> None:
    response = api.client.post(
        "/api/participants", json=api.user(name=f"某{character}厂"), headers=api.grid
    )
    assert response.status_code == 422 and loc_tail(response) == ["name"]


def test_a_reason_may_hold_line_breaks(api: Api) -> None:
    applicant = api.enrol(api.user())
    response = api.client.post(
        f"/api/participants/{applicant['id']}/reject",
        json={"reason": "不具备一般纳税人资格\n\t详见附件"},
        headers=api.grid,
    )
    assert response.status_code == 200, response.text
    assert response.json()["rejection_reason"] == "不具备一般纳税人资格\n\t详见附件"


def test_the_openadr3_vtn_refuses_only_nul_in_parameters(api: Api) -> None:
    # openadr3.yaml allows any character in a query string but NUL, which PostgreSQL cannot
    # store: NUL is the VTN's 400 problem, \x17 passes the edge (and meets the missing token).
    programs = "/openadr3/3.1.0/programs"
    nul = api.client.get(programs, params={"targets": "a\x00"})
    assert nul.status_code == 400 and nul.json()["title"] == "Bad Request"
    assert "U+0000" in nul.json()["detail"]
    assert api.client.get(programs, params={"targets": "a\x17"}).status_code == 401
