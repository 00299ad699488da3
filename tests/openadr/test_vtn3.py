"""The OpenADR 3 VTN in-process: tokens and scopes, object privacy and target hiding, what the
platform manages, webhook checks and deliveries, cancellation, provisioning over the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from helpers import D, create_event, provision, realtime_user, receiver, wait_for
from service_api import Api

from gzkit.db import session_scope
from gzvpp.models import Role
from gzvpp.openadr import provisioning
from gzvpp.openadr.vtn3 import schemas

P = "/openadr3/3.1.0"


def token(api: Api, client_id: str, secret: str, **form: str) -> httpx.Response:
    return api.client.post(
        f"{P}/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            **form,
        },
    )


def bearer(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def bl(api: Api) -> dict[str, str]:
    with session_scope(api.app.state.sessionmaker) as session:
        credentials = provisioning.add_bl(session, "test", api.clock.now(), "dispatch system")
    return bearer(token(api, credentials.client_id, credentials.client_secret))


@pytest.fixture(scope="module")
def vens(api: Api) -> dict[str, Any]:
    """Two participants' VENs: their credentials, tokens and targets."""
    out: dict[str, Any] = {}
    for name in ("a", "b"):
        participant, _ = realtime_user(api)
        credentials = provision(api, participant, ven_name=f"ven-{name}")
        assert credentials.client_id and credentials.client_secret
        out[name] = {
            "participant": participant,
            "credentials": credentials,
            "headers": bearer(token(api, credentials.client_id, credentials.client_secret)),
            "target": credentials.targets[0],
        }
    return out


def relay(app: FastAPI) -> None:
    app.state.openadr.relay.run_once()
    assert app.state.openadr.notifier.wait_idle()


def test_auth_server_names_the_token_endpoint_absolutely(api: Api) -> None:
    assert api.client.get(f"{P}/auth/server").json() == {
        "tokenURL": "http://testserver/openadr3/3.1.0/auth/token"
    }


def test_token_endpoint_speaks_rfc_6749(api: Api, vens: dict[str, Any]) -> None:
    credentials = vens["a"]["credentials"]
    narrow = token(api, credentials.client_id, credentials.client_secret, scope="read_targets")
    assert narrow.json()["scope"] == "read_targets"
    assert api.client.get(f"{P}/reports", headers=bearer(narrow)).status_code == 403
    too_wide = token(api, credentials.client_id, credentials.client_secret, scope="write_events")
    assert (too_wide.status_code, too_wide.json()["error"]) == (400, "invalid_scope")
    wrong_grant = api.client.post(f"{P}/auth/token", data={"grant_type": "password"})
    assert (wrong_grant.status_code, wrong_grant.json()["error"]) == (400, "unsupported_grant_type")
    basic = api.client.post(
        f"{P}/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(credentials.client_id, credentials.client_secret),
    )
    assert basic.status_code == 200
    wrong = token(api, credentials.client_id, "not-the-secret")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    as_json = api.client.post(f"{P}/auth/token", json={"grant_type": "client_credentials"})
    assert as_json.status_code == 400


def test_scopes_keep_vens_and_bl_to_their_roles(
    api: Api, bl: dict[str, str], vens: dict[str, Any]
) -> None:
    ven = vens["a"]["headers"]
    assert (
        api.client.post(f"{P}/programs", json={"programName": "x"}, headers=ven).status_code == 403
    )
    assert (
        api.client.post(f"{P}/events", json={"programID": "gz-vpp"}, headers=ven).status_code == 403
    )
    report = {"eventID": "x", "clientName": "bl", "resources": []}
    assert api.client.post(f"{P}/reports", json=report, headers=bl).status_code == 403
    assert api.client.get(f"{P}/notifiers/mqtt/topics/events", headers=ven).status_code == 403


