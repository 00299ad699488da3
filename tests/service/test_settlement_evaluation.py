"""Evaluation of events from uploaded meter data, checked against the rules engine, on SQLite and
PostgreSQL: results, re-evaluation after a correction, history, audit, notices and scoping."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from meter_scenario import (
    Enrolled,
    add_event,
    cube,
    cut,
    days_between,
    enrol_aggregator,
    enrol_user,
    flat_loads,
    load_frame,
    noisy_loads,
    store_system_load,
    system_cube,
    upload,
    upload_ok,
    write,
)
from service_api import Api
from sqlalchemy import func, select

from gzkit.calendar import Calendar
from gzvpp.core.assessment import assess_event, response_days
from gzvpp.core.model import Event as EngineEvent
from gzvpp.core.model import Mode
from gzvpp.core.results import AwardResult as EngineResult
from gzvpp.core.results import award_results, with_history
from gzvpp.core.timeseries import day_number
from gzvpp.meterdata import baselines as meterdata_baselines
from gzvpp.meterdata.repository import load_cube
from gzvpp.models import AuditLog, Event, EventStatus, Notification, NotificationKind
from gzvpp.settlement import evaluation

D = dt.date(2025, 7, 15)  # a Tuesday; the system load runs 10 % high (factor 1.1)
D2 = dt.date(2025, 7, 22)  # the Tuesday after, also 10 % high
HISTORY = days_between(dt.date(2025, 6, 10), D - dt.timedelta(days=1))
ALL_DAYS = days_between(dt.date(2025, 6, 10), D2)


def results(api: Api, event_id: str, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    response = api.client.get(f"/api/results/events/{event_id}", headers=headers or api.grid)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def by_participant(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["participant_id"]: r for r in rows}


def assert_matches(row: dict[str, Any], expected: EngineResult) -> None:
    """Every figure of a stored result equals the engine's."""
    for field in dataclasses.fields(expected):
        value, got = getattr(expected, field.name), row[field.name]
        if value is None:
            assert got is None, field.name
        elif isinstance(value, Decimal):
            assert Decimal(got) == value, (field.name, got, value)
        elif isinstance(value, tuple):
            assert got == [d.isoformat() for d in value], field.name
        elif isinstance(value, dt.date):
            assert got == value.isoformat(), field.name
        elif isinstance(value, bool | int):
            assert got == value, field.name
        else:
            assert got == str(value), field.name


def engine_results(
    events: list[EngineEvent],
    participants: list[Enrolled],
    loads: dict[str, np.ndarray[Any, Any]],
    days: np.ndarray[Any, Any],
) -> dict[str, list[EngineResult]]:
    """What the rules engine says on the same data, per event, history over ``events``."""
    by_id = {p.id: p.engine() for p in participants}
    history = response_days(events)
    flat = [
        r
        for event in sorted(events, key=lambda e: e.window.start)
        for r in award_results(
            assess_event(event, by_id, cube(loads, days), system_cube(days), Calendar(), history)
        )
    ]
    out: dict[str, list[EngineResult]] = {}
    for r in with_history(flat):
        out.setdefault(r.event_id, []).append(r)
    return out


def audits(api: Api, event_id: str) -> list[AuditLog]:
    with api.session() as session:
        return list(
            session.scalars(
                select(AuditLog)
                .where(AuditLog.action == "event.evaluate", AuditLog.entity_id == event_id)
                .order_by(AuditLog.id)
            )
        )


def notices(api: Api, participant_id: str) -> list[Notification]:
    with api.session() as session:
        return list(
            session.scalars(
                select(Notification)
                .where(
                    Notification.participant_id == participant_id,
                    Notification.kind == NotificationKind.RESULT,
                )
                .order_by(Notification.id)
            )
        )


