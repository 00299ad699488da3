"""2.0b data points in real power: a bid (deltaDemand) or telemetry point must be W, kW or MW
(unit W, SI scale none, k or M). Anything else is refused at registration with 454 naming the
point, instead of being scaled silently; plain W is accepted (1 W = 0.001 kW)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from helpers import certificate, provision, realtime_user
from openleadr import OpenADRClient
from openleadr.utils import certificate_fingerprint
from service_api import Api


def register(
    api: Api, server: str, directory: Path, measurement: str, unit: str, scale: str
) -> tuple[str, dict[str, Any]]:
    """A provisioned 2.0b VEN registers a deltaDemand point in ``unit``/``scale``; the reply."""
    participant, _ = realtime_user(api)
    name = f"ven-units-{uuid.uuid4().hex[:8]}"
    cert, key = certificate(directory, name)
    fingerprint = certificate_fingerprint(Path(cert).read_text())
    provision(api, participant, protocol="2.0b", ven_name=name, fingerprint=fingerprint)

    async def scenario() -> tuple[str, dict[str, Any]]:
        ven = OpenADRClient(
            ven_name=name,
            vtn_url=f"{server}/OpenADR2/Simple/2.0b",
            cert=cert,
            key=key,
            ca_file=cert,
            show_fingerprint=False,
            check_hostname=False,
        )
        ven.add_report(
            callback=lambda: 450.0,
            resource_id="site",
            measurement=measurement,
            unit=unit,
            scale=scale,
            report_type="deltaDemand",
            reading_type="Projected",
            report_duration=dt.timedelta(seconds=1),
        )
        try:
            await ven.create_party_registration()
            assert ven.ven_id, "registration failed"
            message = ven._create_message(
                "oadrRegisterReport",
                request_id="units",
                ven_id=ven.ven_id,
                reports=ven.reports,
                report_request_id=0,
            )
            reply: tuple[str, dict[str, Any]] = await ven._perform_request("EiReport", message)
            return reply
        finally:
            await ven.client_session.close()

    return asyncio.run(scenario())


@pytest.mark.parametrize(
    ("measurement", "unit", "scale"),
    [("power_real", "W", "m"), ("power_real", "W", "G"), ("energy_real", "Wh", "k")],
)
def test_a_bid_point_not_in_w_kw_or_mw_is_refused(
    api: Api, server: str, tmp_path: Path, measurement: str, unit: str, scale: str
) -> None:
    reply_type, payload = register(api, server, tmp_path, measurement, unit, scale)
    assert reply_type == "oadrResponse"
    assert payload["response"]["response_code"] == 454
    description = payload["response"]["response_description"]
    assert f"unit {unit} scale {scale}" in description and "W, kW or MW" in description


@pytest.mark.parametrize("scale", ["none", "k", "M"])
def test_a_bid_point_in_w_kw_or_mw_registers(
    api: Api, server: str, tmp_path: Path, scale: str
) -> None:
    reply_type, payload = register(api, server, tmp_path, "power_real", "W", scale)
    assert reply_type == "oadrRegisteredReport"
    assert payload["response"]["response_code"] == 200
