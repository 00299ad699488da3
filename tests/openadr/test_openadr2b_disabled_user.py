"""Disabling a platform user stops its OpenADR 2.0b VEN too: a correctly signed VEN of a
disabled user gets no registration until the user is enabled again (issue 9 §5)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from helpers import provision, realtime_user
from openleadr.utils import certificate_fingerprint
from service_api import Api
from test_openadr2b_ven import Ven2bSite, certificate

from gzvpp.models import Ven2b


def test_a_disabled_users_2b_ven_cannot_register(api: Api, server: str, tmp_path: Path) -> None:
    participant, _ = realtime_user(api)
    cert, key = certificate(tmp_path, "ven-disabled-2b")
    fingerprint = certificate_fingerprint(Path(cert).read_text())
    provision(
        api, participant, protocol="2.0b", ven_name="ven-disabled-2b", fingerprint=fingerprint
    )
    with api.session() as session:
        user_id = session.query(Ven2b.user_id).filter_by(ven_name="ven-disabled-2b").scalar()
    site = Ven2bSite(api)
    vtn_url = f"{server}/OpenADR2/Simple/2.0b"

    async def register() -> str | None:
        ven = site.client(vtn_url, "ven-disabled-2b", cert, key)
        await ven.create_party_registration()
        if ven.client_session:
            await ven.client_session.close()
        registration: str | None = ven.registration_id
        return registration

    assert api.client.post(f"/api/users/{user_id}/disable", headers=api.grid).status_code == 200
    assert asyncio.run(register()) is None
    assert api.client.post(f"/api/users/{user_id}/enable", headers=api.grid).status_code == 200
    assert asyncio.run(register()) is not None