def test_upload_evaluates_and_corrections_flow_through(api: Api, tmp_path: Path) -> None:
    # U: 1000 kW flat, 400 kW in the window (hand-computed below); A: an aggregator of three
    # noisy members cutting 40 %; B: a bidder in a 4-hour-ahead event.
    user, aggregator, bidder = enrol_user(api), enrol_aggregator(api), enrol_user(api)
    api.clock.set(dt.datetime(2025, 7, 15, 7, 0))  # the history up to D-1 has arrived
    store_system_load(api, ALL_DAYS)
    e1 = add_event(api, D, "14:00", "16:00", [(user, "550", None), (aggregator, "900", None)])
    e2 = add_event(
        api,
        D,
        "10:00",
        "11:00",
        [(bidder, "400", "4.2")],
        mode=Mode.HOURS_AHEAD,
        fixed_price=None,
    )
    own = cut(flat_loads(ALL_DAYS, 1000), ALL_DAYS, D, e1.window, 400)
    # The same cut a week later, for the event added below.
    loads = {user.accounts[0]: cut(own, ALL_DAYS, D2, e1.window, 400)}
    for i, account in enumerate(aggregator.accounts):
        values = noisy_loads(ALL_DAYS, seed=100 + i)
        row = day_number(D) - int(ALL_DAYS[0])
        values[row, 56:64] *= 0.6
        loads[account] = values
    loads[bidder.accounts[0]] = cut(flat_loads(ALL_DAYS, 800), ALL_DAYS, D, e2.window, 500)

    # History before the events end: nothing to evaluate yet.
    history = {a: v[: len(HISTORY)] for a, v in loads.items()}
    assert (
        upload_ok(api, write(load_frame(history, HISTORY), tmp_path, ".parquet"))["evaluations"]
        == []
    )

    # Day D arrives after both windows ended: both events are evaluated.
    api.clock.set(dt.datetime(2025, 7, 16, 9, 0))
    day_d = days_between(D, D)
    row_d = len(HISTORY)
    summary = upload_ok(
        api, write(load_frame({a: v[row_d : row_d + 1] for a, v in loads.items()}, day_d), tmp_path)
    )
    assert sorted((r["event_id"], r["outcome"]) for r in summary["evaluations"]) == sorted(
        [(e1.id, "evaluated"), (e2.id, "evaluated")]
    )

    expected = engine_results([e1, e2], [user, aggregator, bidder], loads, ALL_DAYS)
    stored_e1 = results(api, e1.id)
    assert [r["participant_id"] for r in stored_e1] == [user.id, aggregator.id]
    for row, engine_row in zip(stored_e1, expected[e1.id], strict=True):
        assert_matches(row, engine_row)
    [stored_e2] = results(api, e2.id)
    assert_matches(stored_e2, expected[e2.id][0])

    # By hand: the system load is 10 % high on D, so the baseline is 1000 × 1.1 = 1100 kW; the
    # response 700 kW is 1.272727 of 550 kW, capped at 660 kW: 660 × 2 h = 1320 kWh × 3.5 CNY.
    mine = by_participant(stored_e1)[user.id]
    assert (mine["adjustment_factor"], mine["baseline_avg_kw"], mine["actual_avg_kw"]) == (
        "1.100000",
        "1100.000",
        "400.000",
    )
    assert (mine["response_kw"], mine["response_ratio"], mine["score"]) == (
        "700.000",
        "1.272727",
        "0.80",
    )
    assert (mine["effective"], mine["non_execution"]) == (True, False)
    assert (mine["response_energy_kwh"], mine["effective_energy_kwh"]) == ("1400.000", "1320.000")
    assert (mine["price"], mine["coefficient"], mine["subsidy_cny"]) == (
        "3.5000",
        "1.00",
        "4620.00",
    )
    assert mine["baseline_days"] == [
        "2025-07-07",
        "2025-07-08",
        "2025-07-09",
        "2025-07-10",
        "2025-07-11",
    ]
    # The bidder: baseline 880 kW, response 380 kW of 400 kW for 1 h, its bid 4.2 CNY, × 1.5.
    assert (stored_e2["response_kw"], stored_e2["price"], stored_e2["subsidy_cny"]) == (
        "380.000",
        "4.2000",
        "2394.00",
    )
    with api.session() as session:
        event = session.get(Event, e1.id)
        assert event is not None
        assert (event.status, event.evaluated_at) == (EventStatus.EVALUATED, api.clock.now())
    [audit] = audits(api, e1.id)
    assert audit.before is not None and audit.before["results"] == []
    assert audit.after is not None and len(audit.after["results"]) == 2
    [notice] = notices(api, user.id)
    assert notice.event_id == e1.id
    assert (notice.payload["subsidy_cny"], notice.payload["effective"]) == ("4620.00", True)

    # A second event for U a week later, then a correction of D: U's load on D did not drop.
    e3 = add_event(api, D2, "14:00", "16:00", [(user, "550", None)])
    later = days_between(D + dt.timedelta(days=1), D2)
    api.clock.set(dt.datetime(2025, 7, 23, 9, 0))
    rows_later = slice(row_d + 1, None)
    summary = upload_ok(
        api,
        write(load_frame({user.accounts[0]: loads[user.accounts[0]][rows_later]}, later), tmp_path),
    )
    assert summary["evaluations"] == [{"event_id": e3.id, "outcome": "evaluated", "detail": None}]
    first_e3 = by_participant(results(api, e3.id))[user.id]
    assert (first_e3["score"], first_e3["rank_score"]) == ("0.80", "0.800000")

    fix = tmp_path / "fix.csv"
    lines = [
        f"{user.accounts[0]},2025-07-15 {14 + k // 4:02d}:{15 * (k % 4):02d},1000" for k in range(8)
    ]
    fix.write_text("account_id,ts,kw\n" + "\n".join(lines) + "\n")
    api.clock.set(dt.datetime(2025, 7, 24, 9, 0))
    refused = upload(api, fix, api.metering)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "reason"]
    assert e1.id in refused.json()["detail"][0]["msg"]
    summary = upload_ok(api, fix, reason="计量装置故障，换表后补录")
    assert summary["changed_values"] == 8
    # E1 changes; E3 reads D as a candidate day but D is U's response day, so it is unchanged.
    assert sorted((r["event_id"], r["outcome"]) for r in summary["evaluations"]) == sorted(
        [(e1.id, "evaluated"), (e3.id, "unchanged")]
    )
    loads[user.accounts[0]][row_d, 56:64] = 1000
    expected = engine_results([e1, e2, e3], [user, aggregator, bidder], loads, ALL_DAYS)
    for row, engine_row in zip(results(api, e1.id), expected[e1.id], strict=True):
        assert_matches(row, engine_row)
    corrected = by_participant(results(api, e1.id))[user.id]
    assert (corrected["response_ratio"], corrected["non_execution"], corrected["subsidy_cny"]) == (
        "0.181818",
        True,
        "0.00",
    )
    # The history runs on: E3's rank score is now the mean of 0 and 0.8, and July has one
    # non-execution by the time of E3.
    after_e3 = by_participant(results(api, e3.id))[user.id]
    assert_matches(after_e3, expected[e3.id][0])
    assert (after_e3["rank_score"], after_e3["month_non_executions"]) == ("0.400000", 1)
    assert after_e3["evaluated_at"] == first_e3["evaluated_at"]

    audit_e1 = audits(api, e1.id)
    assert len(audit_e1) == 2
    assert audit_e1[1].before is not None and audit_e1[1].after is not None
    old = {r["participant_id"]: r for r in audit_e1[1].before["results"]}
    new = {r["participant_id"]: r for r in audit_e1[1].after["results"]}
    assert (old[user.id]["subsidy_cny"], new[user.id]["subsidy_cny"]) == ("4620.00", "0.00")
    told = notices(api, user.id)
    assert [(n.event_id, n.payload["subsidy_cny"]) for n in told] == [
        (e1.id, "4620.00"),
        (e3.id, "4620.00"),
        (e1.id, "0.00"),
    ]
    assert told[-1].payload["non_execution"] is True

    # The same correction again touches nothing and evaluates nothing.
    with api.session() as session:
        audit_total = session.scalar(select(func.count()).select_from(AuditLog))
    assert upload_ok(api, fix)["evaluations"] == []
    forced = api.client.post(f"/api/results/events/{e1.id}:evaluate", headers=api.grid)
    assert forced.json() == {"event_id": e1.id, "outcome": "unchanged", "detail": None}
    with api.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditLog)) == audit_total

    # Scoping: U sees only its own row; B, with no award in E1, does not see E1.
    assert [r["participant_id"] for r in results(api, e1.id, user.headers)] == [user.id]
    assert api.client.get(f"/api/results/events/{e1.id}", headers=bidder.headers).status_code == 404
    assert len(results(api, e1.id, api.regulator)) == 2

    # The chart: window curves, baseline days and the whole day's load.
    detail = api.client.get(
        f"/api/results/events/{e3.id}/participants/{user.id}", headers=user.headers
    )
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["intervals"][0] == "2025-07-22T14:00:00" and len(body["intervals"]) == 8
    assert body["baseline_unadjusted_kw"] == [1000.0] * 8
    assert body["baseline_kw"] == [1100.0] * 8
    assert body["actual_kw"] == [400.0] * 8
    assert body["day_load_kw"] == [1000.0] * 56 + [400.0] * 8 + [1000.0] * 32
    assert body["baseline_days"] == [
        "2025-07-11",
        "2025-07-14",
        "2025-07-16",
        "2025-07-17",
        "2025-07-18",
    ]
    aggregate = api.client.get(
        f"/api/results/events/{e1.id}/participants/{aggregator.id}", headers=api.grid
    ).json()
    members = np.stack([loads[a][row_d] for a in aggregator.accounts]).sum(axis=0)
    np.testing.assert_allclose(aggregate["day_load_kw"], members)
    for headers, status in ((user.headers, 404), (bidder.headers, 404), (aggregator.headers, 200)):
        response = api.client.get(
            f"/api/results/events/{e1.id}/participants/{aggregator.id}", headers=headers
        )
        assert response.status_code == status