def test_targets_grant_and_hide(api: Api, bl: dict[str, str], vens: dict[str, Any]) -> None:
    a, b = vens["a"], vens["b"]
    program = api.client.post(
        f"{P}/programs",
        json={"programName": "targeted", "targets": [a["target"], b["target"], "group-x"]},
        headers=bl,
    ).json()
    # Only through a granted target, and only that target is shown.
    assert api.client.get(f"{P}/programs", headers=a["headers"]).json()[0]["programName"] != (
        "targeted"
    )
    seen = api.client.get(
        f"{P}/programs", params={"targets": [a["target"], "group-x"]}, headers=a["headers"]
    ).json()
    assert [(p["programName"], p["targets"]) for p in seen] == [("targeted", [a["target"]])]
    by_id = api.client.get(f"{P}/programs/{program['id']}", headers=a["headers"]).json()
    assert by_id["targets"] == [a["target"]]
    assert (
        api.client.get(
            f"{P}/programs", params={"targets": ["group-x"]}, headers=a["headers"]
        ).json()
        == []
    )
    assert api.client.get(f"{P}/programs/{program['id']}", headers=bl).json()["targets"] == [
        a["target"],
        b["target"],
        "group-x",
    ]
    # A VEN cannot grant itself targets; its own ven keeps the ones BL gave it.
    (own,) = api.client.get(f"{P}/vens", headers=a["headers"]).json()
    grab = {
        "objectType": "BL_VEN_REQUEST",
        "clientID": "x",
        "venName": "ven-a",
        "targets": ["group-x"],
    }
    assert (
        api.client.put(f"{P}/vens/{own['id']}", json=grab, headers=a["headers"]).status_code == 403
    )
    renamed = api.client.put(
        f"{P}/vens/{own['id']}",
        json={"objectType": "VEN_VEN_REQUEST", "venName": "ven-a-renamed"},
        headers=a["headers"],
    ).json()
    assert (renamed["venName"], renamed["targets"]) == ("ven-a-renamed", [a["target"]])
    assert api.client.get(f"{P}/vens/{own['id']}", headers=b["headers"]).status_code == 404


def test_ven_objects_are_private_to_their_client(
    api: Api, bl: dict[str, str], vens: dict[str, Any]
) -> None:
    a, b = vens["a"], vens["b"]
    resource = api.client.post(
        f"{P}/resources",
        json={
            "objectType": "VEN_RESOURCE_REQUEST",
            "resourceName": "meter-1",
            "venID": api.client.get(f"{P}/vens", headers=a["headers"]).json()[0]["id"],
        },
        headers=a["headers"],
    )
    assert resource.status_code == 201, resource.text
    assert resource.json()["clientID"] == a["credentials"].client_id
    assert api.client.get(f"{P}/resources", headers=b["headers"]).json() == []
    assert len(api.client.get(f"{P}/resources", headers=bl).json()) == 1
    theirs = api.client.post(
        f"{P}/resources",
        json={
            "objectType": "VEN_RESOURCE_REQUEST",
            "resourceName": "meter-2",
            "venID": resource.json()["venID"],
        },
        headers=b["headers"],
    )
    assert theirs.status_code == 404
    assert api.client.get(f"{P}/vens", headers=bl).status_code == 200


def test_platform_managed_objects_are_read_only(api: Api, bl: dict[str, str]) -> None:
    program = api.client.get(f"{P}/programs/gz-vpp", headers=bl).json()
    assert program["programName"] == "GZ-VPP"
    body = {"programName": "GZ-VPP"}
    assert api.client.put(f"{P}/programs/gz-vpp", json=body, headers=bl).status_code == 409
    assert api.client.delete(f"{P}/programs/gz-vpp", headers=bl).status_code == 403
    clash = api.client.post(f"{P}/programs", json=body, headers=bl)
    assert clash.status_code == 409


def test_callbacks_must_be_https_and_answer_the_echo(
    api: Api, app: FastAPI, vens: dict[str, Any]
) -> None:
    headers = vens["a"]["headers"]

    def subscribe(url: str) -> httpx.Response:
        return api.client.post(
            f"{P}/subscriptions",
            json={
                "clientName": "a",
                "objectOperations": [
                    {"objects": ["EVENT"], "operations": ["CREATE"], "callbackUrl": url}
                ],
            },
            headers=headers,
        )

    webhooks = app.state.openadr.webhooks
    webhooks.allow_http = False
    try:
        refused = subscribe("http://127.0.0.1:9/hook")
        assert refused.status_code == 400 and "https" in refused.json()["detail"]
    finally:
        webhooks.allow_http = True
    silent = subscribe("http://127.0.0.1:9/hook")  # nothing listens on the discard port
    assert silent.status_code == 400 and "echo" in silent.json()["detail"]
    with receiver() as hooks:
        assert subscribe(hooks.url).status_code == 201


