"""OpenADR notifications when several server processes share one PostgreSQL database
(issue #11 §2): a change written through one process's VTN, and platform notifications the relay
turns into OpenADR events in whichever process relays, each reach a subscriber once."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import httpx
import pytest
from events_support import event_body, power_user, substation
from helpers import receiver
from service_api import Api
from workers_support import (
    INTERVAL_S,
    VTN,
    D,
    Server,
    at,
    wait_for,
    workers_server,  # noqa: F401  (the fixture `workers`)
)

from gzvpp.openadr import provisioning
from gzvpp.openadr.mapping import participant_target

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True, scope="module"),
]


def test_an_openadr_change_is_notified_once_whatever_the_process(api: Api, workers: Server) -> None:
    station = substation()
    members = [power_user(api, station) for _ in range(3)]
    with api.session() as session:
        bl = provisioning.add_bl(session, "test", api.clock.now(), "workers")
    form = {"grant_type": "client_credentials", "client_id": bl.client_id}
    token = httpx.post(
        f"{workers.base}{VTN}/auth/token", data={**form, "client_secret": bl.client_secret}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    with receiver() as hooks:
        subscription = {
            "clientName": "workers",
            "objectOperations": [
                {"objects": ["EVENT"], "operations": ["CREATE"], "callbackUrl": hooks.url}
            ],
        }
        vtn = f"{workers.base}{VTN}"
        created = httpx.post(f"{vtn}/subscriptions", json=subscription, headers=headers)
        assert created.status_code == 201, created.text
        # A change written through one process's VTN, and invitations the relay turns into
        # OpenADR events in whichever process relays.
        program = httpx.post(
            f"{workers.base}{VTN}/programs", json={"programName": "workers"}, headers=headers
        ).json()
        own = httpx.post(
            f"{workers.base}{VTN}/events", json={"programID": program["id"]}, headers=headers
        )
        assert own.status_code == 201, own.text
        day = D + dt.timedelta(days=3)
        body = event_body(at(day, 10), at(day, 11), station)
        response = httpx.post(f"{workers.base}/api/events", json=body, headers=api.grid)
        assert response.status_code == 201, response.text
        targets = {participant_target(m.id) for m in members}

        def ours() -> list[str]:
            return [
                n["object"]["id"]
                for n in hooks.notifications("EVENT", "CREATE")
                if n["object"]["programID"] == program["id"] or targets & set(n.get("targets", []))
            ]

        wait_for(lambda: len(ours()) >= 1 + len(members), 20, "the notifications")
        time.sleep(3 * 0.5 + 2 * INTERVAL_S)  # several relay rounds in both processes
        notified = ours()
    assert Counter(notified).most_common(1)[0][1] == 1, notified
    assert len(notified) == 1 + len(members)
    assert "relaying notifications to OpenADR failed" not in workers.log.read_text()
