"""Disabling a platform user (``gzvpp user disable``, ``/api/users/{id}/disable``) stops its
OpenADR 3 VEN at once too, and enabling it lets the VEN back in (issue 9 §5)."""

from __future__ import annotations

from helpers import provision, realtime_user
from service_api import Api

from gzvpp.models import OpenADRClient

P = "/openadr3/3.1.0"


def test_a_disabled_users_ven_is_refused(api: Api) -> None:
    participant, _ = realtime_user(api)
    credentials = provision(api, participant, ven_name="ven-disabled")
    granted = api.client.post(
        f"{P}/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        },
    )
    assert granted.status_code == 200, granted.text
    headers = {"Authorization": f"Bearer {granted.json()['access_token']}"}
    assert api.client.get(f"{P}/events", headers=headers).status_code == 200
    with api.session() as session:
        client = session.get(OpenADRClient, credentials.client_id)
        assert client is not None
        user_id = client.user_id
    assert api.client.post(f"/api/users/{user_id}/disable", headers=api.grid).status_code == 200
    refused = api.client.get(f"{P}/events", headers=headers)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    assert api.client.post(f"/api/users/{user_id}/enable", headers=api.grid).status_code == 200
    assert api.client.get(f"{P}/events", headers=headers).status_code == 200