def test_invitations_reach_only_their_participant_and_cancellation_updates_them(
    api: Api, app: FastAPI, vens: dict[str, Any]
) -> None:
    a, b = vens["a"], vens["b"]
    with receiver() as hooks:
        for ven in (a, b):
            created = api.client.post(
                f"{P}/subscriptions",
                json={
                    "clientName": ven["target"],
                    "objectOperations": [
                        {
                            "objects": ["EVENT"],
                            "operations": ["CREATE", "UPDATE"],
                            "callbackUrl": hooks.url,
                            "bearerToken": ven["target"],
                        }
                    ],
                    "targets": [ven["target"]],
                },
                headers=ven["headers"],
            )
            assert created.status_code == 201
        api.clock.set(dt.datetime.combine(D - dt.timedelta(days=1), dt.time(8, 0)))
        event = create_event(
            api,
            mode="day_ahead",
            start_at=f"{D}T18:00:00",
            end_at=f"{D}T19:00:00",
            price_mode="fixed",
            fixed_price="2",
        )
        relay(app)
        creates = wait_for(
            lambda: (
                len(hooks.notifications("EVENT", "CREATE")) >= 2
                and hooks.notifications("EVENT", "CREATE")
            )
        )
        # Each VEN hears of its own invitation only, with only its own target.
        by_token = {token: n for token, n in hooks.received if n["operation"] == "CREATE"}
        for ven in (a, b):
            note = by_token[f"Bearer {ven['target']}"]
            assert note["object"]["targets"] == [ven["target"]]
            assert note["targets"] == [ven["target"]]
        assert len(creates) == 2

        cancel = api.client.post(
            f"/api/events/{event['id']}/cancel", json={"reason": "负荷预测下调"}, headers=api.grid
        )
        assert cancel.status_code == 200, cancel.text
        relay(app)
        updates = wait_for(
            lambda: (
                len(hooks.notifications("EVENT", "UPDATE")) >= 2
                and hooks.notifications("EVENT", "UPDATE")
            )
        )
    cancelled = updates[0]["object"]
    assert cancelled["intervalPeriod"] == {"start": "0001-01-01T00:00:00Z", "duration": "PT0S"}
    payloads = {p["type"]: p["values"] for p in cancelled["intervals"][0]["payloads"]}
    assert payloads["GZ_CANCELLED"][0] == "负荷预测下调"
    listed = api.client.get(
        f"{P}/events", params={"targets": [a["target"]], "active": True}, headers=a["headers"]
    ).json()
    assert cancelled["id"] not in [e["id"] for e in listed]


def test_deleting_a_program_deletes_its_events(api: Api, bl: dict[str, str]) -> None:
    program = api.client.post(f"{P}/programs", json={"programName": "temp"}, headers=bl).json()
    event = api.client.post(f"{P}/events", json={"programID": program["id"]}, headers=bl).json()
    assert api.client.delete(f"{P}/programs/{program['id']}", headers=bl).status_code == 200
    assert api.client.get(f"{P}/events/{event['id']}", headers=bl).status_code == 404
    orphan = api.client.post(f"{P}/events", json={"programID": program["id"]}, headers=bl)
    assert orphan.status_code == 409