def test_forced_evaluation(api: Api, tmp_path: Path) -> None:
    user = enrol_user(api)
    day = dt.date(2025, 8, 12)  # a Tuesday, system load 10 % high
    days = days_between(dt.date(2025, 7, 1), day)
    api.clock.set(dt.datetime(2025, 8, 12, 15, 0))
    event = add_event(api, day, "14:00", "16:00", [(user, "550", None)])
    values = cut(flat_loads(days, 1000), days, day, event.window, 400)
    store_system_load(api, days)
    upload_ok(api, write(load_frame({user.accounts[0]: values[:-1]}, days[:-1]), tmp_path))

    route = f"/api/results/events/{event.id}:evaluate"
    running = api.client.post(route, headers=api.grid)
    assert running.status_code == 409
    assert "runs until 2025-08-12 16:00" in running.json()["detail"]
    assert api.client.post(route, headers=user.headers).status_code == 403
    assert (
        api.client.post("/api/results/events/E-none:evaluate", headers=api.grid).status_code == 404
    )

    # No data for D yet: evaluated, but missing data (no figures, no subsidy).
    api.clock.set(dt.datetime(2025, 8, 12, 16, 0))
    assert api.client.post(route, headers=api.grid).json()["outcome"] == "evaluated"
    [row] = results(api, event.id)
    assert (row["status"], row["response_kw"], row["subsidy_cny"]) == ("missing_data", None, "0.00")
    assert row["baseline_days"] == []

    # D arrives the next morning: re-evaluated on the upload. Filling a gap corrects no reading,
    # so it needs no reason, and a result without figures has none to revise.
    api.clock.set(dt.datetime(2025, 8, 13, 9, 0))
    summary = upload_ok(
        api, write(load_frame({user.accounts[0]: values[-1:]}, days[-1:]), tmp_path)
    )
    assert summary["evaluations"] == [
        {"event_id": event.id, "outcome": "evaluated", "detail": None}
    ]
    [row] = results(api, event.id)
    assert (row["status"], row["subsidy_cny"]) == ("ok", "4620.00")
    detail = api.client.get(
        f"/api/results/events/{event.id}/participants/{user.id}", headers=api.grid
    )
    assert detail.json()["history"] == []


