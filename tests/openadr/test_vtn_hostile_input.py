"""Hostile bodies sent to a real ``gzvpp serve`` process: XML entity tricks and oversized bodies
to the unauthenticated 2.0b VTN, oversized bodies to the OpenADR 3 VTN. Each is refused with
an answer, and the process goes on serving both VTNs and the API.

(lxml crashed the whole process on a DOCTYPE with entities before the 2.0b VTN refused them.)
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from helpers import server_process

REGISTER = "/OpenADR2/Simple/2.0b/EiRegisterParty"
P3 = "/openadr3/3.1.0"
LIMIT = 64 * 1024

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]><lolz>&lol9;</lolz>"
)
SMALL_ENTITY = '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
EXTERNAL_ENTITY = '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    directory: Path = tmp_path_factory.mktemp("live")
    with server_process(directory, GZVPP_OPENADR_MAX_BODY=str(LIMIT)) as running:
        yield running


def still_serving(base: str, process: subprocess.Popen[bytes]) -> None:
    assert process.poll() is None, "the server process died"
    assert httpx.get(f"{base}{P3}/auth/server", timeout=10).status_code == 200
    assert httpx.get(f"{base}/api/events", timeout=10).status_code == 401


@pytest.mark.parametrize(
    "body", [BILLION_LAUGHS, SMALL_ENTITY, EXTERNAL_ENTITY], ids=["laughs", "entity", "external"]
)
def test_xml_with_a_doctype_is_refused_and_the_server_lives(
    live: tuple[str, subprocess.Popen[bytes]], body: str
) -> None:
    base, process = live
    response = httpx.post(
        f"{base}{REGISTER}",
        content=body.encode(),
        headers={"content-type": "application/xml"},
        timeout=30,
    )
    assert response.status_code == 400
    assert "DTD" in response.text or "DOCTYPE" in response.text.upper()
    still_serving(base, process)


def test_a_2b_body_over_the_limit_is_413_declared_or_chunked(
    live: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = live
    big = b"<oadrPayload>" + b"x" * (LIMIT + 1) + b"</oadrPayload>"
    declared = httpx.post(f"{base}{REGISTER}", content=big, timeout=30)
    assert declared.status_code == 413

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b"x" * 4096

    chunked = httpx.post(f"{base}{REGISTER}", content=chunks(), timeout=30)
    assert chunked.status_code == 413
    still_serving(base, process)


def test_a_vtn3_body_over_the_limit_is_a_413_problem(
    live: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = live
    report = {"eventID": "e", "clientName": "c", "reportName": "x" * (LIMIT + 1), "resources": []}
    declared = httpx.post(f"{base}{P3}/reports", json=report, timeout=30)
    assert declared.status_code == 413
    assert declared.json() == {
        "title": "Content Too Large",
        "status": 413,
        "detail": (
            f"请求体过大：此处上限为 64 KiB / Request body too large: at most {LIMIT} bytes here"
        ),
    }

    def chunks() -> Iterator[bytes]:
        yield b'{"eventID": "e", "clientName": "c", "reportName": "'
        for _ in range(64):
            yield b"x" * 4096
        yield b'", "resources": []}'

    chunked = httpx.post(
        f"{base}{P3}/reports",
        content=chunks(),
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert chunked.status_code == 413 and chunked.json()["status"] == 413
    still_serving(base, process)