def test_provisioning_over_the_api(api: Api, vens: dict[str, Any]) -> None:
    participant = vens["a"]["participant"]
    created = api.client.post(
        "/api/openadr/vens", json={"participant_id": participant}, headers=api.grid
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["vtn_url"] == "http://testserver/openadr3/3.1.0"
    assert body["targets"] == [vens["a"]["target"]]
    headers = bearer(token(api, body["client_id"], body["client_secret"]))
    assert api.client.get(f"{P}/vens", headers=headers).status_code == 200
    scoped = api.token(Role.POWER_USER, participant)
    assert (
        api.client.post(
            "/api/openadr/vens", json={"participant_id": participant}, headers=scoped
        ).status_code
        == 403
    )
    no_fingerprint = api.client.post(
        "/api/openadr/vens",
        json={"participant_id": participant, "protocol": "2.0b"},
        headers=api.grid,
    )
    assert no_fingerprint.status_code == 422
    pending = api.enrol(api.user())["id"]
    assert (
        api.client.post(
            "/api/openadr/vens", json={"participant_id": pending}, headers=api.grid
        ).status_code
        == 409
    )
    revoked = api.client.post(f"/api/openadr/clients/{body['client_id']}/revoke", headers=api.grid)
    assert revoked.status_code == 204
    assert api.client.get(f"{P}/vens", headers=headers).status_code == 401
    assert token(api, body["client_id"], body["client_secret"]).status_code == 401


def test_the_relay_leaves_windows_already_over_as_history(api: Api, app: FastAPI) -> None:
    api.clock.set(dt.datetime.combine(D - dt.timedelta(days=1), dt.time(8, 0)))
    event = create_event(
        api,
        mode="day_ahead",
        start_at=f"{D}T20:00:00",
        end_at=f"{D}T21:00:00",
        price_mode="fixed",
        fixed_price="2",
    )
    api.clock.set(dt.datetime.combine(D, dt.time(21, 0)))
    with session_scope(app.state.sessionmaker) as session:
        credentials = provisioning.add_bl(session, "test", api.clock.now(), "auditor")
    headers = bearer(token(api, credentials.client_id, credentials.client_secret))
    assert app.state.openadr.relay.run_once() > 0
    names = [e["eventName"] for e in api.client.get(f"{P}/events", headers=headers).json()]
    assert names and not any(event["id"] in name for name in names)


def fresh(api: Api, credentials: Any) -> dict[str, str]:
    """A new token (earlier tests move the clock past the module's tokens)."""
    return bearer(token(api, credentials.client_id, credentials.client_secret))


def test_sizes_are_capped_with_a_problem_naming_the_field(api: Api, vens: dict[str, Any]) -> None:
    headers = fresh(api, vens["a"]["credentials"])

    def report(resources: list[dict[str, Any]], **extra: Any) -> httpx.Response:
        body = {"eventID": "e", "clientName": "a", "resources": resources, **extra}
        return api.client.post(f"{P}/reports", json=body, headers=headers)

    def resource(values: int, intervals: int = 1) -> dict[str, Any]:
        payload = {"type": "DEMAND", "values": [1] * values}
        return {
            "resourceName": "r",
            "intervals": [{"id": i, "payloads": [payload]} for i in range(intervals)],
        }

    long_name = report([resource(1)], reportName="x" * (schemas.MAX_TEXT + 1))
    assert long_name.status_code == 400
    assert "reportName" in long_name.json()["detail"]
    assert len(long_name.text) < 1000  # the input is not echoed

    many = report([resource(schemas.MAX_VALUES + 1)])
    assert many.status_code == 400
    assert "resources.0.intervals.0.payloads.0.values" in many.json()["detail"]

    intervals = schemas.MAX_REPORT_VALUES // schemas.MAX_VALUES + 1
    total = report([resource(schemas.MAX_VALUES, intervals)])
    assert total.status_code == 400
    assert f"at most {schemas.MAX_REPORT_VALUES} values" in total.json()["detail"]

    huge = report([resource(1)], reportName="x" * (1 << 20))
    assert huge.status_code == 413
    assert huge.json()["title"] == "Content Too Large"


def test_null_for_an_optional_property_is_taken_as_left_out(api: Api) -> None:
    with session_scope(api.app.state.sessionmaker) as session:
        credentials = provisioning.add_bl(session, "test", api.clock.now(), "null sender")
    bl = fresh(api, credentials)
    program = api.client.post(
        f"{P}/programs",
        json={
            "programName": "nulls",
            "intervalPeriod": None,
            "programDescriptions": None,
            "payloadDescriptors": None,
            "attributes": None,
            "targets": None,
        },
        headers=bl,
    )
    assert program.status_code == 201, program.text
    event = api.client.post(
        f"{P}/events",
        json={
            "programID": program.json()["id"],
            "eventName": None,
            "duration": None,
            "priority": None,
            "intervalPeriod": {
                "start": "2025-06-03T12:00:00+08:00",
                "duration": "PT1H",
                "randomizeStart": None,
            },
            "intervals": [
                {"id": 0, "intervalPeriod": None, "payloads": [{"type": "PRICE", "values": [1.5]}]}
            ],
            "reportDescriptors": None,
        },
        headers=bl,
    )
    assert event.status_code == 201, event.text
    stored = event.json()
    assert "duration" not in stored and "randomizeStart" not in stored["intervalPeriod"]
    # A required property is still required.
    missing = api.client.post(f"{P}/events", json={"programID": None}, headers=bl)
    assert missing.status_code == 400 and "programID" in missing.json()["detail"]
