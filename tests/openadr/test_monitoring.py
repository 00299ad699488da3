"""Real-time monitoring in-process: late and early readings, several resources, who sees what,
and the ``gzvpp openadr`` commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from helpers import D, demand_report, realtime_dispatch, realtime_user
from service_api import Api
from typer.testing import CliRunner

from gzkit.db import count_statements
from gzvpp.cli import app as cli
from gzvpp.models import Role

P = "/openadr3/3.1.0"


@pytest.fixture(scope="module")
def dispatched(api: Api, app: FastAPI) -> dict[str, Any]:
    """Two participants dispatched at D 14:02 (300 kW each), each with a VEN and its event."""
    people = [realtime_user(api)[0] for _ in range(2)]
    event, headers, events = realtime_dispatch(api, people)
    return {"event": event, "people": people, "headers": headers, "events": events}


def test_late_early_and_several_resources(api: Api, dispatched: dict[str, Any]) -> None:
    first, second = dispatched["people"]
    at = dt.datetime.combine(D, dt.time(14, 0))
    sends = [
        # Before the notice: a low load then does not count as reaching the target.
        (first, "m1", at, 500.0),
        # Two meters in the same minute are summed: 400 + 280 = 680 → 320 kW shed.
        (first, "m1", at + dt.timedelta(minutes=9), 400.0),
        (first, "m2", at + dt.timedelta(minutes=9), 280.0),
        (first, "m2", at + dt.timedelta(minutes=8), 900.0),
        # The second reaches at 14:06, within 5 minutes of the 14:02 notice.
        (second, "m1", at + dt.timedelta(minutes=6), 690.0),
    ]
    for participant, meter, minute, kw in sends:
        body = demand_report(dispatched["events"][participant], meter, minute, kw)
        answer = api.client.post(
            f"{P}/reports", json=body, headers=dispatched["headers"][participant]
        )
        assert answer.status_code == 201, answer.text
    view = api.client.get(
        f"/api/events/{dispatched['event']['id']}/monitoring", headers=api.grid
    ).json()
    parts = {p["participant_id"]: p for p in view["participants"]}
    late = parts[first]
    assert late["target_reached_at"] == f"{D}T14:09:00"
    assert late["reached_in_time"] is False
    assert late["latest"]["kw"] == "680.000" and late["latest"]["response_kw"] == "320.000"
    assert late["latest"]["baseline_kw"] == "1000.0" and late["participant_name"]
    assert parts[second]["reached_in_time"] is True
    assert view["total"]["target_kw"] == "600.000"
    assert view["total"]["reached"] == 2 and view["total"]["reached_in_time"] == 1
    assert view["total"]["latest_response_kw"] == "630.000"
    # Each minute of the total carries the other participant's latest response: at 14:08 the
    # first sheds 100 kW and the second still 310 (its 14:06 reading); the line ends at 630.
    totals = {s["at"]: s for s in view["total"]["samples"]}
    assert totals[f"{D}T14:08:00"]["response_kw"] == "410.000"
    assert totals[f"{D}T14:08:00"]["reporting"] == 2
    assert view["total"]["samples"][-1]["response_kw"] == "630.000"
    # A live page asks for one participant's minutes; the others' figures and the total stay.
    narrow = api.client.get(
        f"/api/events/{dispatched['event']['id']}/monitoring",
        params={"samples_for": second},
        headers=api.grid,
    ).json()
    counts = {p["participant_id"]: len(p["samples"]) for p in narrow["participants"]}
    assert counts == {first: 0, second: len(parts[second]["samples"])} and counts[second] > 0
    assert narrow["total"] == view["total"]
    slim = {p["participant_id"]: p for p in narrow["participants"]}
    assert slim[first]["latest"] == late["latest"]
    # A participant's own token sees its own part only; another event is a 404.
    own = api.client.get(
        f"/api/events/{dispatched['event']['id']}/monitoring",
        headers=api.token(Role.POWER_USER, second),
    ).json()
    assert [p["participant_id"] for p in own["participants"]] == [second]
    assert api.client.get("/api/events/nope/monitoring", headers=api.grid).status_code == 404


def test_the_time_reached_only_moves_earlier(
    api: Api, app: FastAPI, dispatched: dict[str, Any]
) -> None:
    # Each report is checked on its own minutes (the others' were checked when they came):
    # a minute sent again below the target leaves the time, an earlier minute moves it, and
    # the resources of one report are summed before the check. A report reads its event once
    # and no earlier minutes: 13–14 statements (15–22 when it read the event three times and
    # every minute so far).
    _, second = dispatched["people"]
    at = dt.datetime.combine(D, dt.time(14, 0))
    both = demand_report(dispatched["events"][second], "m1", at + dt.timedelta(minutes=3), 600.0)
    both["resources"] += demand_report("", "m2", at + dt.timedelta(minutes=3), 300.0)["resources"]
    sends = [
        demand_report(dispatched["events"][second], "m1", at + dt.timedelta(minutes=6), 900.0),
        demand_report(dispatched["events"][second], "m1", at + dt.timedelta(minutes=5), 650.0),
        both,
    ]
    for body in sends:
        # The notifier, told of the report as it commits, may read before the answer is back.
        with count_statements(app.state.engine, except_threads="gzvpp-openadr-") as statements:
            answer = api.client.post(
                f"{P}/reports", json=body, headers=dispatched["headers"][second]
            )
        assert answer.status_code == 201, answer.text
        assert statements[0] <= 14
    view = api.client.get(
        f"/api/events/{dispatched['event']['id']}/monitoring", headers=api.grid
    ).json()
    (part,) = [p for p in view["participants"] if p["participant_id"] == second]
    assert part["target_reached_at"] == f"{D}T14:05:00" and part["reached_in_time"] is True
    assert {s["at"]: s["response_kw"] for s in part["samples"]}[f"{D}T14:03:00"] == "100.000"


def test_a_report_on_someone_elses_event_is_refused(api: Api, dispatched: dict[str, Any]) -> None:
    first, second = dispatched["people"]
    body = demand_report(
        dispatched["events"][first], "m1", dt.datetime.combine(D, dt.time(14, 5)), 1.0
    )
    answer = api.client.post(f"{P}/reports", json=body, headers=dispatched["headers"][second])
    assert answer.status_code == 409


def test_the_openadr_commands(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite"
    runner = CliRunner()
    created = runner.invoke(cli, ["openadr", "add-bl", "--name", "调度系统", "--db", str(db)])
    assert created.exit_code == 0, created.output
    lines = dict(line.split(": ", 1) for line in created.stdout.splitlines())
    assert lines["client_id"].startswith("bl-") and len(lines["client_secret"]) > 40
    missing = runner.invoke(cli, ["openadr", "add-ven", "--participant", "nobody", "--db", str(db)])
    assert missing.exit_code == 2
    assert "participant nobody not found" in missing.output
    revoked = runner.invoke(cli, ["openadr", "revoke", lines["client_id"], "--db", str(db)])
    assert revoked.exit_code == 0
    again = runner.invoke(cli, ["openadr", "revoke", lines["client_id"], "--db", str(db)])
    assert again.exit_code == 2 and "already revoked" in again.output
