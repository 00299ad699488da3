"""Interoperability with ElaadNL's ``openadr3-client`` (the most used OpenADR 3 client), which
needs Python >= 3.12: it runs in its own venv (``.venv-openadr3-client/``, made once from the
pinned requirement in ``openadr3-client.txt``) as a separate process, driven step by step by
``openadr3_client_driver.py`` against the VTN served on a loopback port.

As BL it creates a program and an event (its models send ``null`` for every optional property
left unset: the one leniency); as a participant's VEN it finds the invitation, bids by report
(stored as an openadr3 bid), finds the plan and reports telemetry (seen by the monitoring).

Without Python 3.12 the test is skipped, or fails when ``GZVPP_REQUIRE_INTEROP=1`` (CI).
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers import D, create_event, provision, realtime_user, tick
from service_api import Api

from gzkit.db import session_scope
from gzvpp.openadr import provisioning

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REQUIREMENT = HERE / "openadr3-client.txt"
VENV = ROOT / ".venv-openadr3-client"
DRIVER = HERE / "openadr3_client_driver.py"


def python312() -> str | None:
    """A working Python >= 3.12: ``$GZVPP_PYTHON312``, pyenv's, or ``python3.12`` on the PATH
    (a pyenv shim there may not run, so each is tried)."""
    pyenv = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")))
    candidates = [os.environ.get("GZVPP_PYTHON312"), *reversed(pyenv), shutil.which("python3.12")]
    for candidate in filter(None, candidates):
        check = "import sys; sys.exit(sys.version_info < (3, 12))"
        if subprocess.run([candidate, "-c", check], capture_output=True).returncode == 0:
            return candidate
    return None


def client_venv() -> Path:
    """The client's venv, made (once per pinned requirement) with Python 3.12; its python."""
    interpreter = python312()
    if interpreter is None:
        message = "no Python 3.12 for openadr3-client (set GZVPP_PYTHON312)"
        if os.environ.get("GZVPP_REQUIRE_INTEROP") == "1":
            pytest.fail(message)
        pytest.skip(message)
    python, stamp = VENV / "bin" / "python", VENV / ".gzvpp-requirement"
    wanted = f"{interpreter}\n{REQUIREMENT.read_text()}"
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        shutil.rmtree(VENV, ignore_errors=True)
        subprocess.run([interpreter, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENT)], check=True
        )
        stamp.write_text(wanted)
    return python


def drive(python: Path, step: str, base: str, client_id: str, secret: str, *args: str) -> Any:
    result = subprocess.run(
        [str(python), str(DRIVER), step, base, client_id, secret, *args],
        capture_output=True,
        text=True,
        timeout=120,
        # The VTN is plain HTTP on loopback; oauthlib refuses that unless told.
        env={**os.environ, "OAUTHLIB_INSECURE_TRANSPORT": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_openadr3_client_program_event_bid_and_telemetry(api: Api, server: str) -> None:
    python = client_venv()
    base = f"{server}/openadr3/3.1.0"
    api.clock.set(dt.datetime.combine(D - dt.timedelta(days=1), dt.time(8, 0)))

    # BL: a program and an event through the client's models, nulls and all.
    with session_scope(api.app.state.sessionmaker) as session:
        bl = provisioning.add_bl(session, "test", api.clock.now(), "interop BL")
    made = drive(python, "program-and-event", base, bl.client_id, bl.client_secret)
    assert made["event_name"] == "interop price" and made["program_id"] and made["event_id"]

    # VEN: the invitation, a bid on it.
    participant, _ = realtime_user(api)
    ven = provision(api, participant, ven_name=f"ven-elaad-{participant[:8]}")
    assert ven.client_id and ven.client_secret
    event = create_event(
        api,
        mode="day_ahead",
        start_at=f"{D}T12:00:00",
        end_at=f"{D}T13:00:00",
        price_mode="bidding",
    )
    api.app.state.openadr.relay.run_once()
    drive(python, "bid", base, ven.client_id, ven.client_secret, event["id"], "420", "3.3")
    bids = api.client.get(f"/api/events/{event['id']}/bids", headers=api.grid).json()["items"]
    assert [
        (b["kw"], b["price"], b["source"]) for b in bids if b["participant_id"] == participant
    ] == [("420.000", "3.3000", "openadr3")]

    # The plan, then a minute of telemetry at the window's start.
    api.clock.set(dt.datetime.combine(D - dt.timedelta(days=1), dt.time(11, 0)))
    tick(api)
    api.app.state.openadr.relay.run_once()
    api.clock.set(dt.datetime.combine(D, dt.time(12, 1)))
    drive(python, "telemetry", base, ven.client_id, ven.client_secret, event["id"], "600")
    view = api.client.get(f"/api/events/{event['id']}/monitoring", headers=api.grid).json()
    (part,) = [p for p in view["participants"] if p["participant_id"] == participant]
    assert [(s["at"][-8:], s["kw"]) for s in part["samples"]] == [("12:00:00", "600.000")]