def test_an_evaluation_reads_the_baseline_days_a_page_at_a_time(
    api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 73 days of complete history: the baseline days are the 5 workdays from D-2 back, so
    # one page of candidates and D itself are all the meter data the evaluation needs to read.
    user = enrol_user(api)
    day = dt.date(2025, 8, 12)
    days = days_between(dt.date(2025, 6, 1), day)
    api.clock.set(dt.datetime(2025, 8, 12, 15, 0))
    event = add_event(api, day, "14:00", "16:00", [(user, "550", None)])
    values = cut(flat_loads(days, 1000), days, day, event.window, 400)
    store_system_load(api, days)
    upload_ok(api, write(load_frame({user.accounts[0]: values[:-1]}, days[:-1]), tmp_path))
    read: list[int] = []

    def spy(session: Any, accounts: Any, wanted: Any, **options: Any) -> Any:
        read.append(len(wanted))
        return load_cube(session, accounts, wanted, **options)

    for module in (evaluation, meterdata_baselines):
        monkeypatch.setattr(module, "load_cube", spy)
    api.clock.set(dt.datetime(2025, 8, 13, 9, 0))
    summary = upload_ok(
        api, write(load_frame({user.accounts[0]: values[-1:]}, days[-1:]), tmp_path)
    )
    assert [e["outcome"] for e in summary["evaluations"]] == ["evaluated"]
    [row] = results(api, event.id)
    assert (row["status"], row["subsidy_cny"]) == ("ok", "4620.00")
    assert row["baseline_days"] == [
        "2025-08-04", "2025-08-05", "2025-08-06", "2025-08-07", "2025-08-08",
    ]  # fmt: skip
    assert sum(read) <= 1 + meterdata_baselines.PAGE_DAYS, read  # not all 60 candidates


def test_events_that_cannot_be_evaluated(api: Api, tmp_path: Path) -> None:
    user = enrol_user(api)
    day = dt.date(2025, 9, 9)
    api.clock.set(dt.datetime(2025, 9, 10, 9, 0))
    cancelled = add_event(
        api, day, "14:00", "16:00", [(user, "550", None)], status=EventStatus.CANCELLED
    )
    response = api.client.post(f"/api/results/events/{cancelled.id}:evaluate", headers=api.grid)
    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]

    empty = add_event(api, day, "10:00", "11:00", [])
    response = api.client.post(f"/api/results/events/{empty.id}:evaluate", headers=api.grid)
    assert response.status_code == 409
    assert "no awards" in response.json()["detail"]

    # Bidding mode with an award that carries no price: the engine refuses it (表 2).
    unpriced = add_event(api, day, "18:00", "19:00", [(user, "550", None)], fixed_price=None)
    response = api.client.post(f"/api/results/events/{unpriced.id}:evaluate", headers=api.grid)
    assert response.status_code == 409
    assert "no price" in response.json()["detail"]
    # After an upload the same refusal is reported, and the upload itself stands.
    days = days_between(day, day)
    summary = upload_ok(
        api, write(load_frame({user.accounts[0]: flat_loads(days, 1000)}, days), tmp_path)
    )
    assert summary["new_values"] == 96
    [report] = summary["evaluations"]
    assert (report["event_id"], report["outcome"]) == (unpriced.id, "failed")
    assert "no price" in report["detail"]
    assert (
        api.client.get(f"/api/results/events/{unpriced.id}", headers=api.grid).json()["items"] == []
    )
    assert api.client.get("/api/results/events/E-none", headers=api.grid).status_code == 404
