"""The benchmarks' participants, enrolled through the service as the platform enrols them: the
application, the grid review, 公示 and the agreement. Benchmarks take 公示 at once (a publicity
period of 0 working days), so this module sets that before anything reads it."""

from __future__ import annotations

import datetime as dt
import os

from sqlalchemy.orm import Session

from gzvpp.kit.auth import Actor
from gzvpp.kit.policy import PUBLICITY_ENV
from gzvpp.models import Role
from gzvpp.participants.schemas import PowerUserCreate
from gzvpp.participants.service import participant_service

os.environ.setdefault(PUBLICITY_ENV, "0")

GRID = Actor(0, "bench", Role.GRID_OPERATOR, None)
REGULATOR = Actor(0, "bench", Role.REGULATOR, None)


def power_user(
    name: str,
    account_id: str,
    *,
    capability_kw: str = "800",
    substation: str = "天河站",
    feeder: str = "F00",
    realtime_kw: str | None = None,
) -> PowerUserCreate:
    """A large industrial user's application (5,000 kW maximum load, 60-minute response);
    real-time capable with minute monitoring when ``realtime_kw`` is given."""
    return PowerUserCreate(
        kind="user",
        name=name,
        account_id=account_id,
        general_taxpayer=True,
        policy_compliant=True,
        category="large_industry",
        capability_kw=capability_kw,
        max_load_kw="5000",
        response_duration_min=60,
        substation=substation,
        feeder=feeder,
        realtime_capable=realtime_kw is not None,
        minute_monitoring=realtime_kw is not None,
        realtime_capability_kw=realtime_kw,
    )


def activate(session: Session, at: dt.datetime, application: PowerUserCreate) -> str:
    """Enrol ``application`` and take it through review, 公示 and the agreement; its id."""
    participant_id = participant_service.enrol(session, GRID, at, application).id
    participant_service.start_review(session, GRID, at, participant_id)
    participant_service.pass_review(session, GRID, at, participant_id)
    participant_service.clear_publicity(session, REGULATOR, at, participant_id)
    participant_service.activate(session, GRID, at, participant_id)
    return participant_id
